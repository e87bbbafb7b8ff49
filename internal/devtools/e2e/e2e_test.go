package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

const (
	seeded    = 300
	buyer     = "e2e-buyer@example.com"
	srcW      = 300
	srcH      = 200
	refundIn  = "0.20"
	refundWhy = "E2E: the customer asked for a smaller print"
)

// repoRoot is the repository, two levels up from this package.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "scripts/wp/site.sh")); err != nil {
		t.Fatalf("no scripts/wp/site.sh under %s: %v", root, err)
	}
	return root
}

// smidBinary is SMI_SMID_BIN (make test passes bin/smid) or a fresh build.
func smidBinary(t *testing.T, root string) string {
	if p := os.Getenv("SMI_SMID_BIN"); p != "" {
		return p
	}
	out := filepath.Join(t.TempDir(), "smid")
	cmd := exec.Command("go", "build", "-o", out, "./daemon")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./daemon: %v\n%s", err, b)
	}
	return out
}

// startStack builds the whole product for the test, on the MariaDB of
// SMI_TEST_DSN, in a database of its own that is dropped at the end; opts
// adjust the stack's Config.
func startStack(t *testing.T, opts ...func(*e2e.Config)) (*e2e.Stack, string) {
	t.Helper()
	if m := e2e.Missing(); m != "" {
		t.Fatal(m)
	}
	dsn := os.Getenv("SMI_TEST_DSN")
	if dsn == "" {
		t.Fatal("SMI_TEST_DSN is not set: run the tests with `make test` (it starts a private MariaDB)")
	}
	mc, err := mysql.ParseDSN(dsn)
	if err != nil || mc.Net != "unix" {
		t.Fatalf("SMI_TEST_DSN must name a unix socket (root@unix(/path/mysqld.sock)/), got %q: %v", dsn, err)
	}
	root := repoRoot(t)
	smid := smidBinary(t, root)
	db := fmt.Sprintf("smi_e2e_%d", time.Now().UnixNano()%1e9)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := e2e.Config{
		Root: root, Dir: t.TempDir(), DBSocket: mc.Addr, DBName: db, SMID: smid,
		SeedJobs: seeded, Logf: t.Logf,
	}
	for _, o := range opts {
		o(&cfg)
	}
	st, err := e2e.Start(ctx, cfg)
	t.Cleanup(func() {
		if err := e2e.DropDatabase(mc.Addr, db); err != nil {
			t.Logf("drop %s: %v", db, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of the stack:\n%s", st.Logs())
		}
		st.Stop()
	})
	return st, root
}

// env is what the steps share: the stack, the browser, and what earlier
// steps made.
type env struct {
	st    *e2e.Stack
	b     *browser
	ctx   context.Context
	root  string
	admin string // the Jobs screen

	bought    e2e.JobDetail // the job the visitor bought
	firstLink string        // the link in its delivery email
}

// TestAdminJobsAndPurchaseInABrowser drives the real site in headless
// Chromium: a visitor buys an image with the buy button, then the admin
// works through the Jobs screen. The steps run in order on one site, and a
// later step builds on what an earlier one did; the first (the purchase)
// must pass for the others to run.
func TestAdminJobsAndPurchaseInABrowser(t *testing.T) {
	st, root := startStack(t)
	e := &env{st: st, b: newBrowser(t), ctx: context.Background(), root: root,
		admin: st.SiteURL + "/wp-admin/admin.php?page=smi-jobs"}
	steps := []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"purchase from the buy button", buyFromTheButton},
		{"log in and open the Jobs screen", logInAndList},
		{"filter by status and by date range", filterByStatusAndDates},
		{"search by email and by job id", searchByEmailAndID},
		{"sort", sortAndPage},
		{"page by cursor: next, previous, last, first, typed", pageByCursor},
		{"preview a job from the list", previewFromTheList},
		{"open a job and refund it with a reason", openAndRefund},
		{"regenerate the token and download through /smi-download/", regenerateTokenAndDownload},
		{"timeline newest first, a private note, the download log", timelineAndNote},
		{"bulk-retry failed jobs", bulkRetryFailed},
		{"abandon every unpaid checkout with one batch", abandonUnpaidInOneBatch},
		{"export CSV", exportCSV},
		{"see the money on Reports and the dashboard", seeTheMoney},
		{"owner notifications and a test email from Settings", settingsNotifyAndTestEmail},
		{"views follow the counts; Screen Options columns are kept", viewsAndColumns},
	}
	for i, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			e.b.t = t
			s.run(t, e)
		})
		if !ok && i == 0 {
			t.FailNow()
		}
	}
}

func ids2(js []e2e.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.JobID
	}
	return out
}

func attr(b *browser, sel, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => ''}).getAttribute(%q) || ''`, sel, name))
}

func query(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// wantPNG downloads link and checks it is a w×h PNG.
func wantPNG(t *testing.T, link string, w, h int) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %s %s: %.200s", link, resp.Status, resp.Header.Get("Content-Type"), body)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(body))
	if err != nil || cfg.Width != w || cfg.Height != h {
		t.Fatalf("download is %dx%d (%v), want a %dx%d PNG", cfg.Width, cfg.Height, err, w, h)
	}
}

func status(t *testing.T, link string) int {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
