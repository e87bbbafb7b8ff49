package stripe_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

const testKey = "sk_test_smid0123456789abcdef"

// TestStripeMock runs the client against the real stripe-mock, which
// validates every request against Stripe's OpenAPI spec; the answers are
// canned, so we check shape, not state.
func TestStripeMock(t *testing.T) {
	base := stripetest.StartMock(t)
	c := newClient(t, stripe.Config{SecretKey: testKey, APIBase: base})
	ctx := context.Background()

	t.Run("CreateCheckoutSession", func(t *testing.T) {
		t.Parallel()
		s, err := c.CreateCheckoutSession(ctx, checkoutInput("job-1"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s.ID, "cs_") || s.URL == "" {
			t.Fatalf("session = %+v, want a cs_ id and a url", s)
		}
	})
	t.Run("GetCheckoutSession", func(t *testing.T) {
		t.Parallel()
		s, err := c.GetCheckoutSession(ctx, "cs_test_abc")
		if err != nil {
			t.Fatal(err)
		}
		if s.ID != "cs_test_abc" || !strings.HasPrefix(s.PaymentIntentID, "pi_") {
			t.Fatalf("session = %+v, want id cs_test_abc with an expanded payment intent", s)
		}
	})
	t.Run("CreateRefund", func(t *testing.T) {
		t.Parallel()
		r, err := c.CreateRefund(ctx, stripe.RefundInput{
			PaymentIntentID: "pi_123", Amount: 250, Reason: "upscale failed", JobID: "job-1",
			Actor: "wp:1:admin", IdempotencyKey: "refund-job-1-1",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.ID, "re_") || r.Amount != 250 || r.PaymentIntentID != "pi_123" {
			t.Fatalf("refund = %+v", r)
		}
	})
	t.Run("ListRefunds", func(t *testing.T) {
		t.Parallel()
		rs, err := c.ListRefunds(ctx, "pi_123")
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || !strings.HasPrefix(rs[0].ID, "re_") {
			t.Fatalf("refunds = %+v", rs)
		}
	})
	t.Run("GetPaymentIntent", func(t *testing.T) {
		t.Parallel()
		pi, err := c.GetPaymentIntent(ctx, "pi_123")
		if err != nil {
			t.Fatal(err)
		}
		if pi.ID != "pi_123" || pi.Amount <= 0 || pi.Currency == "" {
			t.Fatalf("payment intent = %+v", pi)
		}
	})
	t.Run("BadKeyIsAuthAndRedacted", func(t *testing.T) {
		t.Parallel()
		// stripe-mock echoes the Authorization header in its message.
		const key = "sk_live_notarealkey0123456789"
		bad := newClient(t, stripe.Config{SecretKey: key, APIBase: base})
		_, err := bad.GetPaymentIntent(ctx, "pi_123")
		var se *stripe.Error
		if !errors.As(err, &se) || se.Kind != stripe.KindAuth {
			t.Fatalf("err = %v, want KindAuth", err)
		}
		assertNoKey(t, err, key)
	})
}

func newClient(t *testing.T, cfg stripe.Config) *stripe.Client {
	t.Helper()
	c, err := stripe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkoutInput(jobID string) stripe.CheckoutInput {
	return stripe.CheckoutInput{
		JobID: jobID, Amount: 1299, Currency: "usd", ProductName: "Upscaled image (4x)",
		Description: "sunset.jpg at 4x", Email: "buyer@example.com",
		SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel",
		IdempotencyKey: "checkout-" + jobID,
	}
}

// assertNoKey fails if err's text or message contains the secret key.
func assertNoKey(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil {
		return
	}
	if strings.Contains(err.Error(), key) {
		t.Fatalf("error leaks the key: %v", err)
	}
	var se *stripe.Error
	if errors.As(err, &se) && strings.Contains(se.Message, key) {
		t.Fatalf("error message leaks the key: %q", se.Message)
	}
}
