package pipeline

import (
	"context"
	"errors"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
)

// ErrBadSignature is returned for a webhook whose signature does not verify.
var ErrBadSignature = &job.Error{Code: job.EInvalid, Param: "Stripe-Signature", Message: "the webhook signature does not verify"}

// WebhookResult says what a Stripe event did.
type WebhookResult struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	JobID     string `json:"job_id,omitempty"`
	Duplicate bool   `json:"duplicate"`
	Ignored   bool   `json:"ignored"`
}

// HandleStripeWebhook verifies and applies one Stripe event. Stripe
// delivers at least once and in any order, so a repeated event id is
// answered with no effect, and every handler moves a job only from the
// states where the event still means something. An event for no job of
// ours is acknowledged and ignored. Only a failure of our own (database
// down) is an error: Stripe then retries.
func (s *Service) HandleStripeWebhook(ctx context.Context, payload []byte, sig string) (*WebhookResult, error) {
	ev, err := s.pay.VerifyEvent(payload, sig)
	if err != nil {
		if errors.Is(err, stripe.ErrBadSignature) {
			return nil, ErrBadSignature
		}
		return nil, job.Errorf(job.EUnavailable, "webhook cannot be verified: %v", err)
	}
	res := &WebhookResult{EventID: ev.ID, Type: ev.Type}
	jobID, handler := s.route(ev)
	if handler == nil {
		res.Ignored = true
		return res, nil
	}
	res.JobID = jobID
	// The event's record and its effect commit together: a crash or a
	// failed handler leaves neither, and Stripe's retry applies it. What
	// the handler does outside the database (a refund asked of Stripe, an
	// email) waits for the commit: it never holds the job's row, and never
	// happens for an effect that was rolled back.
	ac := &afterCommit{}
	err = s.st.WithStripeEvent(context.WithValue(ctx, afterCommitKey{}, ac), ev.ID, ev.Type, jobID, handler)
	if err == nil {
		for _, fn := range ac.fns {
			fn(ctx)
		}
	}
	switch {
	case errors.Is(err, store.ErrDuplicateEvent):
		res.Duplicate = true
		return res, nil
	case errors.Is(err, job.ErrJobNotFound):
		res.Ignored = true
		return res, nil
	case err != nil:
		return nil, err
	}
	s.notify()
	return res, nil
}

// afterCommit holds what a Stripe event's handler leaves for after its
// transaction commits (see later).
type afterCommit struct{ fns []func(context.Context) }

type afterCommitKey struct{}

// inEventTx reports whether ctx is a Stripe event's handler, inside its
// transaction.
func inEventTx(ctx context.Context) bool {
	_, ok := ctx.Value(afterCommitKey{}).(*afterCommit)
	return ok
}

// later runs fn once the Stripe event being handled in ctx has committed,
// with a context outside its transaction; outside an event's handler, at
// once. A crash between the commit and fn loses nothing that matters: a
// reserved refund is sent by RetryRefunds, an owner's notice is only a
// notice.
func (s *Service) later(ctx context.Context, fn func(context.Context)) {
	if ac, ok := ctx.Value(afterCommitKey{}).(*afterCommit); ok {
		ac.fns = append(ac.fns, fn)
		return
	}
	fn(ctx)
}

// route picks the handler for an event and the job it is about; nil for
// events we do not act on or that are not ours. The job named by an event
// is only where to look: each handler checks the event against what the
// job itself recorded at checkout before it changes anything.
func (s *Service) route(ev stripe.Event) (string, func(context.Context) error) {
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
		sess, err := ev.Session()
		if err != nil {
			return "", nil
		}
		id := sess.JobID()
		if id == "" {
			return "", nil
		}
		return id, func(ctx context.Context) error { return s.onSession(ctx, ev.Type, id, sess) }
	case "payment_intent.payment_failed":
		pi, err := ev.PaymentIntent()
		if err != nil {
			return "", nil
		}
		id := pi.Metadata[stripe.MetaJobID]
		if id == "" {
			return "", nil
		}
		return id, func(ctx context.Context) error { return s.onPaymentFailed(ctx, id, pi) }
	case "charge.refunded":
		ch, err := ev.Charge()
		if err != nil || ch.PaymentIntentID == "" {
			return "", nil
		}
		id := ch.Metadata[stripe.MetaJobID]
		return id, func(ctx context.Context) error { return s.onRefunds(ctx, id, ch.PaymentIntentID) }
	case "refund.created", "refund.updated", "refund.failed", "charge.refund.updated":
		// charge.refund.updated carries a refund, not a charge.
		rf, err := ev.Refund()
		if err != nil || rf.PaymentIntentID == "" {
			return "", nil
		}
		id := rf.Metadata[stripe.MetaJobID]
		return id, func(ctx context.Context) error { return s.onRefunds(ctx, id, rf.PaymentIntentID) }
	case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
		"charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated":
		d, err := ev.Dispute()
		if err != nil || d.PaymentIntentID == "" {
			return "", nil
		}
		return "", func(ctx context.Context) error { return s.onDispute(ctx, ev.Type, d) }
	case "radar.early_fraud_warning.created":
		w, err := ev.FraudWarning()
		if err != nil || w.PaymentIntentID == "" {
			return "", nil
		}
		return "", func(ctx context.Context) error { return s.onFraudWarning(ctx, w) }
	}
	return "", nil
}

func (s *Service) onSession(ctx context.Context, typ, jobID string, sess stripe.Session) error {
	switch typ {
	case "checkout.session.expired":
		if own, err := s.ownSession(ctx, jobID, sess); !own {
			return err
		}
		_, err := s.st.Abandon(ctx, jobID, false, store.EventInput{Actor: job.ActorStripe, Type: "checkout_expired", Message: "Stripe checkout expired unpaid"})
		return err
	case "checkout.session.async_payment_failed":
		if own, err := s.ownSession(ctx, jobID, sess); !own {
			return err
		}
		_, err := s.st.Abandon(ctx, jobID, true, store.EventInput{Actor: job.ActorStripe, Type: "payment_failed", Message: "the delayed payment failed"})
		return err
	}
	if sess.PaymentStatus == "unpaid" {
		// A delayed method (bank debit): async_payment_succeeded follows.
		if own, err := s.ownSession(ctx, jobID, sess); !own {
			return err
		}
		return s.st.AddEvent(ctx, jobID, store.EventInput{Actor: job.ActorStripe, Type: "payment_processing",
			Message: "checkout completed; Stripe is still collecting the payment"})
	}
	_, err := s.markPaid(ctx, jobID, sess, job.ActorStripe)
	return err
}

// ownSession reports whether sess is the checkout opened for the job; a
// foreign one is recorded on the job's timeline and flagged. An error
// (no such job, or the database) fails the event: one of ours is
// retried by Stripe, never acknowledged with nothing done.
func (s *Service) ownSession(ctx context.Context, jobID string, sess stripe.Session) (bool, error) {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return false, err
	}
	if j.StripeCheckoutSessionID != nil && *j.StripeCheckoutSessionID == sess.ID {
		return true, nil
	}
	return false, s.flagPayment(ctx, jobID, sess, "checkout session "+sess.ID+" is not the one opened for this job")
}

// markPaid records a confirmed payment of the job's own checkout and
// queues the job, reporting whether this call queued it. A session that
// does not pay for the job (another session naming it, a different
// amount or currency, nothing collected) changes nothing: the event is
// recorded on the job's timeline and the job flagged for an admin.
func (s *Service) markPaid(ctx context.Context, jobID string, sess stripe.Session, actor job.Actor) (bool, error) {
	p := job.CheckoutPayment{SessionID: sess.ID, PaymentStatus: sess.PaymentStatus, AmountTotal: sess.AmountTotal,
		Currency: sess.Currency, PaymentIntent: sess.PaymentIntentID, Email: sess.CustomerEmail}
	queued, err := s.st.MarkPaid(ctx, jobID, p, store.EventInput{Actor: actor, Type: "payment_received", Message: "payment received; queued for upscaling",
		Data: map[string]any{"payment_intent": sess.PaymentIntentID, "amount_total": sess.AmountTotal, "checkout_session": sess.ID}})
	var e *job.Error
	if errors.As(err, &e) && e.Reason == "payment_mismatch" {
		return false, s.flagPayment(ctx, jobID, sess, e.Message)
	}
	if err != nil {
		return false, err
	}
	if !queued {
		return false, nil
	}
	s.notify()
	s.later(ctx, func(ctx context.Context) { s.ownerSale(ctx, jobID) })
	return true, nil
}

// flagPayment records a checkout event that did not pay for the job on
// its timeline and flags the job; its error fails the event (Stripe
// retries it) rather than lose the record.
func (s *Service) flagPayment(ctx context.Context, jobID string, sess stripe.Session, why string) error {
	return s.st.Flag(ctx, jobID, "payment not accepted: "+why, store.EventInput{Actor: job.ActorStripe, Type: "payment_mismatch",
		Message: "a Stripe checkout event did not pay for this job: " + why + "; nothing was queued",
		Data: map[string]any{"checkout_session": sess.ID, "amount_total": sess.AmountTotal, "currency": sess.Currency,
			"payment_status": sess.PaymentStatus, "payment_intent": sess.PaymentIntentID}})
}

func (s *Service) onPaymentFailed(ctx context.Context, jobID string, pi stripe.PaymentIntent) error {
	return s.st.PaymentAttemptFailed(ctx, jobID, pi.ID, store.EventInput{Actor: job.ActorStripe, Type: "payment_failed", Message: "a payment attempt failed",
		Data: map[string]any{"payment_intent": pi.ID}})
}

// onRefunds records refunds Stripe reports (made in its dashboard, or ours
// confirmed). It asks Stripe for the PaymentIntent's full refund list, so
// the history is right whatever order the events come in.
func (s *Service) onRefunds(ctx context.Context, jobID, pi string) error {
	if jobID == "" {
		j, err := s.st.GetByPaymentIntent(ctx, pi)
		if err != nil {
			return err
		}
		jobID = j.JobID
	}
	// Stripe's own list, never the event's: API versions since 2022-11-15
	// leave a charge's refunds out of the event. If Stripe cannot answer,
	// the event fails (and records nothing) so Stripe delivers it again.
	list, err := s.pay.ListRefunds(ctx, pi)
	if err != nil {
		return job.Errorf(job.EUnavailable, "Stripe's refund list could not be read; the event will be retried: %v", describeErr(err))
	}
	_, err = s.syncRefunds(ctx, jobID, list, pi, store.EventInput{Actor: job.ActorStripe, Type: "refund_recorded", Message: "refund reported by Stripe"})
	var e *job.Error
	if errors.As(err, &e) && e.Reason == "foreign_payment" {
		// Another payment of the account names this job in its metadata:
		// its refunds are not this job's. Shown to the admin, then done.
		return s.flagForeign(ctx, jobID, pi, "refunds of another payment were not recorded: "+e.Message)
	}
	return err
}

// syncRefunds brings the job's refund history in line with Stripe's list
// of its payment's refunds, revoking the download on a full refund when
// downloads.revoke_on_full_refund says so. pi, when set, is the payment
// the list came from: a list of another payment is refused (reason
// foreign_payment). It reports whether anything changed.
func (s *Service) syncRefunds(ctx context.Context, jobID string, list []stripe.Refund, pi string, ev store.EventInput) (bool, error) {
	return s.st.SyncStripeRefunds(ctx, jobID, toStoreRefunds(list), store.SyncOptions{RevokeOnFull: s.cfg.RevokeOnFullRefund, Event: ev, PaymentIntent: pi})
}

// flagForeign records on the job's timeline, and flags for an admin, a
// Stripe report about a payment that is not the job's; nothing else
// changes.
func (s *Service) flagForeign(ctx context.Context, jobID, pi, why string) error {
	return s.st.Flag(ctx, jobID, "stripe: "+why, store.EventInput{Actor: job.ActorStripe, Type: "foreign_payment",
		Message: why, Data: map[string]any{"payment_intent": pi}})
}

// onDispute records a dispute of a job's charge: opened, it revokes the
// download (and stops a job not yet delivered); closed and won, it gives
// access back; lost, access stays revoked.
func (s *Service) onDispute(ctx context.Context, typ string, d stripe.Dispute) error {
	j, err := s.jobOfPaymentIntent(ctx, d.PaymentIntentID)
	if errors.Is(err, errForeignPayment) {
		return nil
	}
	if err != nil {
		return err
	}
	msg := map[string]string{
		"charge.dispute.created":          "the customer's bank disputes the payment (" + d.Reason + "); the download is revoked",
		"charge.dispute.updated":          "the dispute was updated: " + d.Status,
		"charge.dispute.closed":           "the dispute was closed: " + d.Status,
		"charge.dispute.funds_withdrawn":  "Stripe withdrew the disputed amount",
		"charge.dispute.funds_reinstated": "Stripe reinstated the disputed amount",
	}[typ]
	if d.Won() {
		msg += "; the download works again"
	}
	err = s.st.RecordDispute(ctx, j.JobID, store.Dispute{ID: d.ID, Status: d.Status, Reason: d.Reason, Amount: job.Money(d.Amount),
		Won: d.Won(), Closed: d.Closed()}, s.cfg.DownloadExpiry, store.EventInput{Actor: job.ActorStripe, Type: "dispute",
		Message: msg, Data: map[string]any{"dispute_id": d.ID, "status": d.Status, "reason": d.Reason, "amount": d.Amount, "event": typ}})
	if err == nil && typ == "charge.dispute.created" {
		s.later(ctx, func(ctx context.Context) { s.NotifyDispute(ctx, j.JobID, d.Reason) })
	}
	return err
}

// onFraudWarning refunds a charge the card network flags as likely fraud,
// in full, and so revokes its download, before a dispute can cost the
// shop a fee (stripe.refund_on_fraud_warning, on by default).
func (s *Service) onFraudWarning(ctx context.Context, w stripe.FraudWarning) error {
	j, err := s.jobOfPaymentIntent(ctx, w.PaymentIntentID)
	if errors.Is(err, errForeignPayment) {
		return nil
	}
	if err != nil {
		return err
	}
	if job.Waiting(j) && !j.PaymentStatus.Captured() {
		// The warning came before the payment event: answer 5xx so Stripe
		// delivers it again once the payment is recorded and refundable.
		return job.Errorf(job.EUnavailable, "the payment of job %s is not recorded yet; this warning will be applied when Stripe sends it again", j.JobID)
	}
	if !s.cfg.RefundOnFraudWarning || !w.Actionable {
		return s.st.Flag(ctx, j.JobID, "early fraud warning: "+w.FraudType, store.EventInput{Actor: job.ActorStripe, Type: "fraud_warning",
			Message: "Stripe reported an early fraud warning (" + w.FraudType + "); not refunded automatically"})
	}
	if err := s.st.AddEvent(ctx, j.JobID, store.EventInput{Actor: job.ActorStripe, Type: "fraud_warning",
		Message: "Stripe reported an early fraud warning (" + w.FraudType + "); refunding in full"}); err != nil {
		return err
	}
	// Reserved with the event, asked of Stripe after its commit (Refund).
	_, err = s.Refund(ctx, RefundRequest{JobID: j.JobID, Reason: "early fraud warning: " + w.FraudType, Actor: job.ActorStripe,
		Source: "auto", IdempotencyKey: "efw:" + w.ID})
	if job.ErrorCode(err) == job.EConflict {
		return nil // nothing left to refund
	}
	return err
}

// jobOfPaymentIntent finds the job a PaymentIntent paid for: by the id
// the payment event recorded, or, when that event has not come yet (a
// dispute or a fraud warning can come first), by the job id Stripe keeps
// in the PaymentIntent's metadata. A PaymentIntent of no job of ours is
// job.ErrJobNotFound; Stripe unreachable is an error Stripe retries.
func (s *Service) jobOfPaymentIntent(ctx context.Context, pi string) (*job.Job, error) {
	j, err := s.st.GetByPaymentIntent(ctx, pi)
	if !errors.Is(err, job.ErrJobNotFound) {
		return j, err
	}
	intent, err := s.pay.GetPaymentIntent(ctx, pi)
	if err != nil {
		return nil, job.Errorf(job.EUnavailable, "Stripe's PaymentIntent could not be read; the event will be retried: %v", describeErr(err))
	}
	id := intent.Metadata[stripe.MetaJobID]
	if id == "" {
		return nil, job.ErrJobNotFound
	}
	j, err = s.st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if why := job.ForeignPaymentIntent(j, pi); why != "" {
		// Metadata naming a job whose payment is another: not this job's
		// dispute or warning (and never a refund of the job's own charge).
		if err := s.flagForeign(ctx, j.JobID, pi, "a dispute or fraud warning about another payment was ignored: "+why); err != nil {
			return nil, err
		}
		return nil, errForeignPayment
	}
	return j, nil
}

// errForeignPayment is jobOfPaymentIntent's answer for a PaymentIntent
// whose metadata names a job that another payment paid for: the job was
// flagged, and the event is recorded as handled (with the flag) so that
// Stripe's retries do not repeat it.
var errForeignPayment = errors.New("the PaymentIntent is not the job's payment")

func toStoreRefunds(list []stripe.Refund) []store.StripeRefund {
	out := make([]store.StripeRefund, 0, len(list))
	for _, r := range list {
		out = append(out, store.StripeRefund{ID: r.ID, Amount: job.Money(r.Amount), Status: r.Status,
			Reason: r.Metadata[stripe.MetaReason], LocalID: r.Metadata[stripe.MetaLocalRefund],
			Failure: r.FailureReason, Created: r.Created})
	}
	return out
}
