// Package wpscreen times the real Jobs screen in wp-admin (WordPress, the
// plugin and smid serve on the list benchmark database) against the same
// screens drawn the original PHP-only plugin's way (status counts,
// COUNT(*) and SELECT * … LIMIT 20 OFFSET m through $wpdb on
// legacy_smi_jobs), over HTTP as a logged-in admin, side by side. It is
// the Jobs-screen part of `make bench`.
package wpscreen

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/sellmyimages/smid/internal/devtools/bench"
)

// PerPage is the page size on both sides: the admin's screen option for
// the plugin's screen, per_page for the original page.
const PerPage = 20

// Config says where to run and how long to measure.
type Config struct {
	// Root is the repository (scripts/, wpplugin/).
	Root string
	// Socket is the MariaDB server's socket; root needs no password there.
	Socket string
	// DB is the bench database (its name must contain "bench"); it is
	// seeded by internal/devtools/bench when it lacks Jobs jobs, and the site's
	// own tables are installed beside the jobs.
	DB   string
	Jobs int
	// Smid is the daemon binary.
	Smid string
	// Runs is how many timed runs a case's side gets; SlowRuns replaces it
	// for a side whose warm-up took longer than Slow.
	Runs, SlowRuns int
	Slow           time.Duration
	// Keep leaves the site's folder (and its logs) behind.
	Keep bool
	Out  io.Writer
}

var benchNameRE = regexp.MustCompile(`^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$`)

func (c *Config) fill() error {
	c.Root = cmp.Or(c.Root, ".")
	c.Socket = cmp.Or(c.Socket, "/tmp/smidb/mysqld.sock")
	c.DB = cmp.Or(c.DB, "smi_bench")
	c.Jobs = cmp.Or(c.Jobs, 1_000_000)
	c.Smid = cmp.Or(c.Smid, "bin/smid")
	c.Runs = cmp.Or(c.Runs, 21)
	c.SlowRuns = cmp.Or(c.SlowRuns, 11)
	c.Slow = cmp.Or(c.Slow, 500*time.Millisecond)
	if c.Out == nil {
		c.Out = io.Discard
	}
	if !benchNameRE.MatchString(c.DB) {
		return fmt.Errorf("wpscreen: --db %q must be letters, digits and _ and contain \"bench\"", c.DB)
	}
	var err error
	if c.Root, err = filepath.Abs(c.Root); err != nil {
		return err
	}
	if c.Smid, err = filepath.Abs(c.Smid); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(c.Root, "scripts/wp/site.sh")); err != nil {
		return fmt.Errorf("wpscreen: --root %s is not the repository: %w", c.Root, err)
	}
	if _, err := os.Stat(c.Smid); err != nil {
		return fmt.Errorf("wpscreen: smid binary: %w (go build -o bin/smid ./daemon)", err)
	}
	return nil
}

// runner holds one run's settings and its database connection.
type runner struct {
	cfg Config
	db  *sql.DB
}

func (r *runner) logf(format string, args ...any) { fmt.Fprintf(r.cfg.Out, format+"\n", args...) }

// dsn is the bench database as smid and this package reach it.
func (r *runner) dsn() string {
	c := mysql.NewConfig()
	c.User, c.Net, c.Addr, c.DBName = "root", "unix", r.cfg.Socket, r.cfg.DB
	return c.FormatDSN()
}

// env is our environment without SMI_ settings (a stray one would change
// smid's configuration), plus extra.
func (r *runner) env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMI_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// workers is how many PHP workers serve.sh starts.
func (r *runner) workers() string { return cmp.Or(os.Getenv("PHP_CLI_SERVER_WORKERS"), "4") }

// Run prepares the data, builds and starts the site, logs in and times
// every case; everything it started is stopped before it returns.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg}
	res := &Results{Date: time.Now().UTC(), Config: r.cfg}
	res.Machine.LoadAvg, res.Machine.PHPWorkers = bench.LoadAvg(), r.workers()
	if err := r.prepare(ctx); err != nil {
		return nil, err
	}
	defer r.db.Close()
	var err error
	if res.Params, err = r.params(ctx); err != nil {
		return nil, err
	}
	r.logf("parameters: status=%s email=%s job-id prefix=%s", res.Params.Status, res.Params.Email, res.Params.JobPrefix)
	s, err := r.startStack(ctx)
	if err != nil {
		return nil, err
	}
	defer s.stop(r.cfg.Keep)
	if r.cfg.Keep {
		r.logf("keeping %s", s.dir)
	}
	b := newBrowser(s.siteURL)
	if err := b.login(ctx, "admin", s.password); err != nil {
		return nil, err
	}
	d := newDaemonClient(s.daemonURL, s.secret)
	if err := checkFloor(ctx, b); err != nil {
		return nil, r.failed(s, err)
	}
	for _, c := range cases(res.Params) {
		cr, err := r.measure(ctx, c, b, d)
		if err != nil {
			return nil, r.failed(s, fmt.Errorf("%s: %w", c.Name, err))
		}
		res.Cases = append(res.Cases, cr)
		r.logf("  %-34s smid screen %9s  original %9s  empty screen %9s  (%d/%d runs)", c.Name,
			bench.MS(cr.Smid.Median()), bench.MS(cr.Legacy.Median()), bench.MS(cr.Floor.Median()), len(cr.Smid.Runs), len(cr.Legacy.Runs))
	}
	res.Machine.fill(ctx, r.db)
	res.Machine.LoadAvgEnd = bench.LoadAvg()
	return res, nil
}

// failed adds what the site and smid said to an error.
func (r *runner) failed(s *stack, err error) error {
	if x := s.exited(); x != "" {
		return fmt.Errorf("%w\n%s", err, x)
	}
	if dbg := s.debugLog(); dbg != "" {
		return fmt.Errorf("%w\nwp-content/debug.log:\n%s", err, dbg)
	}
	return err
}

// prepare runs smid migrate on the bench database, lets internal/devtools/bench
// make sure it holds the seeded jobs and their legacy copy, and connects.
func (r *runner) prepare(ctx context.Context) error {
	out, err := runCommand(ctx, r.env("SMI_DATABASE_DSN="+r.dsn(), "SMI_API_SECRET="+randomHex(32)), r.cfg.Smid, "migrate")
	if err != nil {
		if strings.Contains(err.Error(), "Unknown database") {
			out = "the database does not exist yet: internal/devtools/bench creates it"
		} else {
			return err
		}
	}
	r.logf("smid migrate: %s", lastLine(out))
	rootDSN := "root@unix(" + r.cfg.Socket + ")/"
	b, err := bench.Open(ctx, bench.Config{RootDSN: rootDSN, DB: r.cfg.DB, Jobs: r.cfg.Jobs, Smid: r.cfg.Smid, Out: r.cfg.Out})
	if err != nil {
		return err
	}
	b.Close()
	r.db, err = sql.Open("mysql", r.dsn())
	return err
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "nothing to apply"
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
