package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// Batch is a background admin action over a filter.
type Batch struct {
	BatchID    string     `db:"batch_id" json:"batch_id"`
	Action     string     `db:"action" json:"action"`
	Params     string     `db:"params" json:"-"`
	Filter     string     `db:"filter" json:"-"`
	Actor      string     `db:"actor" json:"actor"`
	State      string     `db:"state" json:"state"` // running, done, cancelled
	Total      int64      `db:"total" json:"total"`
	Done       int64      `db:"done" json:"done"`
	Failed     int64      `db:"failed" json:"failed"`
	LastID     int64      `db:"last_id" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at" json:"updated_at"`
	FinishedAt *time.Time `db:"finished_at" json:"finished_at"`
}

const batchColumns = `batch_id, action, params, filter, actor, state, total, done, failed, last_id, created_at, updated_at, finished_at`

// BatchError is one job a batch could not handle.
type BatchError struct {
	JobID   string `db:"job_id" json:"job_id"`
	Message string `db:"error" json:"message"`
}

// CreateBatch records a new running batch.
func (s *DB) CreateBatch(ctx context.Context, b *Batch) error {
	now := s.Now()
	b.State, b.CreatedAt, b.UpdatedAt = "running", now, now
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO {batches} (`+batchColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, NULL)`),
		b.BatchID, b.Action, b.Params, b.Filter, b.Actor, b.State, b.Total, now, now)
	if err != nil {
		return fmt.Errorf("create batch: %w", err)
	}
	return nil
}

// GetBatch loads a batch.
func (s *DB) GetBatch(ctx context.Context, id string) (*Batch, error) {
	var b Batch
	if err := s.db.GetContext(ctx, &b, s.q(`SELECT `+batchColumns+` FROM {batches} WHERE batch_id = ?`), id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &job.Error{Code: job.ENotFound, Message: "no batch has this id"}
		}
		return nil, err
	}
	return &b, nil
}

// BatchErrors lists up to limit per-job errors of a batch.
func (s *DB) BatchErrors(ctx context.Context, id string, limit int) ([]BatchError, error) {
	var out []BatchError
	err := s.db.SelectContext(ctx, &out, s.q(`SELECT job_id, COALESCE(error, '') AS error FROM {batch_items}
		WHERE batch_id = ? AND result = 'error' ORDER BY updated_at LIMIT ?`), id, limit)
	return out, err
}

// RunningBatches lists batches that still have work.
func (s *DB) RunningBatches(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.q(`SELECT batch_id FROM {batches} WHERE state = 'running' ORDER BY created_at`))
	return ids, err
}

// NextBatchJobs returns the next jobs after lastID that the filter
// selects, in id order, so a batch pages through a filter without
// repeats even while its own actions change the jobs.
func (s *DB) NextBatchJobs(ctx context.Context, f Filter, lastID int64, limit int) ([]*job.Job, error) {
	where, args := f.where()
	if where == "" {
		where = " WHERE id > ?"
	} else {
		where += " AND id > ?"
	}
	args = append(args, lastID, limit)
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q("SELECT "+jobColumns+" FROM {jobs}"+where+" ORDER BY id LIMIT ?"), args...); err != nil {
		return nil, fmt.Errorf("batch page: %w", err)
	}
	return toJobs(rows)
}

// CountExact counts a filter's jobs without a cap (a batch's total).
func (s *DB) CountExact(ctx context.Context, f Filter) (int64, error) {
	if f.countable() {
		return s.countFromCounters(ctx, f)
	}
	where, args := f.where()
	var n int64
	err := s.db.GetContext(ctx, &n, s.q("SELECT COUNT(*) FROM {jobs}"+where), args...)
	return n, err
}

// ClaimBatchItem records that the batch is about to handle a job. fresh
// is false when a run before a restart already finished it; a claimed but
// unfinished item (the process died mid-action) is handed out again, and
// the actions are idempotent per batch and job.
func (s *DB) ClaimBatchItem(ctx context.Context, batchID, jobID string) (fresh bool, err error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT IGNORE INTO {batch_items} (batch_id, job_id, updated_at) VALUES (?, ?, ?)`), batchID, jobID, s.Now())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	var result sql.NullString
	if err := s.db.GetContext(ctx, &result, s.q(`SELECT result FROM {batch_items} WHERE batch_id = ? AND job_id = ?`), batchID, jobID); err != nil {
		return false, err
	}
	return !result.Valid, nil
}

// OpenBatchItems lists the jobs a batch claimed but never recorded a
// result for: a run stopped or died while handling them.
func (s *DB) OpenBatchItems(ctx context.Context, batchID string) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.q(`SELECT job_id FROM {batch_items} WHERE batch_id = ? AND result IS NULL ORDER BY job_id`), batchID)
	return ids, err
}

// FinishBatchItem records a job's result and moves the batch's counters, in
// one transaction. The position does not move here: jobs of a page finish
// in any order, and only AdvanceBatch, once the whole page is handled, may
// move past them.
func (s *DB) FinishBatchItem(ctx context.Context, batchID, jobID string, errMsg string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := s.Now()
	result, col := "ok", "done"
	if errMsg != "" {
		result, col = "error", "failed"
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE {batch_items} SET result = ?, error = ?, updated_at = ? WHERE batch_id = ? AND job_id = ? AND result IS NULL`),
		result, nullIfEmpty(errMsg), now, batchID, jobID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE {batches} SET `+col+` = `+col+` + 1, updated_at = ? WHERE batch_id = ?`), now, batchID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// AdvanceBatch moves a batch's position past a page it has handled.
func (s *DB) AdvanceBatch(ctx context.Context, batchID string, lastID int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE {batches} SET last_id = GREATEST(last_id, ?), updated_at = ? WHERE batch_id = ?`), lastID, s.Now(), batchID)
	return err
}

// EndBatch sets a batch's final state (done or cancelled) if it is running.
func (s *DB) EndBatch(ctx context.Context, batchID, state string) (bool, error) {
	now := s.Now()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE {batches} SET state = ?, finished_at = ?, updated_at = ? WHERE batch_id = ? AND state = 'running'`), state, now, now, batchID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
