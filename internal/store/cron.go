package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// WithLock runs fn while holding the MySQL named lock name on a connection
// of its own. ran is false when another session holds it: the caller skips
// this turn. The lock dies with the connection, so a crashed holder never
// blocks the others for long.
//
// Named locks are server-wide, and a shared MySQL server hosts many
// WordPress sites with the same wp_ prefix: the lock is named for this
// database and prefix (hashed, to stay within MySQL's 64 characters).
func (s *DB) WithLock(ctx context.Context, name string, fn func(ctx context.Context) error) (ran bool, err error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	const lockName = `SHA1(CONCAT_WS('/', DATABASE(), ?))`
	var got sql.NullInt64
	if err := conn.GetContext(ctx, &got, `SELECT GET_LOCK(`+lockName+`, 0)`, s.prefix+name); err != nil {
		return false, err
	}
	if !got.Valid || got.Int64 != 1 {
		return false, nil
	}
	// RELEASE_LOCK fails only when the connection does, and a session
	// that ends frees its locks.
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK(`+lockName+`)`, s.prefix+name)
	}()
	return true, fn(ctx)
}

// ClaimCronTick claims one tick of a periodic task for owner: of every
// replica whose schedule fired for that tick, exactly one gets true. Ticks
// older than a day are cleared as claims are made.
func (s *DB) ClaimCronTick(ctx context.Context, task string, tick time.Time, owner string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT IGNORE INTO {cron_ticks} (task, tick, owner, claimed_at) VALUES (?, ?, ?, ?)`),
		task, tick.UTC(), owner, s.Now())
	if err != nil {
		return false, fmt.Errorf("claim cron tick: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM {cron_ticks} WHERE task = ? AND tick < ? LIMIT 100`), task, tick.UTC().Add(-24*time.Hour)); err != nil {
			return true, fmt.Errorf("clear old cron ticks: %w", err)
		}
	}
	return n == 1, nil
}
