package stripetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// EventAPIVersion is the api_version EventJSON stamps on events.
const EventAPIVersion = "2023-10-16"

// envelope is an event as Stripe sends it to a webhook endpoint.
type envelope struct {
	ID         string `json:"id"`
	Object     string `json:"object"`
	APIVersion string `json:"api_version"`
	Created    int64  `json:"created"`
	Livemode   bool   `json:"livemode"`
	Type       string `json:"type"`
	Data       struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
	PendingWebhooks int `json:"pending_webhooks"`
}

// EventJSON builds an event envelope around object the way Stripe delivers
// it. object may be a struct, a map, or ready JSON ([]byte or
// json.RawMessage). It panics if object can't be marshalled: that is a bug
// in the test.
func EventJSON(id, typ string, object any) []byte {
	var raw json.RawMessage
	switch o := object.(type) {
	case json.RawMessage:
		raw = o
	case []byte:
		raw = o
	default:
		b, err := json.Marshal(object)
		if err != nil {
			panic(fmt.Sprintf("stripetest: marshal event object: %v", err))
		}
		raw = b
	}
	ev := envelope{
		ID: id, Object: "event", APIVersion: EventAPIVersion, Created: time.Now().Unix(),
		Type: typ, PendingWebhooks: 1,
	}
	ev.Data.Object = raw
	b, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("stripetest: marshal event: %v", err))
	}
	return b
}

// SignEvent signs eventJSON with secret, timestamped now, and returns the
// body and the Stripe-Signature header to send with it.
func SignEvent(t testing.TB, secret string, eventJSON []byte) (payload []byte, header string) {
	t.Helper()
	if secret == "" {
		t.Fatal("stripetest: SignEvent needs the webhook secret")
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload:   eventJSON,
		Secret:    secret,
		Timestamp: time.Now(),
	})
	return sp.Payload, sp.Header
}
