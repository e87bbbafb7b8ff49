package e2e

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/sellmyimages/smid/internal/devtools/proc"
)

// Config says where the stack lives and how it is reached. Zero ports mean
// "any free port"; a non-zero port is used when it is free, except SitePort,
// which must be free (the site's URL is written into wp-config.php).
type Config struct {
	// Root is the repository (scripts/, wpplugin/).
	Root string
	// Dir holds the configuration, the logs and, unless SiteDir and FilesDir
	// say otherwise, the site (Dir/wp) and the delivered files (Dir/files).
	Dir, SiteDir, FilesDir string
	// DBSocket is the socket of a running MariaDB where root needs no password.
	DBSocket string
	// DBName is the WordPress (and smid) database, created if missing.
	DBName string
	// SMID is the smid binary.
	SMID string

	SitePort, DaemonPort, StripePort, StripeHTTPSPort, SMTPPort, MailpitPort int

	// SeedJobs jobs are inserted when the jobs table is empty (0: none).
	SeedJobs int
	// SeedUntil is the day the seeded jobs' 18 months end; zero is today.
	SeedUntil time.Time
	// AdminPassword is the WordPress admin's password ("admin-password" if empty).
	AdminPassword string
	// Logf reports progress; nil is silent.
	Logf func(format string, args ...any)
	// BeforeMigrate, when set, runs once the site is built and before
	// `smid migrate`: a test lays out what an older install left behind.
	BeforeMigrate func(context.Context, *Stack) error
}

// Stack is a running WordPress with the plugin, smid, stripe-mock and
// Mailpit, all on loopback.
type Stack struct {
	cfg Config

	SiteDir, WPConfig, ConfigPath, LogDir, FilesDir string
	SiteURL, DaemonURL, StripeURL, MailpitURL       string
	SMTPPort                                        int
	// Secret is smid's api.secret, also the site's SMI_DAEMON_SECRET.
	Secret string
	// WebhookSecret signs Stripe events (stripe.webhook_secret).
	WebhookSecret string
	// AdminPassword logs in as "admin".
	AdminPassword string

	procs []*process // in start order
}

// Tools are the programs the stack runs besides smid; Missing lists those
// not installed.
var Tools = []string{"php", "mariadb", "mariadb-admin", "stripe-mock", "mailpit"}

// Missing returns what the stack (and the browser test, with extra) needs
// but this machine lacks, as one message, or "" when nothing is missing.
func Missing(extra ...string) string {
	var miss []string
	for _, t := range append(append([]string{}, Tools...), extra...) {
		if _, err := LookTool(t); err != nil {
			miss = append(miss, t)
		}
	}
	if _, err := os.Stat("/usr/share/wordpress/wp-settings.php"); err != nil && os.Getenv("SMI_WP_SOURCE") == "" {
		miss = append(miss, "WordPress (/usr/share/wordpress, Debian package wordpress)")
	}
	if len(miss) == 0 {
		return ""
	}
	return "missing: " + strings.Join(miss, ", ") + " — run `make test` (or `make deps`), which installs them"
}

// LookTool finds a program on PATH, in /usr/sbin or where `go install`
// puts it.
func LookTool(name string) (string, error) { return proc.LookTool(name) }

func (s *Stack) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Start builds and starts everything; on error whatever was started is
// stopped again.
func Start(ctx context.Context, cfg Config) (s *Stack, err error) {
	if m := Missing(); m != "" {
		return nil, errors.New(m)
	}
	if cfg.DBSocket == "" || cfg.DBName == "" || cfg.SMID == "" || cfg.Root == "" || cfg.Dir == "" {
		return nil, errors.New("e2e: Config needs Root, Dir, DBSocket, DBName and SMID")
	}
	if _, err := os.Stat(cfg.SMID); err != nil {
		return nil, fmt.Errorf("smid binary: %w (run `make build`)", err)
	}
	s = &Stack{cfg: cfg, AdminPassword: cfg.AdminPassword}
	if s.AdminPassword == "" {
		s.AdminPassword = "admin-password"
	}
	defer func() {
		if err != nil {
			s.Stop()
			s = nil
		}
	}()
	if s.cfg.Dir, err = filepath.Abs(cfg.Dir); err != nil {
		return nil, err
	}
	s.SiteDir = abs(cmp.Or(cfg.SiteDir, filepath.Join(s.cfg.Dir, "wp")))
	s.LogDir = filepath.Join(s.cfg.Dir, "logs")
	s.FilesDir = abs(cmp.Or(cfg.FilesDir, filepath.Join(s.cfg.Dir, "files")))
	s.WPConfig = filepath.Join(s.SiteDir, "wp-config.php")
	s.ConfigPath = filepath.Join(s.cfg.Dir, "smid.yaml")
	for _, d := range []string{s.SiteDir, s.LogDir, s.FilesDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	s.Secret = randomHex(32)
	s.WebhookSecret = "whsec_" + randomHex(24)

	if cfg.SitePort == 0 {
		if cfg.SitePort, err = freePort(); err != nil {
			return nil, err
		}
	} else if !portFree(cfg.SitePort) {
		return nil, fmt.Errorf("port %d is taken: the site needs it (choose another with SMI_DEMO_PORT)", cfg.SitePort)
	}
	s.cfg.SitePort = cfg.SitePort
	s.SiteURL = "http://127.0.0.1:" + strconv.Itoa(cfg.SitePort)

	if err := s.startStripeMock(ctx); err != nil {
		return nil, err
	}
	if err := s.startMailpit(ctx); err != nil {
		return nil, err
	}
	daemonPort, err := portOr(cfg.DaemonPort)
	if err != nil {
		return nil, err
	}
	s.DaemonURL = "http://127.0.0.1:" + strconv.Itoa(daemonPort)

	s.logf("building the WordPress site in %s (database %s)", s.SiteDir, cfg.DBName)
	if _, err := runCommand(ctx, s.env("SMI_WP_ADMIN_PASSWORD="+s.AdminPassword), "bash", filepath.Join(cfg.Root, "scripts/wp/site.sh"),
		s.SiteDir, cfg.DBSocket, cfg.DBName, strconv.Itoa(cfg.SitePort), s.DaemonURL, s.Secret, s.AdminPassword); err != nil {
		return nil, err
	}
	// site.sh installs only once; an older site keeps its admin's password,
	// so set it, and the login printed is always the one that works.
	if _, err := runCommand(ctx, s.env(), "php", "-r", `$_SERVER['HTTP_HOST'] = $_SERVER['SERVER_NAME'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/';`+
		` require $argv[1] . '/wp-load.php'; wp_set_password($argv[2], 1);`, "--", s.SiteDir, s.AdminPassword); err != nil {
		return nil, err
	}
	if err := s.writeConfig(daemonPort); err != nil {
		return nil, err
	}
	if cfg.BeforeMigrate != nil {
		if err := cfg.BeforeMigrate(ctx, s); err != nil {
			return nil, fmt.Errorf("before migrate: %w", err)
		}
	}
	if err := s.migrateAndSeed(ctx); err != nil {
		return nil, err
	}
	if err := s.startDaemon(ctx); err != nil {
		return nil, err
	}
	if err := s.startSite(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// env is the environment of the parts: ours without SMI_ settings (a
// stray SMI_DATABASE_DSN would override the configuration file), plus extra.
func (s *Stack) env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SMI_") || strings.HasPrefix(kv, "PATH=") {
			continue
		}
		out = append(out, kv)
	}
	path := os.Getenv("PATH") + ":/usr/sbin"
	if p, err := LookTool("stripe-mock"); err == nil {
		path += ":" + filepath.Dir(p)
	}
	return append(append(out, "PATH="+path), extra...)
}

func (s *Stack) start(name string, env []string, argv ...string) (*process, error) {
	p, err := startProcess(name, filepath.Join(s.LogDir, name+".log"), env, argv...)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, p)
	return p, nil
}

func (s *Stack) startStripeMock(ctx context.Context) error {
	bin, _ := LookTool("stripe-mock")
	var err error
	httpPort, err := portOr(s.cfg.StripePort)
	if err != nil {
		return err
	}
	httpsPort, err := portOr(s.cfg.StripeHTTPSPort)
	if err != nil {
		return err
	}
	p, err := s.start("stripe-mock", s.env(), bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(httpPort), "-https-addr", "127.0.0.1:"+strconv.Itoa(httpsPort))
	if err != nil {
		return err
	}
	s.StripeURL = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	s.logf("stripe-mock on %s", s.StripeURL)
	return waitHTTP(ctx, p, s.StripeURL+"/v1/balance", 20*time.Second)
}

func (s *Stack) startMailpit(ctx context.Context) error {
	bin, _ := LookTool("mailpit")
	var err error
	if s.SMTPPort, err = portOr(s.cfg.SMTPPort); err != nil {
		return err
	}
	httpPort, err := portOr(s.cfg.MailpitPort)
	if err != nil {
		return err
	}
	p, err := s.start("mailpit", s.env(), bin,
		"--smtp", "127.0.0.1:"+strconv.Itoa(s.SMTPPort), "--listen", "127.0.0.1:"+strconv.Itoa(httpPort),
		"--database", filepath.Join(s.cfg.Dir, "mailpit.db"),
		// No network here: no reverse DNS of clients, no update checks.
		"--smtp-disable-rdns", "--disable-version-check", "--quiet")
	if err != nil {
		return err
	}
	s.MailpitURL = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	s.logf("Mailpit on %s (SMTP 127.0.0.1:%d)", s.MailpitURL, s.SMTPPort)
	return waitHTTP(ctx, p, s.MailpitURL+"/readyz", 20*time.Second)
}

// writeConfig writes smid's YAML: the database comes from the site's
// wp-config.php, the rest points at the local parts.
func (s *Stack) writeConfig(daemonPort int) error {
	yaml := fmt.Sprintf(`# Written by the Sell My Images demo / e2e test; every key is in config.example.yaml.
database:
  wp_config: %q
api:
  listen: 127.0.0.1:%d
  secret: %q
log:
  level: info
site:
  url: %q
stripe:
  secret_key: sk_test_smidemo0123456789
  webhook_secret: %q
  api_base: %q
upscaler:
  provider: local
  max_attempts: 2
network:
  allow_private_hosts: true
mail:
  smtp_host: 127.0.0.1
  smtp_port: %d
  from: Sell My Images demo <shop@example.com>
storage:
  dir: %q
worker:
  idle_poll: 200ms
`, s.WPConfig, daemonPort, s.Secret, s.SiteURL, s.WebhookSecret, s.StripeURL, s.SMTPPort, s.FilesDir)
	return os.WriteFile(s.ConfigPath, []byte(yaml), 0o600)
}

func (s *Stack) migrateAndSeed(ctx context.Context) error {
	out, err := runCommand(ctx, s.env(), s.cfg.SMID, "migrate", "--config", s.ConfigPath)
	if err != nil {
		return err
	}
	if n := strings.Count(out, "applied "); n > 1 {
		s.logf("smid migrate: applied %d migrations, up to %s", n, strings.TrimPrefix(lastLine(out), "applied "))
	} else {
		s.logf("smid migrate: %s", lastLine(out))
	}
	if s.cfg.SeedJobs <= 0 {
		return nil
	}
	n, err := s.countJobs(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.logf("the jobs table holds %d jobs already: not seeding", n)
		return nil
	}
	until := s.cfg.SeedUntil
	if until.IsZero() {
		until = time.Now().UTC()
	}
	out, err = runCommand(ctx, s.env(), s.cfg.SMID, "seed", "--config", s.ConfigPath,
		"--jobs", strconv.Itoa(s.cfg.SeedJobs), "--until", until.Format("2006-01-02"))
	if err != nil {
		return err
	}
	s.logf("smid seed: %s", lastLine(out))
	return nil
}

// countJobs counts the rows of the site's jobs table.
func (s *Stack) countJobs(ctx context.Context) (int, error) {
	db, err := s.openDB()
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM wp_smi_jobs").Scan(&n)
	return n, err
}

// OpenDB opens the site's database as root (tests inspect and prepare rows).
func (s *Stack) OpenDB() (*sql.DB, error) { return s.openDB() }

func (s *Stack) openDB() (*sql.DB, error) {
	c := mysql.NewConfig()
	c.User, c.Net, c.Addr, c.DBName = "root", "unix", s.cfg.DBSocket, s.cfg.DBName
	return sql.Open("mysql", c.FormatDSN())
}

// DropDatabase drops a database of the server at socket (test clean-up).
func DropDatabase(socket, name string) error {
	c := mysql.NewConfig()
	c.User, c.Net, c.Addr = "root", "unix", socket
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec("DROP DATABASE IF EXISTS `" + strings.ReplaceAll(name, "`", "") + "`")
	return err
}

func (s *Stack) startDaemon(ctx context.Context) error {
	p, err := s.start("smid", s.env(), s.cfg.SMID, "serve", "--config", s.ConfigPath)
	if err != nil {
		return err
	}
	s.logf("smid serving on %s", s.DaemonURL)
	return waitHTTP(ctx, p, s.DaemonURL+"/healthz", 30*time.Second)
}

func (s *Stack) startSite(ctx context.Context) error {
	p, err := s.start("wordpress", s.env(), "bash", filepath.Join(s.cfg.Root, "scripts/wp/serve.sh"), s.SiteDir, strconv.Itoa(s.cfg.SitePort))
	if err != nil {
		return err
	}
	s.logf("WordPress on %s", s.SiteURL)
	return waitHTTP(ctx, p, s.SiteURL+"/wp-login.php", 30*time.Second)
}

// Stop stops every part, the last started first (smid before its site,
// so in-flight work is finished while the site still serves images).
func (s *Stack) Stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.procs[i].Stop(15 * time.Second)
	}
	s.procs = nil
}

// Exited names a part that stopped on its own, with the end of its log;
// "" when all run.
func (s *Stack) Exited() string {
	for _, p := range s.procs {
		if p.Exited() {
			return fmt.Sprintf("%s exited (%v); its log:\n%s", p.Name, p.Err(), p.Tail(2000))
		}
	}
	return ""
}

// Logs returns the end of every part's log, for a failed test.
func (s *Stack) Logs() string {
	var b strings.Builder
	for _, p := range s.procs {
		fmt.Fprintf(&b, "--- %s (%s)\n%s\n", p.Name, p.LogPath, p.Tail(2000))
	}
	if dbg := proc.TailFile(filepath.Join(s.SiteDir, "wp-content/debug.log"), 2000); dbg != "" {
		fmt.Fprintf(&b, "--- wp-content/debug.log\n%s\n", dbg)
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
