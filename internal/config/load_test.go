package config

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	testSecret   = "0123456789abcdef0123456789abcdef-api"
	testPassword = "Db-Pa55word-Xyz"
	testDSN      = "smi:" + testPassword + "@tcp(db.internal:3306)/wordpress"
)

// baseEnv is the least a Load needs: a database and an API secret.
func baseEnv(extra ...string) []string {
	return append([]string{"SMI_DATABASE_DSN=" + testDSN, "SMI_API_SECRET=" + testSecret}, extra...)
}

// writeFile writes content to a file in a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, path string, environ []string) *Config {
	t.Helper()
	c, err := Load(path, environ)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "", baseEnv())
	checks := []struct {
		key       string
		got, want any
	}{
		{"database.table_prefix", c.Database.TablePrefix, "wp_"},
		{"database.max_open_conns", c.Database.MaxOpenConns, 20},
		{"database.max_idle_conns", c.Database.MaxIdleConns, 10},
		{"database.conn_max_lifetime", c.Database.ConnMaxLifetime, 3 * time.Minute},
		{"database.conn_max_idle_time", c.Database.ConnMaxIdleTime, time.Minute},
		{"api.listen", c.API.Listen, "127.0.0.1:8787"},
		{"api.max_body_bytes", c.API.MaxBodyBytes, int64(1 << 20)},
		{"api.shutdown_timeout", c.API.ShutdownTimeout, 15 * time.Second},
		{"log.level", c.Log.Level, slog.LevelInfo},
		{"log.format", c.Log.Format, "text"},
		{"site.url", c.Site.URL, ""},
		{"stripe.api_base", c.Stripe.APIBase, ""},
		{"stripe.currency", c.Stripe.Currency, "usd"},
		{"stripe.dashboard_url", c.Stripe.DashboardURL, "https://dashboard.stripe.com"},
		{"upscaler.provider", c.Upscaler.Provider, "upsampler"},
		{"upscaler.poll_interval", c.Upscaler.PollInterval, 30 * time.Second},
		{"upscaler.timeout", c.Upscaler.Timeout, 15 * time.Minute},
		{"upscaler.max_attempts", c.Upscaler.MaxAttempts, 5},
		{"upscaler.status_checks_per_minute", c.Upscaler.StatusChecksPerMinute, 200},
		{"upscaler.submissions_per_minute", c.Upscaler.SubmissionsPerMinute, 80},
		{"upsampler.base_url", c.Upsampler.BaseURL, "https://upsampler.com/api/v1"},
		{"worker.concurrency", c.Worker.Concurrency, 4},
		{"worker.lease", c.Worker.Lease, 2 * time.Minute},
		{"worker.idle_poll", c.Worker.IdlePoll, time.Second},
		{"storage.dir", c.Storage.Dir, "/var/lib/smid/files"},
		{"storage.max_file_bytes", c.Storage.MaxFileBytes, int64(200 << 20)},
		{"storage.legacy_dir", c.Storage.LegacyDir, ""},
		{"downloads.expiry", c.Downloads.Expiry, 24 * time.Hour},
		{"downloads.file_retention", c.Downloads.FileRetention, 168 * time.Hour},
		{"downloads.revoke_on_full_refund", c.Downloads.RevokeOnFullRefund, true},
		{"checkout.abandon_after", c.Checkout.AbandonAfter, 24 * time.Hour},
		{"checkout.image_hosts", c.Checkout.ImageHosts, []string{}},
		{"network.allow_private_hosts", c.Network.AllowPrivateHosts, false},
		{"pricing.cost_per_credit", c.Pricing.CostPerCreditMicros, int64(40000)},
		{"pricing.credits_per_megapixel", c.Pricing.MicroCreditsPerMegapixel, int64(250000)},
		{"pricing.markup_percent", c.Pricing.MarkupPercent, int64(200)},
		{"pricing.minimum", c.Pricing.MinimumCents, int64(50)},
		{"mail.smtp_host", c.Mail.SMTPHost, "127.0.0.1"},
		{"mail.smtp_port", c.Mail.SMTPPort, 1025},
		{"mail.tls", c.Mail.TLS, "none"},
		{"mail.from", c.Mail.From, ""},
		{"notify.stuck", c.Notify.Stuck, true},
		{"site.options_refresh", c.Site.OptionsRefresh, 5 * time.Minute},
		{"mail.reply_to", c.Mail.ReplyTo, ""},
		{"mail.subject", c.Mail.Subject, "Your hi-res image is ready"},
		{"cron.poll", c.Cron.Poll, "@every 30s"},
		{"cron.expire_tokens", c.Cron.ExpireTokens, "@every 5m"},
		{"cron.abandon", c.Cron.Abandon, "@every 10m"},
		{"cron.rescue", c.Cron.Rescue, "@every 1m"},
		{"cron.retry_refunds", c.Cron.RetryRefunds, "@every 2m"},
		{"cron.reconcile", c.Cron.Reconcile, "@every 15m"},
		{"cron.retention", c.Cron.Retention, "@daily"},
		{"retention.abandoned_after", c.Retention.AbandonedAfter, time.Duration(0)},
		{"retention.failed_after", c.Retention.FailedAfter, time.Duration(0)},
		{"batch.concurrency", c.Batch.Concurrency, 4},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s = %#v, want %#v", ck.key, ck.got, ck.want)
		}
	}
	if c.API.Secret.Reveal() != testSecret {
		t.Errorf("api.secret not taken from SMI_API_SECRET")
	}
}

func TestEnvOverrides(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "smid.yaml", `
api:
  listen: 127.0.0.1:9000
mail:
  smtp_host: mail.example.com
checkout:
  image_hosts: [file.example.com]
`)
	c := mustLoad(t, path, baseEnv(
		"SMI_API_LISTEN=unix:/run/smid/api.sock",                           // overrides the file
		"SMI_MAIL_SMTP_PORT=2525",                                          // absent from the file
		"SMI_CHECKOUT_IMAGE_HOSTS=cdn.example.com, IMG.example.com:8443 ,", // list, overrides the file
		"SMI_DATABASE_TABLE_PREFIX=shop_",
		"SMI_UPSCALER_TIMEOUT=20m",
		"SMI_DOWNLOADS_REVOKE_ON_FULL_REFUND=false",
		"SMI_PRICING_COST_PER_CREDIT=0.0125",
		"SMI_SITE_URL=", // empty counts as unset
		"OTHER_API_LISTEN=ignored",
		"SMI_NOT_A_KEY=ignored",
	))
	if c.API.Listen != "unix:/run/smid/api.sock" {
		t.Errorf("api.listen = %q", c.API.Listen)
	}
	if n, a := c.API.ListenAddr(); n != "unix" || a != "/run/smid/api.sock" {
		t.Errorf("ListenAddr = %s %s", n, a)
	}
	if c.Mail.SMTPHost != "mail.example.com" || c.Mail.SMTPPort != 2525 {
		t.Errorf("mail = %s:%d", c.Mail.SMTPHost, c.Mail.SMTPPort)
	}
	if want := []string{"cdn.example.com", "img.example.com:8443"}; !slices.Equal(c.Checkout.ImageHosts, want) {
		t.Errorf("checkout.image_hosts = %q, want %q", c.Checkout.ImageHosts, want)
	}
	if c.Database.TablePrefix != "shop_" || c.Upscaler.Timeout != 20*time.Minute || c.Downloads.RevokeOnFullRefund {
		t.Errorf("overrides not applied: %+v %v %v", c.Database.TablePrefix, c.Upscaler.Timeout, c.Downloads.RevokeOnFullRefund)
	}
	if c.Pricing.CostPerCreditMicros != 12500 {
		t.Errorf("cost_per_credit = %d", c.Pricing.CostPerCreditMicros)
	}
}

func TestEnvNamesUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, f := range fields(&Config{}) {
		n := envName(f.key)
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s both map to %s", other, f.key, n)
		}
		seen[n] = f.key
	}
	if got := envName("database.table_prefix"); got != "SMI_DATABASE_TABLE_PREFIX" {
		t.Errorf("envName = %s", got)
	}
}

func TestFileValues(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "smid.yaml", `
log: {level: debug, format: json}
site: {url: "https://shop.example.com/"}
stripe: {currency: EUR, api_base: "http://localhost:12111"}
pricing:
  cost_per_credit: 0.000001
  credits_per_megapixel: 1
  minimum: 1.5
  markup_percent: 0
worker: {concurrency: 256, lease: 90s}
retention: {abandoned_after: 720h, failed_after: 0}
checkout:
  image_hosts: ["[::1]:8080", "192.0.2.1"]
cron: {poll: "*/5 * * * *"}
`)
	c := mustLoad(t, path, baseEnv())
	if c.Log.Level != slog.LevelDebug || c.Log.Format != LogJSON {
		t.Errorf("log = %v %s", c.Log.Level, c.Log.Format)
	}
	if c.Site.URL != "https://shop.example.com" {
		t.Errorf("site.url = %q, want the trailing slash dropped", c.Site.URL)
	}
	if c.Stripe.Currency != "eur" {
		t.Errorf("stripe.currency = %q", c.Stripe.Currency)
	}
	p := c.Pricing
	if p.CostPerCreditMicros != 1 || p.MicroCreditsPerMegapixel != 1_000_000 || p.MinimumCents != 150 || p.MarkupPercent != 0 {
		t.Errorf("pricing = %+v", p)
	}
	if c.Worker.Lease != 90*time.Second || c.Retention.AbandonedAfter != 720*time.Hour {
		t.Errorf("durations = %v %v", c.Worker.Lease, c.Retention.AbandonedAfter)
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, baseEnv())
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want a not-exist error naming %s", err, path)
	}
}

func TestBadYAML(t *testing.T) {
	t.Parallel()
	_, err := Load(writeFile(t, "smid.yaml", "api:\n  listen: [unclosed\n"), baseEnv())
	if err == nil || !strings.HasPrefix(err.Error(), "config: ") {
		t.Fatalf("got %v", err)
	}
}

func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct{ yaml, want string }{
		{"databse:\n  dsn: x\n", `config: unknown key "databse.dsn" (did you mean "database.dsn"?)`},
		{"api:\n  secrets: x\n", `config: unknown key "api.secrets" (did you mean "api.secret"?)`},
		{"frobnicate: true\n", `config: unknown key "frobnicate"`},
		{"dsn: x\n", `config: unknown key "dsn" (did you mean "database.dsn"?)`},
		{"mail:\n  smtp_port:\n    value: 25\n", `config: unknown key "mail.smtp_port.value"`},
		{"api: 5\n", `config: api: must be a mapping of keys`},
	}
	for _, tt := range tests {
		_, err := Load(writeFile(t, "smid.yaml", tt.yaml), baseEnv())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %s", tt.yaml, err, tt.want)
		}
	}
	// An empty section is not an unknown key.
	mustLoad(t, writeFile(t, "smid.yaml", "database:\nmail: {}\n"), baseEnv())
}

// TestRenamedKeys: a file written for an older smid keeps working; the old
// name is read as the new one (which wins when both are there) and serve
// is told to warn.
func TestRenamedKeys(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, writeFile(t, "smid.yaml", "cron:\n  retry_deliveries: \"@every 7m\"\n"), baseEnv())
	if c.Cron.RetryRefunds != "@every 7m" || len(c.Renamed) != 1 || c.Renamed[0] != "cron.retry_deliveries is now cron.retry_refunds" {
		t.Errorf("old key: retry_refunds %q, renamed %q", c.Cron.RetryRefunds, c.Renamed)
	}
	c = mustLoad(t, writeFile(t, "smid.yaml", "cron:\n  retry_deliveries: \"@every 7m\"\n  retry_refunds: \"@every 3m\"\n"), baseEnv())
	if c.Cron.RetryRefunds != "@every 3m" || len(c.Renamed) != 1 {
		t.Errorf("both keys: retry_refunds %q (want the new key's), renamed %q", c.Cron.RetryRefunds, c.Renamed)
	}
	c = mustLoad(t, "", baseEnv("SMI_CRON_RETRY_DELIVERIES=@every 9m"))
	if c.Cron.RetryRefunds != "@every 9m" || len(c.Renamed) != 1 {
		t.Errorf("old environment name: retry_refunds %q, renamed %q", c.Cron.RetryRefunds, c.Renamed)
	}
	if c = mustLoad(t, "", baseEnv()); len(c.Renamed) != 0 {
		t.Errorf("nothing renamed, yet %q", c.Renamed)
	}
}
