package admin_test

import (
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
)

func TestReconcileRepairsADroppedWebhook(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})

	// Paid at Stripe; checkout.session.completed never came.
	id, _, pi := b.PaidAtStripe("dropped@example.com")
	if j := b.Get(id); j.Status != job.StatusAwaitingPayment {
		t.Fatalf("before: %s", j.Status)
	}
	res, err := b.Admin.Reconcile(b.ctx, id, admin1)
	if err != nil || len(res.Changes) == 0 {
		t.Fatalf("reconcile: %+v %v", res, err)
	}
	j := b.Get(id)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || pipelinetest.Deref(j.StripePaymentIntentID) != pi || j.DueAt == nil {
		t.Fatalf("after reconcile: %s/%s pi %s", j.Status, j.PaymentStatus, pipelinetest.Deref(j.StripePaymentIntentID))
	}
	if ev := b.lastEvent(id, "payment_received"); ev.Actor != admin1 || ev.Data["payment_intent"] != pi {
		t.Fatalf("event %+v", ev)
	}
	// Again: nothing to repair, and it says so.
	res, err = b.Admin.Reconcile(b.ctx, id, admin1)
	if err != nil || len(res.Changes) != 0 {
		t.Fatalf("second reconcile: %+v %v", res, err)
	}
	if ev := b.lastEvent(id, "reconciled"); ev.Actor != admin1 {
		t.Fatalf("event %+v", ev)
	}

	// A dashboard refund whose webhook was dropped: brought in once.
	tok := b.complete(id)
	b.Fake.AddDashboardRefund(pi, 20)
	if _, err := b.Admin.Reconcile(b.ctx, id, admin1); err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.PaymentStatus != job.PaymentPartiallyRefunded || store.RefundedTotal(b.Refunds(id)) != 20 {
		t.Fatalf("after the partial: %s, %d", j.PaymentStatus, store.RefundedTotal(b.Refunds(id)))
	}
	if err := b.canDownload(tok); err != nil {
		t.Fatalf("a partial refund broke the link: %v", err)
	}
	b.Fake.AddDashboardRefund(pi, 0)
	for range 2 {
		if _, err := b.Admin.Reconcile(b.ctx, id, admin1); err != nil {
			t.Fatal(err)
		}
	}
	b.refundIDsUnique(id)
	if j := b.Get(id); j.PaymentStatus != job.PaymentRefunded || store.RefundedTotal(b.Refunds(id)) != 50 || len(b.Refunds(id)) != 2 {
		t.Fatalf("after the rest: %s, %+v", j.PaymentStatus, b.Refunds(id))
	}
	if b.canDownload(tok) == nil {
		t.Fatal("the link still works after the full refund came in by reconcile")
	}

	// An expired checkout nobody told us about.
	id = b.Checkout("never@example.com").JobID
	_, err = b.Admin.Reconcile(b.ctx, id, admin1)
	if err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.Status != job.StatusAwaitingPayment {
		t.Fatalf("an open checkout was moved to %s", j.Status)
	}
	_, err = b.Admin.Reconcile(b.ctx, newID(), admin1)
	wantErr(t, err, job.ENotFound, "")
}
