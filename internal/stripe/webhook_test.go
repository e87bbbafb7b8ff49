package stripe_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

const whsec = "whsec_test_secret"

func webhookClient(t *testing.T) *stripe.Client {
	return newClient(t, stripe.Config{SecretKey: testKey, WebhookSecret: whsec})
}

var sessionObject = map[string]any{
	"id": "cs_test_1", "object": "checkout.session", "payment_intent": "pi_1",
	"payment_status": "paid", "status": "complete", "amount_total": 1299, "currency": "usd",
	"customer_email": nil, "customer_details": map[string]any{"email": "buyer@example.com"},
	"client_reference_id": "job-1", "metadata": map[string]string{"job_id": "job-1", "source": "sell-my-images"},
	"some_future_field": map[string]any{"nested": []int{1, 2}},
}

func TestVerifyEventAcceptsSignedPayload(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	body, header := stripetest.SignEvent(t, whsec, stripetest.EventJSON("evt_1", "checkout.session.completed", sessionObject))
	ev, err := c.VerifyEvent(body, header)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != "evt_1" || ev.Type != "checkout.session.completed" || ev.Created.IsZero() || ev.Livemode {
		t.Fatalf("event = %+v", ev)
	}
	s, err := ev.Session()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "cs_test_1" || s.PaymentIntentID != "pi_1" || s.AmountTotal != 1299 ||
		s.CustomerEmail != "buyer@example.com" || s.JobID() != "job-1" || s.PaymentStatus != "paid" {
		t.Fatalf("session = %+v", s)
	}
}

func TestVerifyEventRejects(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	event := stripetest.EventJSON("evt_1", "checkout.session.completed", sessionObject)
	good, goodHeader := stripetest.SignEvent(t, whsec, event)
	_, otherSecret := stripetest.SignEvent(t, "whsec_someone_else", event)
	stale := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: event, Secret: whsec, Timestamp: time.Now().Add(-301 * time.Second),
	})
	notJSON, notJSONHeader := stripetest.SignEvent(t, whsec, []byte("not json"))

	tests := []struct {
		name    string
		payload []byte
		header  string
	}{
		{"wrong secret", good, otherSecret},
		{"tampered body", bytes.Replace(good, []byte("1299"), []byte("1"), 1), goodHeader},
		{"stale timestamp", stale.Payload, stale.Header},
		{"no header", good, ""},
		{"garbage header", good, "t=abc,v1=zz"},
		{"signed but not an event", notJSON, notJSONHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.VerifyEvent(tt.payload, tt.header); !errors.Is(err, stripe.ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestVerifyEventAcceptsOtherAPIVersion(t *testing.T) {
	t.Parallel()
	c := webhookClient(t)
	event := bytes.Replace(stripetest.EventJSON("evt_2", "checkout.session.completed", sessionObject),
		[]byte(`"api_version":"2023-10-16"`), []byte(`"api_version":"2020-08-27"`), 1)
	body, header := stripetest.SignEvent(t, whsec, event)
	ev, err := c.VerifyEvent(body, header)
	if err != nil {
		t.Fatalf("event of another API version refused: %v", err)
	}
	if ev.APIVersion != "2020-08-27" {
		t.Fatalf("api version = %q", ev.APIVersion)
	}
}

func TestVerifyEventWithoutSecretRefuses(t *testing.T) {
	t.Parallel()
	c := newClient(t, stripe.Config{SecretKey: testKey})
	// Signed with the empty secret: must not pass as genuine.
	body, header := signedWith(t, "", stripetest.EventJSON("evt_1", "charge.refunded", map[string]any{"object": "charge"}))
	if _, err := c.VerifyEvent(body, header); err == nil {
		t.Fatal("VerifyEvent accepted an event with no webhook secret configured")
	}
}

func signedWith(t *testing.T, secret string, event []byte) ([]byte, string) {
	t.Helper()
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: event, Secret: secret})
	return sp.Payload, sp.Header
}
