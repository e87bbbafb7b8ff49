package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// QueueStats are the figures an operator alerts on, read at each metrics
// scrape: the due queue and its oldest wait, expired leases, and refunds
// Stripe has not settled.
type QueueStats struct {
	Due             int64         // pending jobs whose due_at has come
	OldestDueAge    time.Duration // how long the oldest of them has waited past due_at
	LeaseExpired    int64         // processing jobs whose worker lease ran out
	RefundsPending  int64
	OldestRefundAge time.Duration
}

// QueueStats reads the queue with the (status, due_at) index and the
// refund reservations still pending.
func (s *DB) QueueStats(ctx context.Context) (QueueStats, error) {
	now := s.Now()
	var q QueueStats
	var oldestDue, oldestRefund sql.NullTime
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*), MIN(due_at) FROM {jobs} WHERE status = 'pending' AND due_at <= ?`), now).
		Scan(&q.Due, &oldestDue); err != nil {
		return q, fmt.Errorf("queue stats: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM {jobs} WHERE status = 'processing' AND lease_expires_at < ?`), now).
		Scan(&q.LeaseExpired); err != nil {
		return q, fmt.Errorf("queue stats: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*), MIN(created_at) FROM {refunds} WHERE status = 'pending'`)).
		Scan(&q.RefundsPending, &oldestRefund); err != nil {
		return q, fmt.Errorf("queue stats: %w", err)
	}
	if oldestDue.Valid {
		q.OldestDueAge = max(now.Sub(oldestDue.Time), 0)
	}
	if oldestRefund.Valid {
		q.OldestRefundAge = max(now.Sub(oldestRefund.Time), 0)
	}
	return q, nil
}

// Pool is the connection pool, for the pool's metrics collector.
func (s *DB) Pool() *sql.DB { return s.db.DB }
