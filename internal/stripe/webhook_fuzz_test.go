package stripe_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

// fuzzClient is a client that verifies events signed with whsec.
func fuzzClient(f *testing.F) *stripe.Client {
	c, err := stripe.New(stripe.Config{SecretKey: testKey, WebhookSecret: whsec})
	if err != nil {
		f.Fatal(err)
	}
	return c
}

// checkDecoders asserts what every verified event must satisfy, whatever
// its body: data.object is JSON, and at most one of the four decoders reads
// it, the one its "object" tag names.
func checkDecoders(t *testing.T, ev stripe.Event) {
	if ev.ID == "" || ev.Type == "" || !json.Valid(ev.Object) {
		t.Fatalf("verified event lacks id, type or a JSON data.object: %+v", ev)
	}
	var head struct {
		Object any `json:"object"`
		ID     any `json:"id"`
	}
	if err := json.Unmarshal(ev.Object, &head); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	sess, err := ev.Session()
	record(ids, "checkout.session", sess.ID, err)
	pi, err := ev.PaymentIntent()
	record(ids, "payment_intent", pi.ID, err)
	ch, err := ev.Charge()
	record(ids, "charge", ch.ID, err)
	rf, err := ev.Refund()
	record(ids, "refund", rf.ID, err)
	for kind, id := range ids {
		if head.Object != kind {
			t.Fatalf("data.object tagged %v was read as a %s", head.Object, kind)
		}
		if want, ok := head.ID.(string); ok && id != want {
			t.Fatalf("%s id read as %q, the object says %q", kind, id, want)
		}
	}
}

// record notes the id a decoder read, when it read one.
func record(ids map[string]string, kind, id string, err error) {
	if err == nil {
		ids[kind] = id
	}
}

// FuzzVerifyEvent feeds whole webhook bodies, signed with the endpoint's
// secret, through VerifyEvent and the decoders. A signed body is either a
// readable event or ErrBadSignature, never a panic; the same body under a
// wrong secret, or with one byte more than was signed, is always refused.
// The seeds in testdata/fuzz/FuzzVerifyEvent are events of every type the
// pipeline reads, plus shapes Stripe's library must not choke on.
func FuzzVerifyEvent(f *testing.F) {
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		payload, header := stripetest.SignEvent(t, whsec, body)
		ev, err := c.VerifyEvent(payload, header)
		if err != nil {
			if !errors.Is(err, stripe.ErrBadSignature) {
				t.Fatalf("a signed body was refused with %v, not ErrBadSignature", err)
			}
		} else {
			checkDecoders(t, ev)
		}
		_, wrong := stripetest.SignEvent(t, "whsec_someone_else", body)
		if _, err := c.VerifyEvent(payload, wrong); !errors.Is(err, stripe.ErrBadSignature) {
			t.Fatalf("a body signed with another secret was accepted: %v", err)
		}
		if _, err := c.VerifyEvent(append(bytes.Clone(payload), ' '), header); !errors.Is(err, stripe.ErrBadSignature) {
			t.Fatalf("a body with a byte added after signing was accepted: %v", err)
		}
	})
}

// FuzzEventObject wraps any JSON value as data.object of a well-formed
// event, so the fuzzer spends its time in the decoders rather than in the
// envelope. The seeds in testdata/fuzz/FuzzEventObject are the objects of
// each type with ids, nulls and expanded objects where Stripe sends them.
func FuzzEventObject(f *testing.F) {
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, typ string, object []byte) {
		if !json.Valid(object) {
			return // not an object Stripe could send; FuzzVerifyEvent covers bodies that are not JSON
		}
		payload, header := stripetest.SignEvent(t, whsec, stripetest.EventJSON("evt_fuzz", typ, json.RawMessage(object)))
		ev, err := c.VerifyEvent(payload, header)
		if err != nil {
			if !errors.Is(err, stripe.ErrBadSignature) {
				t.Fatalf("refused with %v, not ErrBadSignature", err)
			}
			return
		}
		checkDecoders(t, ev)
	})
}
