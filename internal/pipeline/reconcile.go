package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// ReconcileResult lists what reconciling with Stripe repaired.
type ReconcileResult struct {
	JobID   string   `json:"job_id"`
	Changes []string `json:"changes"`
}

// Reconcile fetches the job's Checkout Session, PaymentIntent and refunds
// from Stripe and repairs the local payment and refund state (a webhook
// that never came).
func (s *Service) Reconcile(ctx context.Context, jobID string, actor job.Actor) (*ReconcileResult, error) {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	res := &ReconcileResult{JobID: jobID, Changes: []string{}}
	pi := ""
	if j.StripePaymentIntentID != nil {
		pi = *j.StripePaymentIntentID
	}
	if j.StripeCheckoutSessionID != nil {
		sess, err := s.pay.GetCheckoutSession(ctx, *j.StripeCheckoutSessionID)
		if err != nil {
			return nil, stripeErr(err)
		}
		if sess.PaymentIntentID != "" {
			pi = sess.PaymentIntentID
		}
		switch {
		case sess.PaymentStatus == "paid" && !j.PaymentStatus.Captured():
			queued, err := s.markPaid(ctx, jobID, sess, actor)
			if err != nil {
				return nil, err
			}
			res.Changes = append(res.Changes, s.paidChange(ctx, jobID, queued))
		case sess.Status == "expired" && j.Status == job.StatusAwaitingPayment:
			changed, err := s.st.Abandon(ctx, jobID, false, store.EventInput{Actor: actor, Type: "reconciled", Message: "Stripe says the checkout expired unpaid"})
			if err != nil {
				return nil, err
			}
			if changed {
				res.Changes = append(res.Changes, "the checkout expired unpaid: job abandoned")
			}
		}
	}
	if pi != "" {
		list, err := s.pay.ListRefunds(ctx, pi)
		if err != nil {
			return nil, stripeErr(err)
		}
		changed, err := s.syncRefunds(ctx, jobID, list, "", store.EventInput{Actor: actor, Type: "reconciled", Message: "refund history brought in line with Stripe"})
		if err != nil && !errors.Is(err, job.ErrConflict) {
			return nil, err
		}
		if changed {
			res.Changes = append(res.Changes, "refund history brought in line with Stripe")
		}
	}
	if len(res.Changes) == 0 {
		ev := store.EventInput{Actor: actor, Type: "reconciled", Message: "checked with Stripe: nothing to repair"}
		if actor == job.ActorCron {
			// Cron looks at every waiting job every run for two days: its
			// timeline says so once, not a line every quarter of an hour.
			s.noteOnce(ctx, jobID, ev)
		} else {
			s.note(ctx, jobID, ev)
		}
	}
	return res, nil
}

// paidChange says what recording Stripe's paid checkout did to the job:
// queued it, or (the payment came but the job was refunded or disputed
// first, or a concurrent call queued it) recorded it only, or nothing at
// all because it does not pay for this job.
func (s *Service) paidChange(ctx context.Context, jobID string, queued bool) string {
	if queued {
		return "payment confirmed by Stripe was recorded; the job is queued"
	}
	if j, err := s.st.Get(ctx, jobID); err == nil && j.PaymentStatus.Captured() {
		return "payment confirmed by Stripe was recorded (job " + string(j.Status) + ")"
	}
	return "Stripe's payment does not match this job's checkout: nothing was queued; the job is flagged for attention"
}

// ReconcileRecent reconciles recent jobs whose state looks inconsistent
// with Stripe: awaiting payment for 10 minutes to 48 hours (a lost
// checkout.session.completed). Cron runs it. Each run takes the next 100
// of them after where the last run stopped, wrapping round, so every
// waiting job is checked in turn however many spam checkouts there are,
// not only the oldest 100.
func (s *Service) ReconcileRecent(ctx context.Context) (int, error) {
	now := s.now()
	from, to := now.Add(-48*time.Hour), now.Add(-10*time.Minute)
	s.reconcileMu.Lock()
	after := s.reconcileAfter
	s.reconcileMu.Unlock()
	jobs, err := s.st.AwaitingPaymentAfter(ctx, from, to, after, 100)
	if err != nil {
		return 0, err
	}
	next := store.PageMark{}
	if len(jobs) == 100 {
		last := jobs[len(jobs)-1]
		next = store.PageMark{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	s.reconcileMu.Lock()
	s.reconcileAfter = next
	s.reconcileMu.Unlock()
	n := 0
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		r, err := s.Reconcile(ctx, j.JobID, job.ActorCron)
		if err == nil && len(r.Changes) > 0 {
			n++
		}
	}
	return n, nil
}
