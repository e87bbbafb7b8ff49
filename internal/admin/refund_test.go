package admin_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
)

func amount(n int64) *int64 { return &n }

// stripeTotal is what Stripe has refunded on the PaymentIntent.
func (b *bundle) stripeTotal(pi string) int64 {
	var n int64
	for _, r := range b.Fake.Refunds(pi) {
		n += r.Amount
	}
	return n
}

func TestRefundPartialThenRestRevokesTheLink(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi, tok := b.completedJob("refund@example.com")

	res, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(20), Reason: "print was cropped"}, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Refund.Status != "succeeded" || res.Refund.Amount != 20 || res.Refund.StripeRefundID == nil ||
		res.Job.PaymentStatus != job.PaymentPartiallyRefunded || res.Existing {
		t.Fatalf("partial refund %+v, job %s", res.Refund, res.Job.PaymentStatus)
	}
	ev := b.lastEvent(id, "refunded")
	if ev.Actor != admin1 || !strings.Contains(ev.Message, "print was cropped") || ev.Data["stripe_refund_id"] != *res.Refund.StripeRefundID ||
		ev.Data["payment_status_before"] != "paid" || ev.Data["payment_status_after"] != "partially_refunded" {
		t.Fatalf("refunded event %+v", ev)
	}
	if err := b.canDownload(tok); err != nil {
		t.Fatalf("a partial refund broke the link: %v", err)
	}

	// No amount: whatever is left.
	res, err = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Reason: "customer unhappy"}, "key-2")
	if err != nil {
		t.Fatal(err)
	}
	if res.Refund.Amount != 30 || res.Job.PaymentStatus != job.PaymentRefunded {
		t.Fatalf("refund of the rest: %d, %s", res.Refund.Amount, res.Job.PaymentStatus)
	}
	if b.stripeTotal(pi) != 50 || store.RefundedTotal(b.Refunds(id)) != 50 {
		t.Fatalf("Stripe refunded %d, history says %d, want 50", b.stripeTotal(pi), store.RefundedTotal(b.Refunds(id)))
	}
	if b.canDownload(tok) == nil {
		t.Fatal("the link still works after a full refund (downloads.revoke_on_full_refund)")
	}
	_, err = b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "refunded") {
		t.Fatalf("regenerating a refunded job's link: %q", e.Message)
	}
	_, err = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Reason: "again"}, "key-3")
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "fully refunded") {
		t.Fatalf("refund of a refunded job: %q", e.Message)
	}
	if n := b.Fake.RefundRequests(); n != 2 {
		t.Fatalf("%d refund requests reached Stripe, want 2", n)
	}
}

func TestRefundBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("bad@example.com")
	unpaid := b.Checkout("unpaid@example.com").JobID
	cases := []struct {
		name  string
		job   string
		p     admin.RefundParams
		key   string
		code  string
		param string
	}{
		{"no reason", id, admin.RefundParams{Amount: amount(10)}, "k", job.EInvalid, "reason"},
		{"blank reason", id, admin.RefundParams{Reason: "  "}, "k", job.EInvalid, "reason"},
		{"long reason", id, admin.RefundParams{Reason: strings.Repeat("r", 1001)}, "k", job.EInvalid, "reason"},
		{"zero", id, admin.RefundParams{Amount: amount(0), Reason: "r"}, "k", job.EInvalid, "amount"},
		{"negative", id, admin.RefundParams{Amount: amount(-5), Reason: "r"}, "k", job.EInvalid, "amount"},
		{"more than charged", id, admin.RefundParams{Amount: amount(51), Reason: "r"}, "k", job.EInvalid, "amount"},
		{"no key", id, admin.RefundParams{Amount: amount(10), Reason: "r"}, " ", job.EInvalid, "Idempotency-Key"},
		{"long key", id, admin.RefundParams{Amount: amount(10), Reason: "r"}, strings.Repeat("k", 201), job.EInvalid, "Idempotency-Key"},
		{"not paid", unpaid, admin.RefundParams{Reason: "r"}, "k", job.EConflict, ""},
		{"no such job", newID(), admin.RefundParams{Reason: "r"}, "k", job.ENotFound, ""},
	}
	for _, c := range cases {
		_, err := b.Admin.Refund(b.ctx, c.job, admin1, c.p, c.key)
		var e *job.Error
		if !errorAs(err, &e) || e.Code != c.code || e.Param != c.param || e.Message == "" {
			t.Errorf("%s: got %v, want %s naming %q", c.name, err, c.code, c.param)
		}
	}
	if rs := b.Refunds(id); len(rs) != 0 {
		t.Fatalf("refused refunds left %d rows", len(rs))
	}
	if j := b.Get(id); j.PaymentStatus != job.PaymentPaid || j.RefundAmount != nil {
		t.Fatalf("refused refunds moved the job: %s %v", j.PaymentStatus, j.RefundAmount)
	}
	if b.Fake.RefundRequests() != 0 || b.stripeTotal(pi) != 0 {
		t.Fatal("a refused refund reached Stripe")
	}
	if b.Count(id, "refunded")+b.Count(id, "refund_refused") != 0 {
		t.Fatal("a refused refund left an event")
	}
}

func TestRefundStripeRefusalsCarryStripesMessage(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})

	// Disputed: Stripe refuses, and says why.
	id, pi := b.Paid("disputed@example.com")
	b.Fake.SetDisputed(pi)
	_, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Reason: "customer asked"}, "d-1")
	if e := wantErr(t, err, job.EPaymentRefused, ""); !strings.Contains(e.Message, "charged back") {
		t.Fatalf("refusal %q should carry Stripe's message", e.Message)
	}
	j := b.Get(id)
	if j.PaymentStatus != job.PaymentPaid || j.RefundAmount != nil || j.LastError == nil {
		t.Fatalf("after a refused refund: %s %v, last error %v", j.PaymentStatus, j.RefundAmount, j.LastError)
	}
	rs := b.Refunds(id)
	if len(rs) != 1 || rs[0].Status != "failed" || rs[0].Error == nil || store.RefundedTotal(rs) != 0 {
		t.Fatalf("refused refund recorded as %+v", rs)
	}
	if ev := b.lastEvent(id, "refund_refused"); ev.Actor != admin1 || !strings.Contains(ev.Message, "charged back") {
		t.Fatalf("refund_refused event %+v", ev)
	}

	// Refunded in the dashboard, webhook not here yet: Stripe says so.
	id, pi = b.Paid("dashboard@example.com")
	b.Fake.AddDashboardRefund(pi, 0)
	_, err = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Reason: "customer asked"}, "a-1")
	if e := wantErr(t, err, job.EPaymentRefused, ""); !strings.Contains(e.Message, "already been refunded") {
		t.Fatalf("refusal %q should carry Stripe's message", e.Message)
	}
	if b.stripeTotal(pi) != 50 || store.RefundedTotal(b.Refunds(id)) != 0 {
		t.Fatalf("Stripe %d, history %d", b.stripeTotal(pi), store.RefundedTotal(b.Refunds(id)))
	}
	// Reconcile brings the dashboard refund in.
	if _, err := b.Admin.Reconcile(b.ctx, id, admin1); err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.PaymentStatus != job.PaymentRefunded || store.RefundedTotal(b.Refunds(id)) != 50 {
		t.Fatalf("after reconcile: %s, %d refunded", j.PaymentStatus, store.RefundedTotal(b.Refunds(id)))
	}

	// Stripe down: 502, the reservation waits, and the same key later goes through once.
	id, pi = b.Paid("outage@example.com")
	b.Fake.FailNext(http.StatusInternalServerError, "", "Stripe is having a bad day")
	_, err = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(15), Reason: "late delivery"}, "o-1")
	wantErr(t, err, job.EBadGateway, "")
	if b.stripeTotal(pi) != 0 {
		t.Fatal("a failed request refunded")
	}
	res, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(15), Reason: "late delivery"}, "o-1")
	if err != nil || res.Refund.Status != "succeeded" {
		t.Fatalf("the same key after the outage: %+v %v", res, err)
	}
	if b.stripeTotal(pi) != 15 || len(b.Refunds(id)) != 1 || store.RefundedTotal(b.Refunds(id)) != 15 {
		t.Fatalf("Stripe %d, history %+v", b.stripeTotal(pi), b.Refunds(id))
	}
}

func TestRefundWithStripeMock(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	id := b.Checkout("mock@example.com").JobID
	j := b.Get(id)
	b.Deliver(b.SessionEvent("evt_paid", "checkout.session.completed", id, *j.StripeCheckoutSessionID, "pi_mock", "paid", 50, ""))
	res, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(20), Reason: "wrong size"}, "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Refund.StripeRefundID == nil || !strings.HasPrefix(*res.Refund.StripeRefundID, "re_") || res.Job.PaymentStatus != job.PaymentPartiallyRefunded {
		t.Fatalf("refund %+v, job %s", res.Refund, res.Job.PaymentStatus)
	}
	if ev := b.lastEvent(id, "refunded"); ev.Data["stripe_refund_id"] != *res.Refund.StripeRefundID || ev.Actor != admin1 {
		t.Fatalf("event %+v", ev)
	}
}

func TestConcurrentPartialRefundsNeverExceedTheCharge(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("many@example.com")
	const n, each = 20, 4 // 80 asked of a 50 charge
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(each), Reason: "goodwill"}, fmt.Sprint("c-", i))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantErr(t, err, job.EInvalid, "amount")
	}
	if ok != 50/each {
		t.Fatalf("%d refunds went through, want %d", ok, 50/each)
	}
	if got := b.stripeTotal(pi); got != int64(ok*each) {
		t.Fatalf("Stripe refunded %d, want %d", got, ok*each)
	}
	j := b.Get(id)
	if total := store.RefundedTotal(b.Refunds(id)); total != job.Money(ok*each) || j.RefundAmount == nil || *j.RefundAmount != total {
		t.Fatalf("history %d, job column %v, want %d", total, j.RefundAmount, ok*each)
	}
	if j.PaymentStatus != job.PaymentPartiallyRefunded {
		t.Fatalf("payment status %s", j.PaymentStatus)
	}
}

func TestRefundSameIdempotencyKeyReplayed(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("replay@example.com")
	p := admin.RefundParams{Amount: amount(10), Reason: "double click"}

	// Two at once and one after: one refund.
	var wg sync.WaitGroup
	results := make([]*int64, 3)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := b.Admin.Refund(b.ctx, id, admin1, p, "same-key")
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = &res.Refund.ID
		}()
	}
	wg.Wait()
	res, err := b.Admin.Refund(b.ctx, id, admin1, p, "same-key")
	if err != nil || !res.Existing {
		t.Fatalf("replay: %+v %v", res, err)
	}
	for _, r := range results[:2] {
		if r == nil || *r != res.Refund.ID {
			t.Fatalf("replays answered different refunds: %v vs %d", r, res.Refund.ID)
		}
	}
	if b.stripeTotal(pi) != 10 || len(b.Fake.Refunds(pi)) != 1 || len(b.Refunds(id)) != 1 {
		t.Fatalf("Stripe %d in %d refunds, history %d rows", b.stripeTotal(pi), len(b.Fake.Refunds(pi)), len(b.Refunds(id)))
	}
	if n := b.Count(id, "refunded"); n != 1 {
		t.Fatalf("%d refunded events, want 1", n)
	}

	// The key belongs to this job.
	other, _ := b.Paid("other@example.com")
	_, err = b.Admin.Refund(b.ctx, other, admin1, p, "same-key")
	wantErr(t, err, job.EInvalid, "Idempotency-Key")
	if len(b.Refunds(other)) != 0 {
		t.Fatal("a key of another job refunded this one")
	}
}
