package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// Claim takes the next pending job that is due, marks it processing under
// a lease for owner, and records the event, in one transaction. SKIP
// LOCKED lets any number of workers and replicas claim at once without
// waiting on each other or taking the same job. It returns nil when there
// is nothing to do. A job with no due_at (adopted from the PHP plugin, or
// seeded) is never claimed by itself: an admin retry schedules it.
func (s *DB) Claim(ctx context.Context, owner string, lease time.Duration, ev EventInput) (*job.Job, error) {
	// Ask first, with one indexed read and no transaction, whether
	// anything is due: a miss costs one statement.
	if due, err := s.AnyDue(ctx); err != nil || !due {
		return nil, err
	}
	var claimed *job.Job
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.Now()
		var r jobRow
		err := tx.GetContext(ctx, &r, s.q(`SELECT `+jobColumns+` FROM {jobs}
			WHERE status = 'pending' AND due_at <= ?
			ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`), now)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		cur, err := r.toJob()
		if err != nil {
			return err
		}
		until := now.Add(lease)
		ch := Change{JobID: cur.JobID, To: job.StatusProcessing, Event: ev, Claim: true, Set: Set{
			"lease_owner": owner, "lease_expires_at": until, "submitted_at": now,
			"processing_started_at": now, "attempts": cur.Attempts + 1, "upsampler_job_id": nil,
			"due_at": nil, "upscaled_url": nil,
		}}
		if err := s.applyLocked(ctx, tx, cur, ch, sortedKeys(ch.Set)); err != nil {
			return err
		}
		cur.Status, cur.Attempts = job.StatusProcessing, cur.Attempts+1
		cur.LeaseOwner, cur.LeaseExpiresAt, cur.SubmittedAt, cur.ProcessingStartedAt = &owner, &until, &now, &now
		cur.UpsamplerJobID, cur.DueAt = nil, nil
		claimed = cur
		return nil
	})
	return claimed, err
}

// AnyDue reports whether a pending job is due, with one indexed read.
func (s *DB) AnyDue(ctx context.Context) (bool, error) {
	var one int
	err := s.db.GetContext(ctx, &one, s.q(`SELECT 1 FROM {jobs} WHERE status = 'pending' AND due_at <= ? LIMIT 1`), s.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("probe: %w", err)
	}
	return true, nil
}

// Due lists up to limit jobs in status whose due_at has come, oldest due
// first. It locks nothing: whatever a caller then does goes through Apply,
// whose conditions make a race with another worker a harmless conflict.
func (s *DB) Due(ctx context.Context, status job.Status, now time.Time, limit int) ([]*job.Job, error) {
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = ? AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?`), string(status), now.UTC(), limit); err != nil {
		return nil, fmt.Errorf("due %s: %w", status, err)
	}
	return toJobs(rows)
}

// LeaseExpired lists processing jobs whose worker lease ran out: the
// worker died between claiming and recording what it sent.
func (s *DB) LeaseExpired(ctx context.Context, now time.Time, limit int) ([]*job.Job, error) {
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = 'processing' AND lease_expires_at IS NOT NULL AND lease_expires_at < ?
		ORDER BY lease_expires_at LIMIT ?`), now.UTC(), limit); err != nil {
		return nil, fmt.Errorf("lease expired: %w", err)
	}
	return toJobs(rows)
}

// CreatedBefore lists up to limit jobs in status created before t.
func (s *DB) CreatedBefore(ctx context.Context, status job.Status, t time.Time, limit int) ([]*job.Job, error) {
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = ? AND created_at < ? ORDER BY created_at LIMIT ?`), string(status), t.UTC(), limit); err != nil {
		return nil, fmt.Errorf("created before: %w", err)
	}
	return toJobs(rows)
}

// CreatedBetween lists up to limit jobs in any of statuses created in [from, to).
func (s *DB) CreatedBetween(ctx context.Context, statuses []job.Status, from, to time.Time, limit int) ([]*job.Job, error) {
	args := []any{}
	for _, st := range statuses {
		args = append(args, string(st))
	}
	args = append(args, from.UTC(), to.UTC(), limit)
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status IN (`+placeholders(len(statuses))+`) AND created_at >= ? AND created_at < ? ORDER BY created_at LIMIT ?`), args...); err != nil {
		return nil, fmt.Errorf("created between: %w", err)
	}
	return toJobs(rows)
}

func toJobs(rows []jobRow) ([]*job.Job, error) {
	out := make([]*job.Job, 0, len(rows))
	for i := range rows {
		j, err := rows[i].toJob()
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func sortedKeys(set Set) []string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// GetByPaymentIntent finds the job paid by a Stripe PaymentIntent.
func (s *DB) GetByPaymentIntent(ctx context.Context, pi string) (*job.Job, error) {
	return s.getBy(ctx, s.db, "stripe_payment_intent_id", pi, false)
}
