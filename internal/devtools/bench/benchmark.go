// Package bench measures the daemon's Jobs page queries against the
// original PHP plugin's, side by side on the same million rows, and the CSV
// export against the mariadb client. It is what `make bench` runs.
package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/store"
)

// Config says where to run and how long to measure.
type Config struct {
	// RootDSN reaches the server with rights to create a database, e.g.
	// root@unix(/tmp/smidb/mysqld.sock)/.
	RootDSN string
	// DB is the scratch database; its name must contain "bench" because
	// the bench drops and re-seeds it when its row count is not Jobs.
	DB   string
	Jobs int
	// Runs is how many timed runs a case gets; SlowRuns replaces it for a
	// side whose warm-up run took longer than Slow.
	Runs, SlowRuns int
	Slow           time.Duration
	// ExportRuns is how many exports of each size are timed.
	ExportRuns int
	// Smid is the daemon binary, run as `smid serve` for the HTTP timings
	// and the export.
	Smid string
	// PerPage is the Jobs page size; the old plugin showed 20.
	PerPage int
	Out     io.Writer // progress and the table
	// Invocation is the command line of this run, for the record.
	Invocation string
	// Scale measures the daemon alone on data seeded beforehand (smid
	// seed): no old plugin's copy, and a row count that differs from Jobs
	// is an error rather than a re-seed.
	Scale bool
}

var benchNameRE = regexp.MustCompile(`^[A-Za-z0-9_]*bench[A-Za-z0-9_]*$`)

func (c *Config) fill() error {
	c.DB = cmp.Or(c.DB, "smi_bench")
	c.Jobs = cmp.Or(c.Jobs, 1_000_000)
	c.Runs = cmp.Or(c.Runs, 21)
	c.SlowRuns = cmp.Or(c.SlowRuns, 5)
	c.Slow = cmp.Or(c.Slow, 500*time.Millisecond)
	c.ExportRuns = cmp.Or(c.ExportRuns, 3)
	c.Smid = cmp.Or(c.Smid, "bin/smid")
	c.PerPage = cmp.Or(c.PerPage, 20)
	if c.Out == nil {
		c.Out = io.Discard
	}
	if !benchNameRE.MatchString(c.DB) {
		return fmt.Errorf("benchmark: --db %q must be letters, digits and _ and contain \"bench\" (it may be dropped and re-seeded)", c.DB)
	}
	if c.Jobs < 100*c.PerPage {
		return fmt.Errorf("benchmark: --jobs must be at least %d", 100*c.PerPage)
	}
	return nil
}

// Bench holds the connections of one benchmark run.
type Bench struct {
	cfg     Config
	dsn     string // the scratch database, with the daemon's session options
	mc      *mysql.Config
	store   *store.DB
	raw     *sqlx.DB // for the legacy queries and set-up
	Seeding *SeedReport
}

// SeedReport says how the data was made, and how fast.
type SeedReport struct {
	Rows    int
	Elapsed time.Duration
	At      time.Time
	ThisRun bool // seeded by this run rather than reused
}

// Rate is rows per second.
func (s SeedReport) Rate() float64 { return float64(s.Rows) / s.Elapsed.Seconds() }

// Open prepares the scratch database (seeding it and the legacy copy when
// needed) and connects the store to it.
func Open(ctx context.Context, cfg Config) (*Bench, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	mc, err := mysql.ParseDSN(cfg.RootDSN)
	if err != nil {
		return nil, fmt.Errorf("benchmark: --dsn: %w", err)
	}
	mc.DBName = ""
	forceOptions(mc)
	b := &Bench{cfg: cfg, mc: mc}
	if err := b.prepare(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Close closes every connection.
func (b *Bench) Close() {
	if b.store != nil {
		b.store.Close()
	}
	if b.raw != nil {
		b.raw.Close()
	}
}

// forceOptions gives the bench's connections the session the daemon's
// config forces: UTC times parsed into time.Time, utf8mb4.
func forceOptions(mc *mysql.Config) {
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.MultiStatements = false
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	mc.Params["time_zone"] = "'+00:00'"
	if err := mc.Apply(mysql.Charset("utf8mb4", "utf8mb4_unicode_ci")); err != nil {
		panic(err) // a constant charset and collation: cannot fail
	}
}

func (b *Bench) logf(format string, args ...any) { fmt.Fprintf(b.cfg.Out, format+"\n", args...) }
