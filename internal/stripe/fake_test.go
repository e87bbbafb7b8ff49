package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

type fakeBundle struct {
	fake   *stripetest.Fake
	client *stripe.Client
	ctx    context.Context
}

// setup starts a Fake holding one paid PaymentIntent pi_1 of $10.00.
func setup(t *testing.T) fakeBundle {
	t.Helper()
	f := stripetest.NewFake(t)
	f.SetPaymentIntent("pi_1", 1000, "usd", map[string]string{"job_id": "job-1"})
	return fakeBundle{
		fake:   f,
		client: newClient(t, stripe.Config{SecretKey: testKey, APIBase: f.URL(), MaxNetworkRetries: -1}),
		ctx:    context.Background(),
	}
}

func (b fakeBundle) refund(t *testing.T, amount int64, key string) (stripe.Refund, error) {
	t.Helper()
	r, err := b.client.CreateRefund(b.ctx, stripe.RefundInput{
		PaymentIntentID: "pi_1", Amount: amount, Reason: "customer asked", JobID: "job-1",
		Actor: "wp:1:admin", IdempotencyKey: key,
	})
	assertNoKey(t, err, testKey)
	return r, err
}

func wantKind(t *testing.T, err error, kind stripe.ErrKind, code string) *stripe.Error {
	t.Helper()
	var se *stripe.Error
	if !errors.As(err, &se) || se.Kind != kind || se.Code != code {
		t.Fatalf("err = %v, want kind %s code %q", err, kind, code)
	}
	return se
}

func TestCheckoutPaidOnFake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s, err := b.client.CreateCheckoutSession(b.ctx, checkoutInput("job-2"))
	if err != nil {
		t.Fatal(err)
	}
	if s.URL == "" || s.Status != "open" || s.AmountTotal != 1299 || s.JobID() != "job-2" {
		t.Fatalf("created session = %+v", s)
	}
	b.fake.SetSessionPaid(s.ID, "pi_2")
	got, err := b.client.GetCheckoutSession(b.ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentIntentID != "pi_2" || got.PaymentStatus != "paid" || got.CustomerEmail != "buyer@example.com" {
		t.Fatalf("paid session = %+v", got)
	}
	pi, err := b.client.GetPaymentIntent(b.ctx, "pi_2")
	if err != nil {
		t.Fatal(err)
	}
	// payment_intent_data.metadata is what lets charge and refund events find the job.
	if pi.Metadata["job_id"] != "job-2" || pi.Metadata["source"] != "sell-my-images" || pi.AmountReceived != 1299 {
		t.Fatalf("payment intent = %+v", pi)
	}
}

func TestPartialRefundsThenRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, amount := range []int64{300, 200} {
		if _, err := b.refund(t, amount, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err := b.refund(t, 600, "")
	se := wantKind(t, err, stripe.KindRefused, "amount_too_large")
	if !strings.Contains(se.Message, "greater than unrefunded amount on charge ($5.00)") {
		t.Fatalf("message = %q, want Stripe's", se.Message)
	}
	rest, err := b.refund(t, 0, "") // 0 = whatever is left
	if err != nil || rest.Amount != 500 {
		t.Fatalf("refund of the rest = %+v, %v", rest, err)
	}
	_, err = b.refund(t, 1, "")
	wantKind(t, err, stripe.KindRefused, "charge_already_refunded")

	rs, err := b.client.ListRefunds(b.ctx, "pi_1")
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, r := range rs {
		total += r.Amount
		if r.Reason != "customer asked" || r.Metadata["job_id"] != "job-1" || r.Metadata["actor"] != "wp:1:admin" {
			t.Fatalf("refund = %+v", r)
		}
	}
	if len(rs) != 3 || total != 1000 {
		t.Fatalf("refunds = %+v, want 3 totalling 1000", rs)
	}
}

func TestRefundIdempotencyReplay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, err := b.refund(t, 300, "job-1-refund-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.refund(t, 300, "job-1-refund-1")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || len(b.fake.Refunds("pi_1")) != 1 || b.fake.RefundRequests() != 2 {
		t.Fatalf("replay gave %s (first %s), %d refunds after %d requests",
			again.ID, first.ID, len(b.fake.Refunds("pi_1")), b.fake.RefundRequests())
	}
}

func TestInjectedFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.FailNext(http.StatusInternalServerError, "", "An unknown error occurred")
	_, err := b.refund(t, 300, "job-1-refund-1")
	wantKind(t, err, stripe.KindUnavailable, "")
	// The failure happened before Stripe recorded anything: retrying the
	// same key refunds once.
	if _, err := b.refund(t, 300, "job-1-refund-1"); err != nil {
		t.Fatal(err)
	}
	if n := len(b.fake.Refunds("pi_1")); n != 1 {
		t.Fatalf("%d refunds, want 1", n)
	}
}

func TestDisputedChargeRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetDisputed("pi_1")
	_, err := b.refund(t, 0, "")
	wantKind(t, err, stripe.KindRefused, "charge_disputed")
}

func TestConcurrentRefundsNeverOverRefund(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = b.client.CreateRefund(b.ctx, stripe.RefundInput{
				PaymentIntentID: "pi_1", Amount: 100, IdempotencyKey: fmt.Sprintf("k-%d", i),
			})
		})
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		switch stripe.KindOf(err) {
		case "":
			ok++
		case stripe.KindRefused:
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 10 {
		t.Fatalf("%d refunds of 100 on 1000 succeeded, want 10", ok)
	}
}

func TestListRefundsPaginates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for range 150 {
		b.fake.AddDashboardRefund("pi_1", 1)
	}
	rs, err := b.client.ListRefunds(b.ctx, "pi_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 150 || rs[0].Created.Before(rs[149].Created) {
		t.Fatalf("got %d refunds, want 150 newest first", len(rs))
	}
}
