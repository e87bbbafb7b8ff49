package wpscreen

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// muPlugins are the probe and the original plugin's page, copied into the
// site's wp-content/mu-plugins.
//
//go:embed php/*.php
var muPlugins embed.FS

// inert keeps smid serve from changing the measured rows (the same
// settings as internal/devtools/bench's server): its periodic tasks never come
// due during a run, and any outside party is a closed local port.
var inert = []string{
	"SMI_CRON_POLL=@every 8760h", "SMI_CRON_EXPIRE_TOKENS=@every 8760h", "SMI_CRON_ABANDON=@every 8760h",
	"SMI_CRON_RESCUE=@every 8760h", "SMI_CRON_RETRY_DELIVERIES=@every 8760h", "SMI_CRON_RECONCILE=@every 8760h",
	"SMI_CRON_RETENTION=@every 8760h", "SMI_UPSAMPLER_BASE_URL=http://127.0.0.1:9", "SMI_MAIL_SMTP_PORT=9",
}

// stack is the WordPress site (in the bench database, prefix wp_) with the
// plugin active, smid serve on the same database, and PHP's built-in
// server in front of the site.
type stack struct {
	dir, siteDir, logDir string
	siteURL, daemonURL   string
	secret, password     string
	procs                []*process
}

// startStack builds the site with scripts/wp/site.sh and starts smid and
// PHP; on error whatever was started is stopped.
func (r *runner) startStack(ctx context.Context) (s *stack, err error) {
	dir, err := os.MkdirTemp("", "smi-wpscreen-")
	if err != nil {
		return nil, err
	}
	s = &stack{dir: dir, siteDir: filepath.Join(dir, "wp"), logDir: filepath.Join(dir, "logs"), secret: randomHex(32), password: randomHex(12)}
	defer func() {
		if err != nil {
			s.stop(r.cfg.Keep)
			s = nil
		}
	}()
	if err := os.MkdirAll(s.logDir, 0o755); err != nil {
		return s, err
	}
	sitePort, err := freePort()
	if err != nil {
		return s, err
	}
	daemonPort, err := freePort()
	if err != nil {
		return s, err
	}
	s.siteURL = "http://127.0.0.1:" + strconv.Itoa(sitePort)
	s.daemonURL = "http://127.0.0.1:" + strconv.Itoa(daemonPort)

	r.logf("building the WordPress site in %s (database %s, prefix wp_)", s.siteDir, r.cfg.DB)
	if _, err := runCommand(ctx, r.env(), "bash", filepath.Join(r.cfg.Root, "scripts/wp/site.sh"),
		s.siteDir, r.cfg.Socket, r.cfg.DB, strconv.Itoa(sitePort), s.daemonURL, s.secret, s.password); err != nil {
		return s, err
	}
	// site.sh installs only once: an older install keeps its admin's
	// password, so set it; and 20 jobs a page, the old plugin's size here.
	if _, err := runCommand(ctx, r.env(), "php", "-r", `$_SERVER['HTTP_HOST'] = $_SERVER['SERVER_NAME'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/';`+
		` require $argv[1] . '/wp-load.php'; $u = get_user_by('login', 'admin'); wp_set_password($argv[2], $u->ID);`+
		` update_user_meta($u->ID, 'smi_jobs_per_page', (int) $argv[3]);`, "--", s.siteDir, s.password, strconv.Itoa(PerPage)); err != nil {
		return s, err
	}
	if err := s.installMuPlugins(); err != nil {
		return s, err
	}

	smid, err := startProcess("smid", filepath.Join(s.logDir, "smid.log"), r.env(append([]string{
		"SMI_DATABASE_DSN=" + r.dsn(), "SMI_API_SECRET=" + s.secret, "SMI_API_LISTEN=127.0.0.1:" + strconv.Itoa(daemonPort),
	}, inert...)...), r.cfg.Smid, "serve")
	if err != nil {
		return s, err
	}
	s.procs = append(s.procs, smid)
	if err := waitHTTP(ctx, smid, s.daemonURL+"/healthz", 30*time.Second); err != nil {
		return s, err
	}
	r.logf("smid serving on %s", s.daemonURL)

	php, err := startProcess("php", filepath.Join(s.logDir, "php.log"), r.env(), "bash", filepath.Join(r.cfg.Root, "scripts/wp/serve.sh"), s.siteDir, strconv.Itoa(sitePort))
	if err != nil {
		return s, err
	}
	s.procs = append(s.procs, php)
	if err := waitHTTP(ctx, php, s.siteURL+"/wp-login.php", 30*time.Second); err != nil {
		return s, err
	}
	r.logf("WordPress on %s (PHP's built-in server, %s workers)", s.siteURL, r.workers())
	return s, nil
}

func (s *stack) installMuPlugins() error {
	dst := filepath.Join(s.siteDir, "wp-content", "mu-plugins")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := muPlugins.ReadDir("php")
	if err != nil {
		return err
	}
	for _, e := range entries {
		body, err := muPlugins.ReadFile("php/" + e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stop stops PHP, then smid, and removes the folder unless keep.
func (s *stack) stop(keep bool) {
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.procs[i].stop(15 * time.Second)
	}
	s.procs = nil
	if !keep {
		os.RemoveAll(s.dir)
	}
}

// exited names a part that stopped on its own, with its log; "" when all run.
func (s *stack) exited() string {
	for _, p := range s.procs {
		if p.exited() {
			return fmt.Sprintf("%s exited (%v): %s", p.name, p.err, p.tail())
		}
	}
	return ""
}

// debugLog is the end of the site's PHP error log, for a failed check.
func (s *stack) debugLog() string {
	b, _ := os.ReadFile(filepath.Join(s.siteDir, "wp-content", "debug.log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return strings.TrimSpace(string(b))
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
