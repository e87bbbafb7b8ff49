package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// checkParts are real servers for every part smid check looks at.
type checkParts struct {
	dsn, stripeURL, upsamplerURL, upsamplerKey, site string
	smtpPort                                         int
}

func startCheckParts(t *testing.T) checkParts {
	t.Helper()
	dsn := storetest.EmptyDB(t)
	mp := mailtest.Start(t)
	up := upscaletest.New(upscaletest.Options{})
	t.Cleanup(up.Close)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>shop</html>") }))
	t.Cleanup(site.Close)
	return checkParts{dsn: dsn, stripeURL: stripetest.StartMock(t), upsamplerURL: up.URL(), upsamplerKey: up.APIKey(),
		site: site.URL, smtpPort: mp.SMTPPort()}
}

const (
	checkWebhookSecret = "whsec_c2VjcmV0LWZvci10aGUtY2hlY2stdGVzdA=="
	checkSMTPPassword  = "smtp-password-never-printed"
)

func (p checkParts) env(t *testing.T, extra ...string) []string {
	return append([]string{
		"SMI_DATABASE_DSN=" + p.dsn, "SMI_API_SECRET=" + secret,
		"SMI_SITE_URL=" + p.site, "SMI_STRIPE_SECRET_KEY=sk_test_checkcheckcheck", "SMI_STRIPE_WEBHOOK_SECRET=" + checkWebhookSecret,
		"SMI_STRIPE_API_BASE=" + p.stripeURL, "SMI_UPSAMPLER_API_KEY=" + p.upsamplerKey, "SMI_UPSAMPLER_BASE_URL=" + p.upsamplerURL,
		"SMI_MAIL_SMTP_HOST=127.0.0.1", fmt.Sprintf("SMI_MAIL_SMTP_PORT=%d", p.smtpPort),
		"SMI_MAIL_USERNAME=shop", "SMI_MAIL_PASSWORD=" + checkSMTPPassword,
		"SMI_STORAGE_DIR=" + filepath.Join(t.TempDir(), "files"),
	}, extra...)
}

// line finds the line of a check in smid check's output.
func line(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 6 && strings.HasPrefix(strings.TrimSpace(l[6:]), name+"  ") {
			return l
		}
	}
	return ""
}

func TestCheckPassesOnAWorkingSetup(t *testing.T) {
	t.Parallel()
	p := startCheckParts(t)
	if _, errOut, code := runSmid(t, p.env(t), "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	out, errOut, code := runSmid(t, p.env(t), "check")
	if code != 0 {
		t.Fatalf("check exit %d on a working setup:\n%s%s", code, out, errOut)
	}
	want := map[string]string{
		"database":       "grants SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP",
		"schema":         "current",
		"stripe key":     "test mode, key accepted",
		"webhook secret": "whsec_ format",
		"smtp":           "authenticated",
		"upscaler":       "upsampler, key accepted",
		"storage":        "writable",
		"site url":       "answered 200 OK",
	}
	for name, detail := range want {
		l := line(out, name)
		if !strings.HasPrefix(l, "ok") || !strings.Contains(l, detail) {
			t.Errorf("%s: got line %q; want ok with %q\n%s", name, l, detail, out)
		}
	}
	for _, s := range []string{secret, checkSMTPPassword, checkWebhookSecret, "sk_test_checkcheckcheck"} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("check printed a secret:\n%s", out)
		}
	}
	// A key Stripe refuses (stripe-mock takes test-mode keys only) fails
	// its line, and the exit code, without printing the key.
	out, errOut, code = runSmid(t, p.env(t, "SMI_STRIPE_SECRET_KEY=sk_live_checkcheckcheck"), "check")
	if l := line(out, "stripe key"); code != 1 || !strings.HasPrefix(l, "FAIL") || !strings.Contains(l, "stripe: auth") ||
		strings.Contains(out, "sk_live_checkcheckcheck") || errOut != "smid: 1 of 9 checks failed\n" {
		t.Errorf("refused key: exit %d, line %q, stderr %q", code, l, errOut)
	}
}

// Each broken part fails its own line, the others still pass, and the
// exit code says something failed.
func TestCheckNamesEachBrokenPart(t *testing.T) {
	t.Parallel()
	p := startCheckParts(t)
	// A user with only what serve needs: migrate's grants are missing.
	cfg, _ := mysql.ParseDSN(p.dsn)
	admin := sqlx.MustOpen("mysql", p.dsn)
	defer admin.Close()
	user := "c" + strings.TrimPrefix(cfg.DBName, "smi_test_")
	admin.MustExec(fmt.Sprintf("CREATE USER '%s'@'localhost' IDENTIFIED BY 'pw-check-1'", user))
	t.Cleanup(func() { admin.Exec(fmt.Sprintf("DROP USER '%s'@'localhost'", user)) })
	admin.MustExec(fmt.Sprintf("GRANT SELECT, INSERT, UPDATE, DELETE ON `%s`.* TO '%s'@'localhost'", cfg.DBName, user))
	limited := *cfg
	limited.User, limited.Passwd = user, "pw-check-1"

	closed := closedPort(t)
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := p.env(t,
		"SMI_DATABASE_DSN="+limited.FormatDSN(), // and the schema was never migrated
		"SMI_STRIPE_API_BASE=http://"+closed,
		"SMI_STRIPE_WEBHOOK_SECRET=whsec_short",
		fmt.Sprintf("SMI_MAIL_SMTP_PORT=%s", strings.Split(closed, ":")[1]),
		"SMI_UPSAMPLER_API_KEY=wrong-key",
		"SMI_STORAGE_DIR="+filepath.Join(notADir, "files"),
		"SMI_SITE_URL=http://"+closed,
	)
	out, errOut, code := runSmid(t, env, "check")
	if code != 1 || errOut != "smid: 8 of 9 checks failed\n" {
		t.Fatalf("exit %d, stderr %q; want 1 and all eight parts failed\n%s", code, errOut, out)
	}
	want := map[string]string{
		"database":       "lacks CREATE, ALTER, INDEX, DROP",
		"schema":         "0 of",
		"stripe key":     "could not reach Stripe",
		"webhook secret": "at least 24",
		"smtp":           "127.0.0.1:" + strings.Split(closed, ":")[1],
		"upscaler":       "refused the API key (HTTP 401)",
		"storage":        "not a directory",
		"site url":       "unreachable",
	}
	for name, detail := range want {
		if l := line(out, name); !strings.HasPrefix(l, "FAIL") || !strings.Contains(l, detail) {
			t.Errorf("%s: got %q; want FAIL with %q", name, l, detail)
		}
	}
	if strings.Contains(out, "pw-check-1") || strings.Contains(out, "wrong-key") || strings.Contains(out, checkSMTPPassword) {
		t.Errorf("check printed a secret:\n%s", out)
	}

	// A configuration that does not load: one FAIL line per problem.
	out, errOut, code = runSmid(t, []string{"SMI_API_SECRET=short"}, "check")
	if code != 1 || !strings.Contains(out, "FAIL  config  config: api.secret") || !strings.HasPrefix(errOut, "smid: the configuration does not load") {
		t.Errorf("bad config: exit %d\n%s%s", code, out, errOut)
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
