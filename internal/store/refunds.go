package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// Refund is one row of a job's refund history.
type Refund struct {
	ID             int64     `json:"id"`
	JobID          string    `json:"job_id"`
	StripeRefundID *string   `json:"stripe_refund_id"`
	Amount         job.Money `json:"amount"`
	Currency       string    `json:"currency"`
	Reason         string    `json:"reason"`
	Actor          job.Actor `json:"actor"`
	Source         string    `json:"source"` // admin, auto, stripe, legacy
	Status         string    `json:"status"` // succeeded, pending, failed, canceled
	Error          *string   `json:"error"`
	CreatedAt      time.Time `json:"created_at"`
}

const refundColumns = `id, job_id, stripe_refund_id, amount, currency, reason, actor, source, status, error, created_at`

type refundRow struct {
	ID             int64     `db:"id"`
	JobID          string    `db:"job_id"`
	StripeRefundID *string   `db:"stripe_refund_id"`
	Amount         string    `db:"amount"`
	Currency       string    `db:"currency"`
	Reason         string    `db:"reason"`
	Actor          string    `db:"actor"`
	Source         string    `db:"source"`
	Status         string    `db:"status"`
	Error          *string   `db:"error"`
	CreatedAt      time.Time `db:"created_at"`
}

func (r refundRow) toRefund() (Refund, error) {
	amt, err := job.ParseDecimal(r.Amount)
	if err != nil {
		return Refund{}, fmt.Errorf("refund %d amount: %w", r.ID, err)
	}
	return Refund{ID: r.ID, JobID: r.JobID, StripeRefundID: r.StripeRefundID, Amount: amt, Currency: r.Currency,
		Reason: r.Reason, Actor: job.Actor(r.Actor), Source: r.Source, Status: r.Status, Error: r.Error,
		CreatedAt: r.CreatedAt.UTC()}, nil
}

func toRefunds(rows []refundRow) ([]Refund, error) {
	out := make([]Refund, 0, len(rows))
	for _, r := range rows {
		rf, err := r.toRefund()
		if err != nil {
			return nil, err
		}
		out = append(out, rf)
	}
	return out, nil
}

// Refunds is a job's refund history, oldest first.
func (s *DB) Refunds(ctx context.Context, jobID string) ([]Refund, error) {
	var rows []refundRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+refundColumns+` FROM {refunds} WHERE job_id = ? ORDER BY id`), jobID); err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	return toRefunds(rows)
}

// RefundedTotal sums the refunds that took (or may still take) money back:
// succeeded and pending ones. Failed and canceled ones moved nothing.
func RefundedTotal(rs []Refund) job.Money {
	var n job.Money
	for _, r := range rs {
		if r.Status == "succeeded" || r.Status == "pending" || r.Status == "requires_action" {
			n += r.Amount
		}
	}
	return n
}

// RefundsInFlight says which of jobIDs have a refund reserved and not yet
// answered by Stripe, in one query.
func (s *DB) RefundsInFlight(ctx context.Context, jobIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(jobIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(jobIDs))
	for i, id := range jobIDs {
		args[i] = id
	}
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, s.q(`SELECT DISTINCT job_id FROM {refunds}
		WHERE job_id IN (`+placeholders(len(jobIDs))+`) AND status = 'pending' AND stripe_refund_id IS NULL`), args...); err != nil {
		return nil, fmt.Errorf("refunds in flight: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
