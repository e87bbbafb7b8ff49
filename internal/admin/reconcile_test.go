package admin_test

import (
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

func TestReconcileRepairsADroppedWebhook(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})

	// Paid at Stripe; checkout.session.completed never came.
	id, _, pi := b.unpaidAtStripe("dropped@example.com")
	if j := b.get(id); j.Status != job.StatusAwaitingPayment {
		t.Fatalf("before: %s", j.Status)
	}
	res, err := b.adm.Reconcile(b.ctx, id, admin1)
	if err != nil || len(res.Changes) == 0 {
		t.Fatalf("reconcile: %+v %v", res, err)
	}
	j := b.get(id)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || deref(j.StripePaymentIntentID) != pi || j.DueAt == nil {
		t.Fatalf("after reconcile: %s/%s pi %s", j.Status, j.PaymentStatus, deref(j.StripePaymentIntentID))
	}
	if ev := b.lastEvent(id, "payment_received"); ev.Actor != admin1 || ev.Data["payment_intent"] != pi {
		t.Fatalf("event %+v", ev)
	}
	// Again: nothing to repair, and it says so.
	res, err = b.adm.Reconcile(b.ctx, id, admin1)
	if err != nil || len(res.Changes) != 0 {
		t.Fatalf("second reconcile: %+v %v", res, err)
	}
	if ev := b.lastEvent(id, "reconciled"); ev.Actor != admin1 {
		t.Fatalf("event %+v", ev)
	}

	// A dashboard refund whose webhook was dropped: brought in once.
	tok := b.complete(id)
	b.fake.AddDashboardRefund(pi, 20)
	if _, err := b.adm.Reconcile(b.ctx, id, admin1); err != nil {
		t.Fatal(err)
	}
	if j := b.get(id); j.PaymentStatus != job.PaymentPartiallyRefunded || store.RefundedTotal(b.refunds(id)) != 20 {
		t.Fatalf("after the partial: %s, %d", j.PaymentStatus, store.RefundedTotal(b.refunds(id)))
	}
	if err := b.canDownload(tok); err != nil {
		t.Fatalf("a partial refund broke the link: %v", err)
	}
	b.fake.AddDashboardRefund(pi, 0)
	for range 2 {
		if _, err := b.adm.Reconcile(b.ctx, id, admin1); err != nil {
			t.Fatal(err)
		}
	}
	b.refundIDsUnique(id)
	if j := b.get(id); j.PaymentStatus != job.PaymentRefunded || store.RefundedTotal(b.refunds(id)) != 50 || len(b.refunds(id)) != 2 {
		t.Fatalf("after the rest: %s, %+v", j.PaymentStatus, b.refunds(id))
	}
	if b.canDownload(tok) == nil {
		t.Fatal("the link still works after the full refund came in by reconcile")
	}

	// An expired checkout nobody told us about.
	id = b.checkout("never@example.com")
	_, err = b.adm.Reconcile(b.ctx, id, admin1)
	if err != nil {
		t.Fatal(err)
	}
	if j := b.get(id); j.Status != job.StatusAwaitingPayment {
		t.Fatalf("an open checkout was moved to %s", j.Status)
	}
	_, err = b.adm.Reconcile(b.ctx, newID(), admin1)
	wantErr(t, err, job.ENotFound, "")
}
