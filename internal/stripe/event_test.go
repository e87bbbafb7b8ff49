package stripe_test

import (
	"encoding/json"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

// verified signs and verifies an event around object.
func verified(t *testing.T, typ string, object any) stripe.Event {
	t.Helper()
	body, header := stripetest.SignEvent(t, whsec, stripetest.EventJSON("evt_x", typ, object))
	ev, err := webhookClient(t).VerifyEvent(body, header)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEventChargeWithRefunds(t *testing.T) {
	t.Parallel()
	ev := verified(t, "charge.refunded", json.RawMessage(`{
		"id":"ch_1","object":"charge","amount":1000,"amount_refunded":700,"currency":"usd",
		"payment_intent":{"id":"pi_1","object":"payment_intent"},"refunded":false,"disputed":false,
		"metadata":{"job_id":"job-1"},
		"refunds":{"object":"list","data":[
			{"id":"re_2","object":"refund","amount":200,"currency":"usd","status":"succeeded","payment_intent":"pi_1","charge":"ch_1","metadata":{},"created":1700000100},
			{"id":"re_1","object":"refund","amount":500,"currency":"usd","status":"succeeded","payment_intent":"pi_1","charge":"ch_1","metadata":{"reason":"blurry"},"created":1700000000}
		],"has_more":false}}`))
	c, err := ev.Charge()
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "ch_1" || c.PaymentIntentID != "pi_1" || c.AmountRefunded != 700 || c.Metadata["job_id"] != "job-1" {
		t.Fatalf("charge = %+v", c)
	}
	if len(c.Refunds) != 2 || c.Refunds[1].Reason != "blurry" || c.Refunds[0].ChargeID != "ch_1" || c.Refunds[1].Created.Unix() != 1700000000 {
		t.Fatalf("refunds = %+v", c.Refunds)
	}
}

func TestEventObjectsFromFake(t *testing.T) {
	t.Parallel()
	f := stripetest.NewFake(t)
	f.SetPaymentIntent("pi_1", 1000, "usd", map[string]string{"job_id": "job-1"})
	f.AddDashboardRefund("pi_1", 400)

	pi, err := verified(t, "payment_intent.succeeded", f.PaymentIntent("pi_1")).PaymentIntent()
	if err != nil {
		t.Fatal(err)
	}
	if pi.ID != "pi_1" || pi.AmountReceived != 1000 || pi.LatestChargeID == "" || pi.Metadata["job_id"] != "job-1" {
		t.Fatalf("payment intent = %+v", pi)
	}
	ch, err := verified(t, "charge.refunded", f.Charge("pi_1")).Charge()
	if err != nil {
		t.Fatal(err)
	}
	if ch.AmountRefunded != 400 || ch.Refunded || len(ch.Refunds) != 1 || ch.Refunds[0].Reason != "" {
		t.Fatalf("charge = %+v", ch)
	}
	r, err := verified(t, "refund.created", f.Refunds("pi_1")[0]).Refund()
	if err != nil {
		t.Fatal(err)
	}
	if r.Amount != 400 || r.PaymentIntentID != "pi_1" || r.ChargeID != ch.ID || r.Status != "succeeded" {
		t.Fatalf("refund = %+v", r)
	}
}

func TestEventDecodeTolerance(t *testing.T) {
	t.Parallel()
	// A bare session with nulls where we expect values still decodes.
	s, err := verified(t, "checkout.session.expired", map[string]any{
		"id": "cs_1", "object": "checkout.session", "payment_intent": nil, "amount_total": nil, "metadata": nil,
	}).Session()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "cs_1" || s.PaymentIntentID != "" || s.JobID() != "" {
		t.Fatalf("session = %+v", s)
	}
	// Reading the wrong kind of object is an error, not zeros.
	if _, err := verified(t, "charge.refunded", map[string]any{"id": "ch_1", "object": "charge"}).Session(); err == nil {
		t.Fatal("decoding a charge as a session succeeded")
	}
}
