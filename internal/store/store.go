// Package store is the only package that talks to MySQL/MariaDB. Every query
// of the product lives here, as plain SQL next to the method that runs it.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// Config says how to reach the database and how to size the pool.
type Config struct {
	DSN             string
	TablePrefix     string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration
	// Now is the clock; tests inject their own.
	Now func() time.Time
}

// DB is the store: a pool plus the validated table names.
type DB struct {
	db     *sqlx.DB
	prefix string
	now    func() time.Time

	jobs, events, counts, migrations string
	refunds, stripeEvents, idem      string
	batches, batchItems              string
	meta, cronTicks                  string

	instMu sync.Mutex
	inst   *Installation
	// q's replacer, built once.
	names *strings.Replacer

	// countLimit is ExactCountLimit; tests lower it.
	countLimit int
	refine     refiner
	// group collects concurrent fenced writes into one transaction.
	group groupCommit
}

var prefixRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)

// Open connects, checks the connection and validates the table prefix: the
// prefix is the only identifier ever interpolated into SQL.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	cfg.TablePrefix = cmp.Or(cfg.TablePrefix, "wp_")
	if !prefixRE.MatchString(cfg.TablePrefix) {
		return nil, fmt.Errorf("store: table prefix %q must match [A-Za-z0-9_]{1,32}", cfg.TablePrefix)
	}
	dbx, err := sqlx.Open("mysql", cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	dbx.SetMaxOpenConns(cmp.Or(cfg.MaxOpenConns, 20))
	dbx.SetMaxIdleConns(cmp.Or(cfg.MaxIdleConns, 10))
	dbx.SetConnMaxLifetime(cmp.Or(cfg.ConnMaxLifetime, 3*time.Minute))
	dbx.SetConnMaxIdleTime(cmp.Or(cfg.ConnMaxIdleTime, time.Minute))
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := dbx.PingContext(pctx); err != nil {
		_ = dbx.Close() // nothing was opened through it
		return nil, fmt.Errorf("store: cannot reach the database: %s", describe(err))
	}
	p := cfg.TablePrefix
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &DB{
		db: dbx, prefix: p, now: now, countLimit: ExactCountLimit,
		jobs: p + "smi_jobs", events: p + "smi_job_events", counts: p + "smi_job_counts",
		migrations: p + "smi_schema_migrations", refunds: p + "smi_refunds",
		stripeEvents: p + "smi_stripe_events", idem: p + "smi_idempotency",
		batches: p + "smi_batches", batchItems: p + "smi_batch_items",
		meta: p + "smi_meta", cronTicks: p + "smi_cron_ticks",
	}
	s.names = strings.NewReplacer(
		"{jobs}", s.jobs, "{events}", s.events, "{counts}", s.counts,
		"{migrations}", s.migrations, "{refunds}", s.refunds,
		"{stripe_events}", s.stripeEvents, "{idem}", s.idem,
		"{batches}", s.batches, "{batch_items}", s.batchItems,
		"{meta}", s.meta, "{cron_ticks}", s.cronTicks,
	)
	return s, nil
}

// describe turns a driver error into one line without the DSN or password.
func describe(err error) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return fmt.Sprintf("MySQL error %d: %s", me.Number, me.Message)
	}
	return err.Error()
}

// Close closes the pool.
func (s *DB) Close() error {
	s.refine.stop()
	return s.db.Close()
}

// Ping checks the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// DBStats exposes the pool statistics (for metrics).
func (s *DB) DBStats() sql.DBStats { return s.db.Stats() }

// Now is the store's clock, truncated to the microsecond MySQL keeps.
func (s *DB) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// q replaces {jobs}, {events}... with the prefixed table names.
func (s *DB) q(query string) string {
	return s.names.Replace(query)
}

// inTx runs fn in a transaction, retrying a few times when InnoDB picks it
// as a deadlock victim or a lock wait times out (both are safe to retry:
// nothing was committed).
func (s *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*sqlx.Tx); ok {
		return nested(ctx, tx, fn)
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.tryTx(ctx, fn)
		if !isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

func (s *DB) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // fn's error says why; a failed rollback ends with the connection
		return err
	}
	return tx.Commit()
}

// txKey carries a transaction that a caller opened around several store
// calls (Stripe event bookkeeping): calls made with that context join it.
type txKey struct{}

// nested runs fn inside the caller's transaction under a savepoint, so a
// refused change inside undoes only its own writes.
func nested(ctx context.Context, tx *sqlx.Tx, fn func(tx *sqlx.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT smi_nested"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT smi_nested"); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT smi_nested")
	return err
}

func isRetryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

func isMySQLErr(err error, numbers ...uint16) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, n := range numbers {
		if me.Number == n {
			return true
		}
	}
	return false
}
