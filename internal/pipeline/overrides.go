package pipeline

import (
	"context"

	"github.com/sellmyimages/smid/internal/job"
)

// FailByAdmin is the processing→failed and pending→failed override: the
// job fails with the admin's reason and is refunded automatically.
func (s *Service) FailByAdmin(ctx context.Context, jobID, reason string, actor job.Actor) error {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if j.Status != job.StatusProcessing && j.Status != job.StatusPending {
		return job.ErrConflict
	}
	s.Fail(ctx, jobID, "marked failed by an admin: "+reason, actor)
	after, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if after.Status != job.StatusFailed {
		return job.ErrConflict
	}
	return nil
}

// ConfirmPaid is the abandoned/awaiting_payment→pending override: it only
// goes through when Stripe confirms the payment.
func (s *Service) ConfirmPaid(ctx context.Context, jobID string, actor job.Actor) error {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if j.StripeCheckoutSessionID == nil {
		return job.Errorf(job.EConflict, "the job has no Stripe checkout to confirm a payment with")
	}
	sess, err := s.pay.GetCheckoutSession(ctx, *j.StripeCheckoutSessionID)
	if err != nil {
		return stripeErr(err)
	}
	if sess.PaymentStatus != "paid" {
		return job.Errorf(job.EConflict, "Stripe does not confirm a payment for this checkout (payment status %q); the job stays %s", sess.PaymentStatus, j.Status)
	}
	if j.PaymentStatus.Captured() {
		// Paid already (abandoned by the clock): just queue it.
		_, err := s.Requeue(ctx, jobID, actor, RequeueOptions{Reason: "payment confirmed with Stripe"})
		return err
	}
	_, err = s.markPaid(ctx, jobID, sess, actor)
	return err
}
