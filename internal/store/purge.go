package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// settled is the condition a job must meet to be purged: no refund of it
// waits for Stripe, and no money of it is held (never captured, or all
// refunded). A failed job whose refund Stripe refused, or a disputed one,
// stays until someone settles it.
const settled = `COALESCE(payment_status, '') NOT IN ('paid', 'partially_refunded', 'disputed')
	AND NOT EXISTS (SELECT 1 FROM {refunds} r WHERE r.job_id = {jobs}.job_id AND r.status IN ('pending', 'requires_action'))`

// PurgeCandidates lists up to limit settled jobs in status whose age
// column is before t: the retention sweep's work. col is created_at or
// failed_at.
func (s *DB) PurgeCandidates(ctx context.Context, status job.Status, col string, t time.Time, limit int) ([]*job.Job, error) {
	if col != "created_at" && col != "failed_at" {
		return nil, fmt.Errorf("purge: unsupported column %q", col)
	}
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs} WHERE status = ? AND `+col+` < ? AND `+settled+` ORDER BY id LIMIT ?`),
		string(status), t.UTC(), limit); err != nil {
		return nil, fmt.Errorf("purge candidates: %w", err)
	}
	return toJobs(rows)
}

// Purge deletes settled jobs (still in status) with their events and
// batch items, and takes them off the counters, in one transaction. The
// refund history stays: it is the money trail, kept for the books.
func (s *DB) Purge(ctx context.Context, status job.Status, jobs []*job.Job) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		ids := make([]any, 0, len(jobs))
		for _, j := range jobs {
			ids = append(ids, j.JobID)
		}
		in := "(" + placeholders(len(ids)) + ")"
		var rows []struct {
			JobID   string       `db:"job_id"`
			Payment string       `db:"payment_status"`
			Created sql.NullTime `db:"created_at"`
		}
		args := append([]any{string(status)}, ids...)
		if err := tx.SelectContext(ctx, &rows, s.q(`SELECT job_id, COALESCE(payment_status, '') AS payment_status, created_at FROM {jobs} WHERE status = ? AND job_id IN `+in+` AND `+settled+` FOR UPDATE`), args...); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		keep := make([]any, 0, len(rows))
		deltas := map[int][]countDelta{}
		for _, r := range rows {
			keep = append(keep, r.JobID)
			sl := slotFor(r.JobID)
			deltas[sl] = append(deltas[sl], deltasFor(status, job.PaymentStatus(r.Payment), r.Created.Time, -1)...)
		}
		in = "(" + placeholders(len(keep)) + ")"
		for _, table := range []string{"{events}", "{batch_items}", "{jobs}"} {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE job_id IN "+in), keep...); err != nil {
				return fmt.Errorf("purge %s: %w", strings.Trim(table, "{}"), err)
			}
		}
		for sl := range countSlots {
			if err := s.bumpCounts(ctx, tx, sl, deltas[sl]); err != nil {
				return err
			}
		}
		n = len(keep)
		return nil
	})
	return n, err
}
