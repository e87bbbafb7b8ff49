package admin_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
)

// chargeRefunded delivers Stripe's charge.refunded for the PaymentIntent as
// it stands now.
func (b *bundle) chargeRefunded(evID, pi string) {
	b.T.Helper()
	b.Deliver(b.Signed(evID, "charge.refunded", b.Fake.Charge(pi)))
}

// refundIDsUnique fails if a Stripe refund is in the history twice.
func (b *bundle) refundIDsUnique(jobID string) {
	b.T.Helper()
	seen := map[string]bool{}
	for _, r := range b.Refunds(jobID) {
		if r.StripeRefundID == nil {
			continue
		}
		if seen[*r.StripeRefundID] {
			b.T.Fatalf("Stripe refund %s is recorded twice: %+v", *r.StripeRefundID, b.Refunds(jobID))
		}
		seen[*r.StripeRefundID] = true
	}
}

func TestDashboardRefundByWebhookWhileAdminRefunds(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	for round := range 6 {
		id, pi := b.Paid(fmt.Sprintf("dash%d@example.com", round))
		// The dashboard refunds 30 of 50; its webhook and an admin's refund
		// of 30 arrive together. Only one of them can have the money.
		b.Fake.AddDashboardRefund(pi, 30)
		var wg sync.WaitGroup
		var adminErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, adminErr = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(30), Reason: "customer asked"}, fmt.Sprint("r-", round))
		}()
		go func() {
			defer wg.Done()
			b.chargeRefunded(fmt.Sprintf("evt_dash_%d", round), pi)
		}()
		wg.Wait()
		if adminErr == nil {
			t.Fatal("the admin's refund went through on top of the dashboard's")
		}
		// Either we saw the dashboard refund first (400: more than is
		// left) or Stripe refused it (402, with its message).
		if c := job.ErrorCode(adminErr); c != job.EInvalid && c != job.EPaymentRefused {
			t.Fatalf("admin refund: %v", adminErr)
		}
		b.refundIDsUnique(id)
		if got := store.RefundedTotal(b.Refunds(id)); got != 30 || b.stripeTotal(pi) != 30 {
			t.Fatalf("history %d, Stripe %d, want 30", got, b.stripeTotal(pi))
		}
		if j := b.Get(id); j.PaymentStatus != job.PaymentPartiallyRefunded || *j.RefundAmount != 30 {
			t.Fatalf("job %s %v", j.PaymentStatus, j.RefundAmount)
		}
	}
}

func TestAdminRefundAndItsWebhookCountOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	for round := range 4 {
		id, pi := b.Paid(fmt.Sprintf("own%d@example.com", round))
		// Stripe's webhooks for the admin's own refund race its answer.
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				b.chargeRefunded(fmt.Sprintf("evt_own_%d_%d", round, i), pi)
			}
		}()
		res, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(20), Reason: "late"}, fmt.Sprint("own-", round))
		close(done)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		b.chargeRefunded(fmt.Sprintf("evt_own_%d_last", round), pi)
		b.refundIDsUnique(id)
		rs := b.Refunds(id)
		if len(rs) != 1 || store.RefundedTotal(rs) != 20 || rs[0].Actor != admin1 || rs[0].Reason != "late" || rs[0].Source != "admin" {
			t.Fatalf("history %+v, want the admin's one refund of 20", rs)
		}
		if *rs[0].StripeRefundID != *res.Refund.StripeRefundID {
			t.Fatal("the history holds another Stripe refund than the answer")
		}
		if ev := b.lastEvent(id, "refunded"); ev.Actor != admin1 || ev.Data["stripe_refund_id"] != *res.Refund.StripeRefundID {
			t.Fatalf("the admin's refund event %+v", ev)
		}
		if j := b.Get(id); j.PaymentStatus != job.PaymentPartiallyRefunded || *j.RefundAmount != 20 {
			t.Fatalf("job %s %v", j.PaymentStatus, j.RefundAmount)
		}
	}
}
