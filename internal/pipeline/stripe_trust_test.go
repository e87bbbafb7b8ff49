package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// A checkout event pays for a job only when it is the job's own session,
// paid, for the quoted amount and currency. A foreign session naming the
// job (a Payment Link opened with client_reference_id=<job>), the job's
// own metadata at 1 cent, and a free session queue nothing: the event is
// on the timeline and the job is flagged.
func TestForeignOrCheapSessionsDoNotPay(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	for name, c := range map[string]struct {
		sess          func(j *job.Job) string
		status        string
		amount        func(j *job.Job) int64
		wantAttention string
	}{
		"foreign session by client_reference_id": {func(*job.Job) string { return "cs_test_foreign" }, "paid", func(j *job.Job) int64 { return int64(*j.AmountCharged) }, "not the one opened"},
		"own metadata at 1 cent":                 {func(j *job.Job) string { return "cs_test_cheap" }, "paid", func(*job.Job) int64 { return 1 }, "not the one opened"},
		"own session at 1 cent":                  {func(j *job.Job) string { return *j.StripeCheckoutSessionID }, "paid", func(*job.Job) int64 { return 1 }, "0.01 was paid"},
		"own session, nothing to pay":            {func(j *job.Job) string { return *j.StripeCheckoutSessionID }, "no_payment_required", func(*job.Job) int64 { return 0 }, "no_payment_required"},
	} {
		id := b.Checkout("").JobID
		j := b.Get(id)
		payload, sig := b.SessionEvent("evt_"+name, "checkout.session.completed", id, c.sess(j), "pi_x"+id[:6], c.status, c.amount(j), "")
		b.Deliver(payload, sig)
		after := b.wantState(id, job.StatusAwaitingPayment, job.PaymentPending)
		if after.AttentionReason == nil || !strings.Contains(*after.AttentionReason, c.wantAttention) {
			t.Errorf("%s: attention %q, want it to say %q", name, pipelinetest.Deref(after.AttentionReason), c.wantAttention)
		}
		if b.Count(id, "payment_mismatch") != 1 {
			t.Errorf("%s: the event is not on the timeline: %v", name, b.EventTypes(id))
		}
		if *after.AmountCharged != *j.AmountCharged {
			t.Errorf("%s: the quote was overwritten: %v → %v", name, *j.AmountCharged, *after.AmountCharged)
		}
	}
	// The job's own session at the quoted amount still pays.
	id := b.Checkout("genuine@example.com").JobID
	b.Pay(id)
	b.wantState(id, job.StatusPending, job.PaymentPaid)
}

// A refund recorded before Stripe's payment event keeps the job from being
// made; asynchronous payments succeed and fail the job.
func TestRefundBeforePaymentAndAsyncPayments(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, sessID, pi := b.PaidAtStripe("early@example.com")
	b.Fake.AddDashboardRefund(pi, 0)
	b.Deliver(b.Signed("evt_ref_first", "charge.refunded", b.Fake.Charge(pi)))
	b.Deliver(b.Signed("evt_paid_late", "checkout.session.completed", b.Fake.Session(sessID)))
	j := b.Get(id)
	if j.Status == job.StatusPending || j.Status == job.StatusProcessing || j.PaymentStatus != job.PaymentRefunded {
		t.Fatalf("refunded then paid: %s/%s, want not queued and refunded", j.Status, j.PaymentStatus)
	}
	if b.Work() != 0 {
		t.Fatal("a refunded job was upscaled")
	}

	// A bank debit: completed unpaid, then the money arrives.
	id2, sess2, _ := b.PaidAtStripe("debit@example.com")
	s2 := b.Fake.Session(sess2)
	s2.PaymentStatus = "unpaid"
	b.Deliver(b.Signed("evt_unpaid", "checkout.session.completed", s2))
	b.wantState(id2, job.StatusAwaitingPayment, job.PaymentPending)
	s2.PaymentStatus = "paid"
	b.Deliver(b.Signed("evt_async_ok", "checkout.session.async_payment_succeeded", s2))
	b.wantState(id2, job.StatusPending, job.PaymentPaid)

	// And one whose debit bounces.
	id3, sess3, _ := b.PaidAtStripe("bounce@example.com")
	s3 := b.Fake.Session(sess3)
	s3.PaymentStatus = "unpaid"
	b.Deliver(b.Signed("evt_async_fail", "checkout.session.async_payment_failed", s3))
	b.wantState(id3, job.StatusAbandoned, job.PaymentFailed)
}

func disputeObject(id, pi, status string, amount int64) map[string]any {
	return map[string]any{"id": id, "object": "dispute", "charge": "ch_" + pi, "payment_intent": pi, "amount": amount,
		"currency": "usd", "reason": "fraudulent", "status": status}
}

// A dispute revokes the download and shows on the job; closed and won,
// the link works again; lost, it stays revoked.
func TestDisputeRevokesAndWinRestores(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	for _, outcome := range []string{"won", "lost"} {
		email := outcome + "@example.com"
		id, pi := b.Paid(email)
		b.Work()
		b.Clock.Advance(31 * time.Second)
		b.Poll()
		b.wantState(id, job.StatusCompleted, job.PaymentPaid)
		token := b.tokenMailed(email)
		amount := int64(*b.Get(id).AmountCharged)
		b.Deliver(b.Signed("evt_dp_new_"+outcome, "charge.dispute.created", disputeObject("dp_"+outcome, pi, "needs_response", amount)))
		j := b.wantState(id, job.StatusCompleted, job.PaymentDisputed)
		if pipelinetest.Deref(j.DisputeStatus) != "needs_response" || pipelinetest.Deref(j.DisputeReason) != "fraudulent" || j.DisputeAmount == nil || int64(*j.DisputeAmount) != amount {
			t.Fatalf("dispute not recorded: %v %v %v", pipelinetest.Deref(j.DisputeStatus), pipelinetest.Deref(j.DisputeReason), j.DisputeAmount)
		}
		if _, err := b.download(token); err == nil {
			t.Fatalf("%s: the link still downloads during a dispute", outcome)
		}
		b.Deliver(b.Signed("evt_dp_closed_"+outcome, "charge.dispute.closed", disputeObject("dp_"+outcome, pi, outcome, amount)))
		_, err := b.download(token)
		if outcome == "won" {
			b.wantState(id, job.StatusCompleted, job.PaymentPaid)
			if err != nil {
				t.Fatalf("won dispute: the link does not work again: %v", err)
			}
		} else {
			b.wantState(id, job.StatusCompleted, job.PaymentDisputed)
			if err == nil {
				t.Fatal("lost dispute: the link works")
			}
		}
	}
}

// An early fraud warning refunds the charge in full and revokes the link.
func TestEarlyFraudWarningRefunds(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: pipeline.Config{RefundOnFraudWarning: true}})
	id, pi := b.Paid("fraud@example.com")
	efw := map[string]any{"id": "issfr_1", "object": "radar.early_fraud_warning", "charge": "ch_" + pi, "payment_intent": pi,
		"fraud_type": "made_with_stolen_card", "actionable": true}
	b.Deliver(b.Signed("evt_efw", "radar.early_fraud_warning.created", efw))
	b.Deliver(b.Signed("evt_efw", "radar.early_fraud_warning.created", efw)) // delivered twice
	j := b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if len(b.Fake.Refunds(pi)) != 1 || int64(*j.RefundAmount) != int64(*j.AmountCharged) {
		t.Fatalf("Stripe holds %d refunds, refund_amount %v", len(b.Fake.Refunds(pi)), j.RefundAmount)
	}
	if b.Work() != 0 {
		t.Fatal("a refunded job was upscaled")
	}
}

// The fraud warning's refund is asked of Stripe after the event's
// transaction commits, not inside it: while Stripe answers, nothing holds
// the job's row (a slow Stripe would block every write to the job for up
// to a minute and a half, and an event rolled back after Stripe refunded
// would forget the refund).
func TestFraudWarningRefundIsAskedOfStripeOutsideTheEventsTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: pipeline.Config{RefundOnFraudWarning: true}})
	id, pi := b.Paid("slow-stripe@example.com")
	var asked int
	var held error
	b.Fake.OnRefundRequest(func() {
		asked++
		// Another connection, as another writer of the job would come.
		_, held = b.SQL.Exec("SELECT job_id FROM wp_smi_jobs WHERE job_id = ? FOR UPDATE NOWAIT", id)
	})
	b.Deliver(b.Signed("evt_efw_lock", "radar.early_fraud_warning.created", map[string]any{"id": "issfr_lock", "object": "radar.early_fraud_warning",
		"charge": "ch_" + pi, "payment_intent": pi, "fraud_type": "made_with_stolen_card", "actionable": true}))
	if asked != 1 {
		t.Fatalf("Stripe was asked for %d refunds, want 1", asked)
	}
	if held != nil {
		t.Fatalf("the job's row was held while Stripe was asked: %v", held)
	}
	j := b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if len(b.Fake.Refunds(pi)) != 1 || int64(*j.RefundAmount) != int64(*j.AmountCharged) {
		t.Fatalf("Stripe holds %d refunds, refund_amount %v", len(b.Fake.Refunds(pi)), j.RefundAmount)
	}
}

// Another payment of the Stripe account whose metadata names a job (a
// Payment Link or a manual charge set up with the job id, a staging copy
// charging again) is not the job's payment: its refund, its dispute and
// its fraud warning leave the job's refund history, payment status, link
// and own charge alone. Each is on the job's timeline, flagged for an
// admin.
func TestAnotherPaymentNamingAJobIsNotItsPayment(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: pipeline.Config{RefundOnFraudWarning: true}})
	id, pi := b.Paid("owner@example.com")
	b.Work()
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	token := b.tokenMailed("owner@example.com")
	amount := int64(*b.Get(id).AmountCharged)

	other := "pi_other_payment_naming_the_job"
	b.Fake.SetPaymentIntent(other, amount, "usd", map[string]string{stripe.MetaJobID: id})
	b.Fake.AddDashboardRefund(other, 0)
	b.Deliver(b.Signed("evt_other_refund", "charge.refunded", b.Fake.Charge(other)))
	b.Deliver(b.Signed("evt_other_dispute", "charge.dispute.created", disputeObject("dp_other", other, "needs_response", amount)))
	b.Deliver(b.Signed("evt_other_efw", "radar.early_fraud_warning.created", map[string]any{"id": "issfr_other", "object": "radar.early_fraud_warning",
		"charge": "ch_" + other, "payment_intent": other, "fraud_type": "made_with_stolen_card", "actionable": true}))

	j := b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if j.RefundAmount != nil && *j.RefundAmount != 0 {
		t.Fatalf("another payment's refund was recorded on the job: refund_amount %v", *j.RefundAmount)
	}
	if n := len(b.Fake.Refunds(pi)); n != 0 {
		t.Fatalf("the job's own charge was refunded %d time(s) for another payment's fraud warning", n)
	}
	if _, err := b.download(token); err != nil {
		t.Fatalf("the customer's link died: %v", err)
	}
	if n := b.Count(id, "foreign_payment"); n != 3 || j.AttentionReason == nil {
		t.Fatalf("%d foreign_payment events, attention %v; timeline %v", n, j.AttentionReason, b.EventTypes(id))
	}
}

// Reconcile says what it did: a paid checkout at Stripe that does not pay
// for the job (here the job's quote and Stripe's amount differ) is not
// reported as "recorded; queued", and nothing is queued.
func TestReconcileSaysWhenStripesPaymentDoesNotPayForTheJob(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, _, _ := b.PaidAtStripe("mismatch@example.com")
	if _, err := b.SQL.Exec("UPDATE wp_smi_jobs SET amount_charged = amount_charged + 1 WHERE job_id = ?", id); err != nil {
		t.Fatal(err)
	}
	res, err := b.Svc.Reconcile(context.Background(), id, job.ActorSystem)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 1 || !strings.Contains(res.Changes[0], "does not match") {
		t.Fatalf("reconcile reported %q", res.Changes)
	}
	if j := b.wantState(id, job.StatusAwaitingPayment, job.PaymentPending); j.AttentionReason == nil {
		t.Fatal("the job is not flagged")
	}
}
