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
	// failed handler leaves neither, and Stripe's retry applies it.
	err = s.st.WithStripeEvent(ctx, ev.ID, ev.Type, jobID, handler)
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

// route picks the handler for an event and the job it is about; nil for
// events we do not act on or that are not ours.
func (s *Service) route(ev stripe.Event) (string, func(context.Context) error) {
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
		sess, err := ev.Session()
		if err != nil || !ours(sess.Metadata) && sess.JobID() == "" {
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
	}
	return "", nil
}

func ours(md map[string]string) bool { return md[stripe.MetaSource] == stripe.SourceValue }

func (s *Service) onSession(ctx context.Context, typ, jobID string, sess stripe.Session) error {
	switch typ {
	case "checkout.session.expired":
		_, err := s.apply(ctx, store.Change{JobID: jobID, To: job.StatusAbandoned,
			Check: func(cur *job.Job, _ store.Set) error {
				if cur.Status != job.StatusAwaitingPayment || cur.PaymentStatus.Captured() {
					return errNoChange // paid meanwhile, or already abandoned
				}
				return nil
			},
			Event: store.EventInput{Actor: job.ActorStripe, Type: "checkout_expired", Message: "Stripe checkout expired unpaid"}})
		return err
	case "checkout.session.async_payment_failed":
		_, err := s.apply(ctx, store.Change{JobID: jobID, To: job.StatusAbandoned,
			Check: func(cur *job.Job, set store.Set) error {
				if cur.PaymentStatus.Captured() || (cur.Status != job.StatusAwaitingPayment && cur.Status != job.StatusAbandoned) {
					return errNoChange
				}
				set["payment_status"] = job.PaymentFailed
				return nil
			},
			Event: store.EventInput{Actor: job.ActorStripe, Type: "payment_failed", Message: "the delayed payment failed"}})
		return err
	}
	if sess.PaymentStatus != "paid" && sess.PaymentStatus != "no_payment_required" {
		// A delayed method (bank debit): async_payment_succeeded follows.
		return s.st.AddEvent(ctx, jobID, store.EventInput{Actor: job.ActorStripe, Type: "payment_processing",
			Message: "checkout completed; Stripe is still collecting the payment"})
	}
	return s.markPaid(ctx, jobID, sess, job.ActorStripe)
}

// markPaid records a confirmed payment and queues the job. It moves only
// jobs still waiting for their money (or abandoned by the clock just
// before it came); for any other state it is a repeat and does nothing.
func (s *Service) markPaid(ctx context.Context, jobID string, sess stripe.Session, actor job.Actor) error {
	_, err := s.recordPaid(ctx, jobID, sess, actor)
	return err
}

// recordPaid is markPaid reporting whether this call was the one that
// queued the job.
func (s *Service) recordPaid(ctx context.Context, jobID string, sess stripe.Session, actor job.Actor) (bool, error) {
	now := s.now()
	changed, err := s.apply(ctx, store.Change{JobID: jobID, To: job.StatusPending,
		Check: func(cur *job.Job, set store.Set) error {
			if cur.Status != job.StatusAwaitingPayment && cur.Status != job.StatusAbandoned {
				return errNoChange
			}
			if cur.PaymentStatus == job.PaymentRefunded {
				// Refunded before we heard it was paid: nothing to make.
				return errNoChange
			}
			if !cur.PaymentStatus.Captured() {
				set["payment_status"] = job.PaymentPaid
			}
			set["paid_at"] = now
			set["due_at"] = now
			if sess.PaymentIntentID != "" {
				set["stripe_payment_intent_id"] = sess.PaymentIntentID
			}
			if sess.AmountTotal > 0 {
				set["amount_charged"] = job.Money(sess.AmountTotal)
			}
			if sess.Currency != "" {
				set["currency"] = sess.Currency
			}
			if cur.Email == "" && sess.CustomerEmail != "" {
				set["email"] = sess.CustomerEmail
			}
			return nil
		},
		Event: store.EventInput{Actor: actor, Type: "payment_received", Message: "payment received; queued for upscaling",
			Data: map[string]any{"payment_intent": sess.PaymentIntentID, "amount_total": sess.AmountTotal, "checkout_session": sess.ID}}})
	if changed {
		s.notify()
	}
	return changed, err
}

func (s *Service) onPaymentFailed(ctx context.Context, jobID string, pi stripe.PaymentIntent) error {
	_, err := s.apply(ctx, store.Change{JobID: jobID,
		Check: func(cur *job.Job, set store.Set) error {
			if cur.PaymentStatus != job.PaymentPending {
				return errNoChange // a later success or refund wins
			}
			set["payment_status"] = job.PaymentFailed
			set["stripe_payment_intent_id"] = pi.ID
			return nil
		},
		Event: store.EventInput{Actor: job.ActorStripe, Type: "payment_failed", Message: "a payment attempt failed",
			Data: map[string]any{"payment_intent": pi.ID}}})
	return err
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
	_, err = s.st.SyncStripeRefunds(ctx, jobID, toStoreRefunds(list), store.SyncOptions{
		RevokeOnFull: s.cfg.RevokeOnFullRefund,
		Event:        store.EventInput{Actor: job.ActorStripe, Type: "refund_recorded", Message: "refund reported by Stripe"},
	})
	return err
}

func toStoreRefunds(list []stripe.Refund) []store.StripeRefund {
	out := make([]store.StripeRefund, 0, len(list))
	for _, r := range list {
		out = append(out, store.StripeRefund{ID: r.ID, Amount: job.Money(r.Amount), Status: r.Status,
			Reason: r.Metadata[stripe.MetaReason], LocalID: r.Metadata[stripe.MetaLocalRefund],
			Failure: r.FailureReason, Created: r.Created})
	}
	return out
}
