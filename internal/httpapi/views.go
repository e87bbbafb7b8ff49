package httpapi

import (
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// jobView is a job as the API shows it: every column but the token digest,
// plus the token's state.
type jobView struct {
	*job.Job
	TokenState      job.TokenState `json:"token_state"`
	CreditsEstimate int            `json:"credits_estimate"`
}

func (s *Server) viewJob(j *job.Job, now time.Time) jobView {
	return jobView{Job: j, TokenState: j.TokenStateAt(now), CreditsEstimate: s.credits(j)}
}

type listResponse struct {
	Jobs       []jobView `json:"jobs"`
	Total      int64     `json:"total"`
	TotalExact bool      `json:"total_exact"`
	// TotalCapped is !TotalExact under its old name, kept for one release.
	TotalCapped bool   `json:"total_capped"`
	Page        int    `json:"page"`
	PerPage     int    `json:"per_page"`
	TotalPages  int64  `json:"total_pages"`
	NextCursor  string `json:"next_cursor"`
	PrevCursor  string `json:"prev_cursor"`
}

type durations struct {
	PaidAfter  *int64 `json:"paid_after_seconds"`
	Processing *int64 `json:"processing_seconds"`
	Total      *int64 `json:"total_seconds"`
}

func between(a, b *time.Time) *int64 {
	if a == nil || b == nil {
		return nil
	}
	d := int64(b.Sub(*a).Seconds())
	return &d
}

func durationsOf(j *job.Job) durations {
	created := j.CreatedAt
	end := j.CompletedAt
	if end == nil {
		end = j.FailedAt
	}
	return durations{
		PaidAfter:  between(&created, j.PaidAt),
		Processing: between(j.ProcessingStartedAt, end),
		Total:      between(&created, end),
	}
}

type refundsView struct {
	Total     job.Money      `json:"total"`
	Remaining job.Money      `json:"remaining"`
	Currency  string         `json:"currency"`
	History   []store.Refund `json:"history"`
}

type downloadView struct {
	TokenState job.TokenState `json:"token_state"`
	ExpiresAt  *time.Time     `json:"expires_at"`
	Count      int            `json:"count"`
}

type detailResponse struct {
	Job                jobView      `json:"job"`
	Durations          durations    `json:"durations"`
	Download           downloadView `json:"download"`
	Refunds            refundsView  `json:"refunds"`
	Events             []job.Event  `json:"events"`
	AllowedStatusMoves []job.Status `json:"allowed_status_moves"`
	CreditsEstimate    int          `json:"credits_estimate"`
}

// refundTotals is what was refunded and what is left of the charge. The
// history is the source of truth; the job's refund_amount column mirrors it.
func refundTotals(j *job.Job, history []store.Refund) (total, remaining job.Money) {
	total = store.RefundedTotal(history)
	if j.RefundAmount != nil && *j.RefundAmount > total {
		total = *j.RefundAmount
	}
	if j.AmountCharged != nil && j.PaymentStatus.Captured() {
		remaining = max(*j.AmountCharged-total, 0)
	}
	return total, remaining
}
