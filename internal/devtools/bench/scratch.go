package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
)

// SeedAnchor is the date the seeded jobs end at: fixed, so every run seeds
// the same jobs, numbered in the order they are made (one connection
// loads the jobs), so the parameters picked by id are the same too.
var SeedAnchor = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// prepare makes sure the scratch database holds exactly cfg.Jobs seeded
// jobs and the legacy copy of them, then opens the store on it.
func (b *Bench) prepare(ctx context.Context) error {
	root, err := sqlx.Open("mysql", b.mc.FormatDSN())
	if err != nil {
		return err
	}
	defer root.Close()
	if _, err := root.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+b.cfg.DB+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("benchmark: create database: %w", err)
	}
	mc := b.mc.Clone()
	mc.DBName = b.cfg.DB
	b.dsn = mc.FormatDSN()
	if b.raw, err = sqlx.Open("mysql", b.dsn); err != nil {
		return err
	}
	n, err := b.rows(ctx, "wp_smi_jobs")
	if err != nil {
		return err
	}
	if n != b.cfg.Jobs && b.cfg.Scale {
		return fmt.Errorf("benchmark: %s.wp_smi_jobs has %d rows, not %d: seed it with smid seed first", b.cfg.DB, n, b.cfg.Jobs)
	}
	if n != b.cfg.Jobs {
		if n >= 0 {
			b.logf("%s.wp_smi_jobs has %d rows, not %d: dropping and re-seeding", b.cfg.DB, n, b.cfg.Jobs)
			b.raw.Close()
			if _, err := root.ExecContext(ctx, "DROP DATABASE "+b.cfg.DB); err != nil {
				return fmt.Errorf("benchmark: drop database: %w", err)
			}
			if _, err := root.ExecContext(ctx, "CREATE DATABASE "+b.cfg.DB+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
				return err
			}
			if b.raw, err = sqlx.Open("mysql", b.dsn); err != nil {
				return err
			}
		}
	}
	if b.store, err = store.Open(ctx, store.Config{DSN: b.dsn, TablePrefix: "wp_", MaxOpenConns: 4}); err != nil {
		return err
	}
	if _, err := b.store.Migrate(ctx); err != nil {
		return err
	}
	if n != b.cfg.Jobs {
		if err := b.seed(ctx); err != nil {
			return err
		}
	} else {
		b.logf("reusing %s.wp_smi_jobs: %d rows", b.cfg.DB, n)
		b.Seeding = b.lastSeed(ctx)
	}
	if b.cfg.Scale {
		return nil
	}
	return b.legacyCopy(ctx)
}

// rows counts a table's rows; -1 when it does not exist.
func (b *Bench) rows(ctx context.Context, table string) (int, error) {
	var n int
	err := b.raw.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+table)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1146 {
		return -1, nil
	}
	return n, err
}

// seed fills wp_smi_jobs the way `smid seed` does (store.BulkLoad).
func (b *Bench) seed(ctx context.Context) error {
	b.logf("seeding %d jobs into %s.wp_smi_jobs (smid seed's bulk load)…", b.cfg.Jobs, b.cfg.DB)
	start, last := time.Now(), time.Now()
	done, err := seed.Run(ctx, b.store, seed.New(1, b.cfg.Jobs, SeedAnchor), func(done int) {
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			b.logf("  %d jobs (%.0f rows/s)", done, float64(done)/time.Since(start).Seconds())
		}
	}, nil)
	if err != nil {
		return fmt.Errorf("benchmark: seed: %w", err)
	}
	b.Seeding = &SeedReport{Rows: done, Elapsed: time.Since(start), At: time.Now().UTC(), ThisRun: true}
	b.logf("seeded %d jobs in %s: %.0f rows/s", done, b.Seeding.Elapsed.Round(time.Second), b.Seeding.Rate())
	// Kept beside the data, so a later run that reuses it can still say
	// how fast it was made.
	for _, q := range []string{seedTable, "DELETE FROM bench_seed"} {
		if _, err := b.raw.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err = b.raw.ExecContext(ctx, "INSERT INTO bench_seed (seeded_at, rows_seeded, seconds) VALUES (?, ?, ?)",
		b.Seeding.At, done, b.Seeding.Elapsed.Seconds())
	return err
}

const seedTable = `CREATE TABLE IF NOT EXISTS bench_seed (seeded_at datetime NOT NULL, rows_seeded int NOT NULL, seconds double NOT NULL)`

// lastSeed reads how the reused data was seeded; nil when unknown.
func (b *Bench) lastSeed(ctx context.Context) *SeedReport {
	var r struct {
		At      time.Time `db:"seeded_at"`
		Rows    int       `db:"rows_seeded"`
		Seconds float64   `db:"seconds"`
	}
	if err := b.raw.GetContext(ctx, &r, "SELECT seeded_at, rows_seeded, seconds FROM bench_seed ORDER BY seeded_at DESC LIMIT 1"); err != nil {
		return nil
	}
	return &SeedReport{Rows: r.Rows, Elapsed: time.Duration(r.Seconds * float64(time.Second)), At: r.At}
}

// legacyCopy (re)builds legacy_smi_jobs from wp_smi_jobs unless it already
// holds as many rows.
func (b *Bench) legacyCopy(ctx context.Context) error {
	want, err := b.rows(ctx, "wp_smi_jobs")
	if err != nil {
		return err
	}
	have, err := b.rows(ctx, legacyTable)
	if err != nil {
		return err
	}
	if have == want {
		// Same count; the same statuses too, unless something moved rows
		// since the copy was made.
		ws, err := b.statusMix(ctx, "wp_smi_jobs")
		if err != nil {
			return err
		}
		hs, err := b.statusMix(ctx, legacyTable)
		if err != nil {
			return err
		}
		if ws == hs {
			b.logf("reusing %s: %d rows", legacyTable, have)
			return nil
		}
		b.logf("%s has other statuses than wp_smi_jobs (%s vs %s)", legacyTable, hs, ws)
	}
	b.logf("copying %d rows into %s (the old plugin's schema and indexes)…", want, legacyTable)
	start := time.Now()
	for _, q := range []string{"DROP TABLE IF EXISTS " + legacyTable, legacySchema,
		"INSERT INTO " + legacyTable + " (" + legacyColumns + ") SELECT " + legacyColumns + " FROM wp_smi_jobs ORDER BY id",
		"ANALYZE TABLE " + legacyTable} {
		if _, err := b.raw.ExecContext(ctx, q); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("benchmark: legacy copy: %w", err)
		}
	}
	b.logf("copied in %s", time.Since(start).Round(time.Second))
	return nil
}

// statusMix is a table's rows per status, as one comparable string.
func (b *Bench) statusMix(ctx context.Context, table string) (string, error) {
	var mix []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := b.raw.SelectContext(ctx, &mix, "SELECT COALESCE(status, '') AS status, COUNT(*) AS n FROM "+table+" GROUP BY status ORDER BY status"); err != nil {
		return "", err
	}
	return fmt.Sprint(mix), nil
}
