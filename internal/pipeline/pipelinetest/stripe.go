package pipelinetest

import (
	"context"

	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

// Signed is a Stripe event around object, signed with WebhookSecret.
func (e *Env) Signed(evID, typ string, object any) (payload []byte, sig string) {
	return stripetest.SignEvent(e.T, WebhookSecret, stripetest.EventJSON(evID, typ, object))
}

// SessionEvent is a signed Stripe event about a checkout session; email is
// what the buyer typed at Stripe ("" for nothing).
func (e *Env) SessionEvent(evID, typ, jobID, sessID, pi, paymentStatus string, amount int64, email string) (payload []byte, sig string) {
	return e.Signed(evID, typ, map[string]any{"id": sessID, "object": "checkout.session", "payment_status": paymentStatus,
		"status": "complete", "amount_total": amount, "currency": "usd", "payment_intent": pi,
		"customer_details": map[string]any{"email": email}, "customer_email": nil,
		"client_reference_id": jobID, "metadata": map[string]string{"job_id": jobID, "source": "sell-my-images"}})
}

// Deliver hands a signed Stripe webhook to the pipeline.
func (e *Env) Deliver(payload []byte, sig string) *pipeline.WebhookResult {
	e.T.Helper()
	res, err := e.Svc.HandleStripeWebhook(context.Background(), payload, sig)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}
