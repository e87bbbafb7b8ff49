package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

// Stripe delivers at least once and in any order; these tests replay the
// orders a real account produces and check the job ends where the money
// says it should.

func (b *bundle) sessionOf(jobID, typ, paymentStatus string) ([]byte, string) {
	j := b.Get(jobID)
	return b.SessionEvent("evt_"+typ+"_"+jobID[:8], typ, jobID, *j.StripeCheckoutSessionID,
		"pi_"+strings.ReplaceAll(jobID[:13], "-", ""), paymentStatus, int64(*j.AmountCharged), "buyer@example.com")
}

func (b *bundle) wantState(jobID string, st job.Status, ps job.PaymentStatus) *job.Job {
	b.T.Helper()
	j := b.Get(jobID)
	if j.Status != st || j.PaymentStatus != ps {
		b.T.Fatalf("job is %s/%s, want %s/%s (timeline %v)", j.Status, j.PaymentStatus, st, ps, b.EventTypes(jobID))
	}
	return j
}

func TestWebhookCompletedTwiceQueuesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("").JobID
	payload, sig := b.sessionOf(id, "checkout.session.completed", "paid")
	if r := b.Deliver(payload, sig); r.Duplicate || r.Ignored || r.JobID != id {
		t.Fatalf("first delivery: %+v", r)
	}
	if r := b.Deliver(payload, sig); !r.Duplicate {
		t.Fatalf("second delivery of the same event: %+v, want duplicate", r)
	}
	// Stripe also re-sends an event under a new id after a timeout on our
	// side; it must not queue the job a second time either.
	j := b.Get(id)
	again, sig2 := b.SessionEvent("evt_resent", "checkout.session.completed", id, *j.StripeCheckoutSessionID,
		*j.StripePaymentIntentID, "paid", int64(*j.AmountCharged), "")
	if r := b.Deliver(again, sig2); r.Duplicate {
		t.Fatalf("a new event id is not a duplicate: %+v", r)
	}
	j = b.wantState(id, job.StatusPending, job.PaymentPaid)
	if n := b.Count(id, "payment_received"); n != 1 {
		t.Fatalf("%d payment_received events, want 1: %v", n, b.EventTypes(id))
	}
	if j.Email != "buyer@example.com" {
		t.Fatalf("email from the session = %q", j.Email)
	}
}

func TestWebhookEveryEventDuplicated(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("").JobID
	j := b.Get(id)
	pi := "pi_" + strings.ReplaceAll(id[:13], "-", "")
	failed := map[string]any{"id": pi, "object": "payment_intent", "status": "requires_payment_method",
		"metadata": map[string]string{"job_id": id, "source": "sell-my-images"}}
	events := []struct {
		typ string
		obj any
	}{
		{"payment_intent.payment_failed", failed},
		{"checkout.session.completed", nil},
		{"checkout.session.expired", nil},
	}
	for i, e := range events {
		var payload []byte
		var sig string
		if e.obj == nil {
			payload, sig = b.SessionEvent("evt_dup_"+string(rune('a'+i)), e.typ, id, *j.StripeCheckoutSessionID, pi, "paid", 50, "")
		} else {
			payload, sig = b.Signed("evt_dup_"+string(rune('a'+i)), e.typ, e.obj)
		}
		first := b.Deliver(payload, sig)
		before := b.EventTypes(id)
		second := b.Deliver(payload, sig)
		if first.Duplicate || !second.Duplicate {
			t.Fatalf("%s: first %+v, second %+v", e.typ, first, second)
		}
		if after := b.EventTypes(id); len(after) != len(before) {
			t.Fatalf("%s: the duplicate changed the timeline: %v → %v", e.typ, before, after)
		}
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
}

func TestWebhookExpiredAfterCompletedKeepsThePayment(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("").JobID
	b.Deliver(b.sessionOf(id, "checkout.session.completed", "paid"))
	b.Deliver(b.sessionOf(id, "checkout.session.expired", "unpaid"))
	b.Deliver(b.sessionOf(id, "checkout.session.async_payment_failed", "unpaid"))
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	if n := b.Count(id, "checkout_expired") + b.Count(id, "payment_failed"); n != 0 {
		t.Fatalf("late events left a mark: %v", b.EventTypes(id))
	}
}

func TestWebhookPaidWinsOverAbandon(t *testing.T) {
	t.Parallel()
	t.Run("after the abandon sweep", func(t *testing.T) {
		t.Parallel()
		b := setup(t, pipelinetest.Options{FakeStripe: true})
		id := b.Checkout("").JobID
		b.Clock.Advance(25 * time.Hour)
		if n, err := b.Svc.Abandon(context.Background()); err != nil || n != 1 {
			t.Fatalf("abandon: %d, %v", n, err)
		}
		b.wantState(id, job.StatusAbandoned, job.PaymentPending)
		b.Deliver(b.sessionOf(id, "checkout.session.completed", "paid"))
		j := b.wantState(id, job.StatusPending, job.PaymentPaid)
		if j.DueAt == nil || j.DueAt.After(b.Clock.Now()) {
			t.Fatalf("the paid job is not due now: %v", j.DueAt)
		}
	})
	t.Run("after checkout.session.expired", func(t *testing.T) {
		t.Parallel()
		b := setup(t, pipelinetest.Options{FakeStripe: true})
		id := b.Checkout("").JobID
		b.Deliver(b.sessionOf(id, "checkout.session.expired", "unpaid"))
		b.wantState(id, job.StatusAbandoned, job.PaymentPending)
		b.Deliver(b.sessionOf(id, "checkout.session.completed", "paid"))
		b.wantState(id, job.StatusPending, job.PaymentPaid)
		// The abandon sweep that runs afterwards leaves a paid job alone.
		b.Clock.Advance(25 * time.Hour)
		if _, err := b.Svc.Abandon(context.Background()); err != nil {
			t.Fatal(err)
		}
		b.wantState(id, job.StatusPending, job.PaymentPaid)
	})
}

func TestWebhookPaymentFailedThenPaid(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("").JobID
	pi := "pi_" + strings.ReplaceAll(id[:13], "-", "")
	failed := map[string]any{"id": pi, "object": "payment_intent", "status": "requires_payment_method",
		"metadata": map[string]string{"job_id": id, "source": "sell-my-images"}}
	b.Deliver(b.Signed("evt_pf_1", "payment_intent.payment_failed", failed))
	b.wantState(id, job.StatusAwaitingPayment, job.PaymentFailed)
	b.Deliver(b.sessionOf(id, "checkout.session.completed", "paid"))
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	// A failed attempt reported after the success changes nothing.
	b.Deliver(b.Signed("evt_pf_2", "payment_intent.payment_failed", failed))
	b.wantState(id, job.StatusPending, job.PaymentPaid)
}

func TestWebhookDelayedPayment(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ok := b.Checkout("").JobID
	b.Deliver(b.sessionOf(ok, "checkout.session.completed", "unpaid"))
	b.wantState(ok, job.StatusAwaitingPayment, job.PaymentPending)
	b.Deliver(b.sessionOf(ok, "checkout.session.async_payment_succeeded", "paid"))
	b.wantState(ok, job.StatusPending, job.PaymentPaid)

	bad := b.Checkout("").JobID
	b.Deliver(b.sessionOf(bad, "checkout.session.completed", "unpaid"))
	b.Deliver(b.sessionOf(bad, "checkout.session.async_payment_failed", "unpaid"))
	b.wantState(bad, job.StatusAbandoned, job.PaymentFailed)
}

func TestWebhookNotOursIsAcknowledged(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	id := b.Checkout("").JobID
	before := b.Get(id)
	counts, err := b.DB.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	strangerSession := map[string]any{"id": "cs_other", "object": "checkout.session", "payment_status": "paid",
		"status": "complete", "amount_total": 999, "currency": "usd", "payment_intent": "pi_other", "metadata": map[string]string{}}
	ghost := map[string]any{"id": "cs_ghost", "object": "checkout.session", "payment_status": "paid",
		"status": "complete", "amount_total": 50, "currency": "usd", "payment_intent": "pi_ghost",
		"metadata": map[string]string{"job_id": "00000000-0000-4000-8000-000000000000", "source": "sell-my-images"}}
	strangerCharge := map[string]any{"id": "ch_other", "object": "charge", "amount": 999, "amount_refunded": 999,
		"payment_intent": "pi_other", "refunded": true, "metadata": map[string]string{}}
	cases := []struct {
		name, typ string
		obj       any
	}{
		{"another app's checkout", "checkout.session.completed", strangerSession},
		{"a job we do not have", "checkout.session.completed", ghost},
		{"another app's refund", "charge.refunded", strangerCharge},
		{"an event type we do not use", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}},
	}
	for i, c := range cases {
		payload, sig := b.Signed("evt_stranger_"+string(rune('a'+i)), c.typ, c.obj)
		res, err := b.Svc.HandleStripeWebhook(ctx, payload, sig)
		if err != nil {
			t.Fatalf("%s: %v (Stripe would retry it for days)", c.name, err)
		}
		if !res.Ignored {
			t.Fatalf("%s: %+v, want ignored", c.name, res)
		}
	}
	after := b.Get(id)
	if after.Status != before.Status || after.PaymentStatus != before.PaymentStatus || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("our job changed: %+v", after)
	}
	counts2, _ := b.DB.Counts(ctx)
	if counts2.Total != counts.Total {
		t.Fatalf("jobs: %d → %d", counts.Total, counts2.Total)
	}
}

func TestWebhookBadSignature(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("").JobID
	payload, sig := b.sessionOf(id, "checkout.session.completed", "paid")
	forged, forgedSig := stripetest.SignEvent(t, "whsec_someone_else", stripetest.EventJSON("evt_forged", "checkout.session.completed",
		map[string]any{"id": "cs_x", "object": "checkout.session", "metadata": map[string]string{"job_id": id}}))
	tampered := []byte(strings.Replace(string(payload), `"paid"`, `"unpaid"`, 1))
	for name, c := range map[string]struct {
		body []byte
		sig  string
	}{
		"wrong secret": {forged, forgedSig},
		"tampered":     {tampered, sig},
		"no header":    {payload, ""},
	} {
		_, err := b.Svc.HandleStripeWebhook(context.Background(), c.body, c.sig)
		if !errors.Is(err, pipeline.ErrBadSignature) {
			t.Errorf("%s: %v, want ErrBadSignature", name, err)
		}
	}
	b.wantState(id, job.StatusAwaitingPayment, job.PaymentPending)
	// The genuine event still goes through: refusals recorded nothing.
	if r := b.Deliver(payload, sig); r.Duplicate {
		t.Fatal("the genuine event was taken for a duplicate")
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
}

func TestWebhookDashboardRefunds(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("buyer@example.com")

	first := b.Fake.AddDashboardRefund(pi, 20)
	b.Deliver(b.Signed("evt_ch_ref_1", "charge.refunded", b.Fake.Charge(pi)))
	j := b.wantState(id, job.StatusPending, job.PaymentPartiallyRefunded)
	if j.RefundAmount == nil || *j.RefundAmount != 20 {
		t.Fatalf("refund_amount %v, want 20", j.RefundAmount)
	}
	rs := b.Refunds(id)
	if len(rs) != 1 || rs[0].Source != "stripe" || rs[0].Status != "succeeded" || rs[0].Amount != 20 ||
		rs[0].StripeRefundID == nil || *rs[0].StripeRefundID != first.ID {
		t.Fatalf("refund history %+v", rs)
	}
	// The same refund again, as refund.updated: Stripe sends both.
	b.Deliver(b.Signed("evt_re_upd_1", "refund.updated", first))
	if rs := b.Refunds(id); len(rs) != 1 {
		t.Fatalf("the refund was counted twice: %+v", rs)
	}

	// The rest, reported first by charge.refund.updated (whose object is a
	// refund), then by charge.refunded.
	rest := b.Fake.AddDashboardRefund(pi, 0)
	b.Deliver(b.Signed("evt_ch_re_upd_2", "charge.refund.updated", rest))
	// Fully refunded before a worker took it: it is not upscaled.
	j = b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if j.LastError == nil || !strings.Contains(*j.LastError, "not upscaled") {
		t.Fatalf("last_error %v", j.LastError)
	}
	b.Deliver(b.Signed("evt_ch_ref_2", "charge.refunded", b.Fake.Charge(pi)))
	b.Deliver(b.Signed("evt_re_upd_2", "refund.updated", rest))
	j = b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if j.RefundAmount == nil || *j.RefundAmount != 50 {
		t.Fatalf("refund_amount %v, want 50", j.RefundAmount)
	}
	if rs := b.Refunds(id); len(rs) != 2 || store.RefundedTotal(rs) != 50 {
		t.Fatalf("refund history %+v, want the two dashboard refunds", rs)
	}
}

func TestWebhookConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	id, sessID, _ := b.PaidAtStripe("")
	sess := b.Fake.Session(sessID)
	// The same event from several Stripe workers at once, and the other
	// event that says the same thing, and WordPress's hook, all together.
	same, sameSig := b.Signed("evt_same", "checkout.session.completed", sess)
	async, asyncSig := b.Signed("evt_async", "checkout.session.async_payment_succeeded", sess)
	var fresh atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			var r *pipeline.WebhookResult
			switch i % 4 {
			case 0, 1:
				r, err = b.Svc.HandleStripeWebhook(ctx, same, sameSig)
				if err == nil && !r.Duplicate {
					fresh.Add(1)
				}
			case 2:
				_, err = b.Svc.HandleStripeWebhook(ctx, async, asyncSig)
			case 3:
				_, err = b.Svc.PaymentCompleted(ctx, id, false, job.ActorSystem)
			}
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if fresh.Load() != 1 {
		t.Fatalf("the same event was processed %d times", fresh.Load())
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	if n := b.Count(id, "payment_received"); n != 1 {
		t.Fatalf("%d payment_received events: %v", n, b.EventTypes(id))
	}
}

// A refund event whose handler cannot finish (Stripe's refund list is
// unreachable) is answered with an error and leaves no record: Stripe's
// retry then applies it. The event body's own refund list is never
// trusted in its place.
func TestRefundEventRetriedWhenStripeCannotList(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("buyer@example.com")
	b.Fake.AddDashboardRefund(pi, 0)
	payload, sig := b.Signed("evt_ch_ref_fail", "charge.refunded", b.Fake.Charge(pi))
	b.Fake.FailNext(500, "api_error", "Stripe is down")
	if _, err := b.Svc.HandleStripeWebhook(context.Background(), payload, sig); job.ErrorCode(err) != job.EUnavailable {
		t.Fatalf("err %v, want unavailable so Stripe retries", err)
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	res := b.Deliver(payload, sig)
	if res.Duplicate {
		t.Fatal("Stripe's retry was answered as a duplicate: the failed attempt left its record")
	}
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)
}
