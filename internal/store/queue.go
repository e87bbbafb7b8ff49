package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// Claim takes the next pending job that is due, marks it processing under
// a lease for owner, and records the event, in one transaction. It
// returns nil when there is nothing to do. See ClaimBatch.
func (s *DB) Claim(ctx context.Context, owner string, lease time.Duration, ev EventInput) (*job.Job, error) {
	jobs, err := s.ClaimBatch(ctx, owner, lease, 1, ev)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	return jobs[0], nil
}

// ClaimBatch takes up to n pending jobs that are due, oldest due first,
// marks them processing under a lease for owner, and records their
// events, in one transaction of one locking read, one UPDATE, one INSERT
// of events and one of counters. SKIP LOCKED lets any number of workers
// and replicas claim at once without waiting on each other or taking the
// same job. Each claimed job's fence moves on by one. A job with no
// due_at (adopted from the PHP plugin, or seeded) is never claimed by
// itself: an admin retry schedules it.
func (s *DB) ClaimBatch(ctx context.Context, owner string, lease time.Duration, n int, ev EventInput) ([]*job.Job, error) {
	if err := checkMove(job.StatusPending, job.StatusProcessing, false); err != nil {
		return nil, err
	}
	// Ask first, with one indexed read and no transaction, whether
	// anything is due: a miss costs one statement.
	if due, err := s.AnyDue(ctx); err != nil || !due {
		return nil, err
	}
	var claimed []*job.Job
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		claimed = nil
		now := s.Now()
		var rows []jobRow
		if err := tx.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
			WHERE status = 'pending' AND due_at <= ?
			ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED`), now, max(n, 1)); err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		jobs, err := toJobs(rows)
		if err != nil {
			return err
		}
		until := now.Add(lease)
		ids := make([]any, 0, len(jobs))
		for _, j := range jobs {
			ids = append(ids, j.ID)
		}
		args := append([]any{now, owner, until, now, now}, ids...)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE {jobs} SET updated_at = ?, fence = fence + 1, status = 'processing',
			lease_owner = ?, lease_expires_at = ?, submitted_at = ?, processing_started_at = ?, attempts = attempts + 1,
			upsampler_job_id = NULL, due_at = NULL, upscaled_url = NULL
			WHERE status = 'pending' AND id IN (`+placeholders(len(ids))+`)`), args...)
		if err != nil {
			return fmt.Errorf("claim: %w", err)
		}
		if got, _ := res.RowsAffected(); got != int64(len(jobs)) {
			return fmt.Errorf("claim: %d of %d locked jobs updated", got, len(jobs))
		}
		from, to := job.StatusPending, job.StatusProcessing
		events := make([]eventRow, 0, len(jobs))
		deltas := map[int][]countDelta{}
		for _, j := range jobs {
			events = append(events, eventRow{jobID: j.JobID, at: now, ev: ev, from: &from, to: &to})
			slot := slotFor(j.JobID)
			deltas[slot] = append(deltas[slot], deltasFor(from, j.PaymentStatus, j.CreatedAt, -1)...)
			deltas[slot] = append(deltas[slot], deltasFor(to, j.PaymentStatus, j.CreatedAt, 1)...)
		}
		if err := s.insertEvents(ctx, tx, events); err != nil {
			return err
		}
		if err := s.bumpSlots(ctx, tx, deltas); err != nil {
			return err
		}
		for _, j := range jobs {
			o, u, t := owner, until, now
			j.Status, j.Attempts, j.Fence = job.StatusProcessing, j.Attempts+1, j.Fence+1
			j.LeaseOwner, j.LeaseExpiresAt, j.SubmittedAt, j.ProcessingStartedAt = &o, &u, &t, &t
			j.UpsamplerJobID, j.DueAt, j.UpscaledURL, j.UpdatedAt = nil, nil, nil, now
		}
		claimed = jobs
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
