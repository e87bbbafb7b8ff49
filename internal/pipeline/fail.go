package pipeline

import (
	"context"
	"errors"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/store"
)

// Fail marks a job failed with its reason and refunds what is left of its
// charge. A refund Stripe refuses is recorded with Stripe's message and
// shown on the job; one that could not reach Stripe is retried by cron.
func (s *Service) Fail(ctx context.Context, jobID, reason string, actor job.Actor) {
	s.failIf(ctx, jobID, reason, actor, nil, nil)
}

// failHeld fails a job only while h still holds it.
func (s *Service) failHeld(ctx context.Context, h store.Holder, reason string, actor job.Actor) {
	s.failIf(ctx, h.JobID, reason, actor, &h.Fence, nil)
}

// failUpscale fails a job only while it still runs the upscale the caller
// looked at: an admin's retry may have replaced it meanwhile, and a late
// answer about the old upscale must not fail the new one.
func (s *Service) failUpscale(ctx context.Context, j *job.Job, reason string, actor job.Actor) {
	f := j.Fence
	s.failIf(ctx, j.JobID, reason, actor, &f, func(cur *job.Job, _ store.Set) error {
		if cur.Status != job.StatusProcessing || !sameID(cur.UpsamplerJobID, j.UpsamplerJobID) {
			return errNoChange
		}
		return nil
	})
}

func (s *Service) failIf(ctx context.Context, jobID, reason string, actor job.Actor, fence *int64, check func(*job.Job, store.Set) error) {
	now := s.now()
	// The automatic refund is reserved in the same transaction as the move
	// to failed; its key is bound to the job, and Stripe's idempotency key
	// to the reservation, so a crash, a retry or a second replica can never
	// refund twice, and a retry can never slip in before the refund.
	rf, after, existing, err := s.st.FailAndReserve(ctx, store.Change{JobID: jobID,
		From: []job.Status{job.StatusPending, job.StatusProcessing}, To: job.StatusFailed, Check: check, Fence: fence,
		Set:   store.Set{"failed_at": now, "last_error": reason, "lease_owner": nil, "lease_expires_at": nil, "due_at": nil},
		Event: store.EventInput{Actor: actor, Type: "failed", Message: reason}},
		store.RefundRequest{JobID: jobID, Reason: "automatic refund: processing failed", Actor: job.ActorSystem,
			Source: "auto", IdempotencyKey: "auto:" + jobID})
	if err != nil {
		s.quietly("fail job", jobID, err)
		return
	}
	s.ownerFailed(ctx, jobID, reason)
	if rf == nil || (existing && rf.Status != "pending") {
		return // nothing was captured, or it is all refunded already
	}
	if _, err := s.sendRefund(ctx, *rf, after, true, existing); err != nil {
		s.log.WarnContext(ctx, "automatic refund did not go through", "job", jobID, "err", err)
		s.note(ctx, jobID, store.EventInput{Actor: job.ActorSystem, Type: "refund_problem",
			Message: "automatic refund did not go through: " + describeErr(err)})
	}
}

// RefundRequest is a refund of (part of) a job's charge.
type RefundRequest struct {
	JobID          string
	Amount         job.Money // 0: everything left
	Reason         string
	Actor          job.Actor
	Source         string // admin or auto
	IdempotencyKey string
	// Notify emails the customer about the refund.
	Notify bool
}

// RefundResult is the refund row and the job after it.
type RefundResult struct {
	Refund   store.Refund
	Job      *job.Job
	Existing bool
}

// Refund reserves the amount against what is left (so concurrent refunds
// can never together exceed the charge), asks Stripe with an idempotency
// key bound to the reservation, and records Stripe's answer. The same
// request key twice answers the first refund. Inside a Stripe event's
// transaction (a fraud warning's refund) only the reservation is made
// there: Stripe is asked after the commit (see later), so no call to
// Stripe holds the job's row, and the result is the pending reservation.
func (s *Service) Refund(ctx context.Context, rq RefundRequest) (*RefundResult, error) {
	rf, j, existing, err := s.st.ReserveRefund(ctx, store.RefundRequest{JobID: rq.JobID, Amount: rq.Amount,
		Reason: rq.Reason, Actor: rq.Actor, Source: rq.Source, IdempotencyKey: rq.IdempotencyKey})
	if err != nil {
		return nil, err
	}
	if existing && rf.Status != "pending" {
		return &RefundResult{Refund: rf, Job: j, Existing: true}, nil
	}
	if inEventTx(ctx) {
		s.later(ctx, func(ctx context.Context) {
			if _, err := s.sendRefund(ctx, rf, j, rq.Notify, existing); err != nil {
				s.quietly("send a refund reserved with its Stripe event (cron retries it)", rf.JobID, err)
			}
		})
		return &RefundResult{Refund: rf, Job: j, Existing: existing}, nil
	}
	return s.sendRefund(ctx, rf, j, rq.Notify, existing)
}

// sendRefund asks Stripe for a reserved refund and records the answer. It
// is also how cron retries a reservation Stripe never answered.
func (s *Service) sendRefund(ctx context.Context, rf store.Refund, j *job.Job, notify, existing bool) (*RefundResult, error) {
	inst, err := s.st.Installation(ctx)
	if err != nil {
		return nil, err
	}
	sr, err := s.pay.CreateRefund(ctx, stripeRefundInput(rf, j, inst))
	failpointHit("after_stripe_refund")
	if err != nil {
		s.countStripeErr(err)
		perr := stripeErr(err)
		var e *job.Error
		if errors.As(perr, &e) && e.Code == job.EBadGateway {
			// Stripe unreachable: the reservation stays pending and cron
			// retries it with the same idempotency key.
			return nil, perr
		}
		_, ferr := s.st.FinishRefund(ctx, rf.JobID, store.RefundOutcome{LocalID: rf.ID, Error: e.Message}, store.SyncOptions{
			Event: store.EventInput{Actor: rf.Actor, Type: "refund_refused", Message: "Stripe refused the refund: " + e.Message,
				Data: map[string]any{"amount": int64(rf.Amount), "reason": rf.Reason}}})
		if ferr != nil {
			return nil, ferr
		}
		if err := s.st.RecordProblem(ctx, rf.JobID, "refund refused by Stripe: "+e.Message); err != nil {
			s.quietly("record the refused refund", rf.JobID, err)
		}
		return nil, perr
	}
	out := store.StripeRefund{ID: sr.ID, Amount: job.Money(sr.Amount), Status: sr.Status, Failure: sr.FailureReason, Created: sr.Created}
	after, err := s.st.FinishRefund(ctx, rf.JobID, store.RefundOutcome{LocalID: rf.ID, Stripe: &out}, store.SyncOptions{
		RevokeOnFull: s.cfg.RevokeOnFullRefund,
		Event: store.EventInput{Actor: rf.Actor, Type: "refunded", Message: "refund issued: " + rf.Reason,
			Data: map[string]any{"amount": sr.Amount, "stripe_refund_id": sr.ID, "source": rf.Source, "status": sr.Status}}})
	if err != nil {
		return nil, err
	}
	rf.StripeRefundID, rf.Status, rf.Amount = &sr.ID, sr.Status, job.Money(sr.Amount)
	if notify {
		s.tellRefund(ctx, rf, after)
	}
	return &RefundResult{Refund: rf, Job: after, Existing: existing}, nil
}

// tellRefund emails the customer about refund rf of job j; a failure is
// on the job's timeline.
func (s *Service) tellRefund(ctx context.Context, rf store.Refund, j *job.Job) {
	if j.Email == "" {
		return
	}
	if err := s.mail.SendRefund(ctx, mail.RefundNotice{To: j.Email, JobID: j.JobID, Amount: int64(rf.Amount),
		Currency: j.Currency, Reason: rf.Reason, Manual: rf.Source == "admin"}); err != nil {
		s.countMailErr(err)
		s.note(ctx, rf.JobID, store.EventInput{Actor: job.ActorSystem, Type: "email_failed",
			Message: "refund email failed: " + describeErr(err)})
	}
}
