package httpapi

import (
	"context"
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
	// Refundable, Actions and Attention are the rulebook's verdicts on
	// this job: the plugin shows exactly these and decides nothing.
	Refundable job.Money                  `json:"refundable"`
	Actions    map[job.Action]job.Verdict `json:"actions"`
	Attention  []string                   `json:"attention"`
}

// facts are what the rulebook needs beside the row. The job's
// refund_amount mirrors the refunds that hold money.
func (s *Server) facts(j *job.Job, now time.Time, inFlight bool) job.Facts {
	f := job.Facts{Now: now, RefundInFlight: inFlight, UpscaleTimeout: s.cfg.UpscaleTimeout, RevokeOnFullRefund: s.cfg.RevokeOnFullRefund}
	if j.RefundAmount != nil {
		f.Refunded = *j.RefundAmount
	}
	return f
}

func (s *Server) viewJob(j *job.Job, now time.Time, inFlight bool) jobView {
	f := s.facts(j, now, inFlight)
	return jobView{Job: j, TokenState: j.TokenStateAt(now), CreditsEstimate: s.credits(j),
		Refundable: job.Refundable(j, f.Refunded), Actions: job.ActionVerdicts(j, f), Attention: job.Attention(j, f)}
}

// viewJobs views a page of jobs, asking once which have a refund waiting
// for Stripe.
func (s *Server) viewJobs(ctx context.Context, jobs []*job.Job, now time.Time) ([]jobView, error) {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.JobID
	}
	inFlight, err := s.store.RefundsInFlight(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]jobView, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, s.viewJob(j, now, inFlight[j.JobID]))
	}
	return out, nil
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
	return total, job.Refundable(j, total)
}

// inFlight reports whether a refund in history waits for Stripe's answer.
func inFlight(history []store.Refund) bool {
	for _, r := range history {
		if r.Status == "pending" && r.StripeRefundID == nil {
			return true
		}
	}
	return false
}
