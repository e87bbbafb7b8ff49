package stripe_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  stripe.Config
	}{
		{"no key", stripe.Config{}},
		{"publishable key", stripe.Config{SecretKey: "pk_test_abcdef123456"}},
		{"bad base", stripe.Config{SecretKey: testKey, APIBase: "127.0.0.1:12111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stripe.New(tt.cfg)
			if err == nil {
				t.Fatal("New accepted a bad config")
			}
			assertNoKey(t, err, "pk_test_abcdef123456")
		})
	}
}

func TestErrorsFromFake(t *testing.T) {
	t.Parallel()
	f := stripetest.NewFake(t)
	ctx := context.Background()

	const liveKey = "sk_live_0123456789abcdefghij"
	_, err := newClient(t, stripe.Config{SecretKey: liveKey, APIBase: f.URL()}).GetPaymentIntent(ctx, "pi_1")
	wantKind(t, err, stripe.KindAuth, "")
	assertNoKey(t, err, liveKey)

	c := newClient(t, stripe.Config{SecretKey: testKey, APIBase: f.URL(), MaxNetworkRetries: -1})
	_, err = c.GetCheckoutSession(ctx, "cs_missing")
	wantKind(t, err, stripe.KindNotFound, "resource_missing")

	f.FailNext(http.StatusTooManyRequests, "rate_limit", "Too many requests")
	_, err = c.GetPaymentIntent(ctx, "pi_1")
	wantKind(t, err, stripe.KindUnavailable, "rate_limit")

	f.FailNext(http.StatusPaymentRequired, "card_declined", "Your card was declined.")
	_, err = c.GetPaymentIntent(ctx, "pi_1")
	wantKind(t, err, stripe.KindRefused, "card_declined")

	_, err = c.CreateCheckoutSession(ctx, stripe.CheckoutInput{JobID: "j", Amount: 0})
	wantKind(t, err, stripe.KindInvalid, "")
}

func TestNetworkErrorsAreUnavailable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close() // nothing listens here now

	c := newClient(t, stripe.Config{SecretKey: testKey, APIBase: base, MaxNetworkRetries: -1})
	_, err = c.GetPaymentIntent(context.Background(), "pi_1")
	wantKind(t, err, stripe.KindUnavailable, "")
	assertNoKey(t, err, testKey)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.ListRefunds(ctx, "pi_1")
	if !errors.Is(err, context.Canceled) || stripe.KindOf(err) != stripe.KindUnavailable {
		t.Fatalf("err = %v, want unavailable wrapping context.Canceled", err)
	}
}
