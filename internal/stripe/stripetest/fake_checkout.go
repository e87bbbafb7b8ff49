package stripetest

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SetPaymentIntent creates (or replaces, forgetting refunds and disputes) a
// succeeded PaymentIntent with one charge of amount.
func (f *Fake) SetPaymentIntent(id string, amount int64, currency string, metadata map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putIntent(id, amount, currency, metadata)
}

// SetSessionPaid completes a session created through the API, as if the
// buyer had paid: the session becomes complete/paid and points at piID,
// which is created with the session's amount and payment_intent_data
// metadata unless SetPaymentIntent made it already.
func (f *Fake) SetSessionPaid(sessionID, piID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[sessionID]
	if !ok {
		f.t.Fatalf("stripetest: SetSessionPaid: no session %q", sessionID)
		return
	}
	if _, ok := f.intents[piID]; !ok {
		f.putIntent(piID, s.AmountTotal, s.Currency, s.piMetadata)
	}
	s.Status, s.PaymentStatus, s.URL, s.PaymentIntent = "complete", "paid", nil, ptr(piID)
}

// SetDisputed marks the PaymentIntent's charge as disputed; refunds are then
// refused with charge_disputed.
func (f *Fake) SetDisputed(piID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.intent(piID).disputed = true
}

// Session returns a copy of a session, e.g. for a checkout.session.completed event.
func (f *Fake) Session(id string) Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[id]
	if !ok {
		f.t.Fatalf("stripetest: no session %q", id)
		return Session{}
	}
	out := s.Session
	out.Metadata = maps.Clone(s.Metadata)
	return out
}

// PaymentIntent returns a copy of a PaymentIntent.
func (f *Fake) PaymentIntent(id string) PaymentIntent {
	f.mu.Lock()
	defer f.mu.Unlock()
	pi := f.intent(id).pi
	pi.Metadata = maps.Clone(pi.Metadata)
	return pi
}

// Charge returns the PaymentIntent's charge with its refunds so far, e.g.
// for a charge.refunded event.
func (f *Fake) Charge(piID string) Charge {
	f.mu.Lock()
	defer f.mu.Unlock()
	fi := f.intent(piID)
	c := Charge{
		ID: fi.chargeID, Object: "charge", Amount: fi.pi.Amount, AmountCaptured: fi.pi.Amount,
		AmountRefunded: fi.refunded, Currency: fi.pi.Currency, PaymentIntent: piID, Paid: true,
		Status: "succeeded", Refunded: fi.refunded >= fi.pi.Amount, Disputed: fi.disputed,
		Created: fi.pi.Created, Metadata: maps.Clone(fi.pi.Metadata),
		Refunds: List[Refund]{Object: "list", Data: f.refundsOf(piID), URL: "/v1/charges/" + fi.chargeID + "/refunds"},
	}
	return c
}

func (f *Fake) putIntent(id string, amount int64, currency string, metadata map[string]string) {
	f.intents[id] = &fakeIntent{
		pi: PaymentIntent{
			ID: id, Object: "payment_intent", Amount: amount, AmountReceived: amount,
			Currency: strings.ToLower(currency), Status: "succeeded", Created: now(),
			Metadata: maps.Clone(orEmpty(metadata)),
		},
		chargeID: f.newID("ch"),
	}
	f.intents[id].pi.LatestCharge = ptr(f.intents[id].chargeID)
}

// intent returns a PaymentIntent a test set up, failing the test if absent.
func (f *Fake) intent(id string) *fakeIntent {
	fi, ok := f.intents[id]
	if !ok {
		f.t.Fatalf("stripetest: no payment intent %q", id)
	}
	return fi
}

func (f *Fake) handleCreateSession(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	for _, p := range []string{"mode", "success_url", "cancel_url",
		"line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]",
		"line_items[0][price_data][product_data][name]"} {
		if form.Get(p) == "" {
			writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing",
				"Missing required param: "+p+".", p)
			return
		}
	}
	unit, err := strconv.ParseInt(form.Get("line_items[0][price_data][unit_amount]"), 10, 64)
	if err != nil || unit < 0 {
		writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
			"Invalid non-negative integer", "line_items[0][price_data][unit_amount]")
		return
	}
	qty := int64(1)
	if q := form.Get("line_items[0][quantity]"); q != "" {
		qty, _ = strconv.ParseInt(q, 10, 64)
	}
	expires := now() + 24*3600
	if e := form.Get("expires_at"); e != "" {
		expires, _ = strconv.ParseInt(e, 10, 64)
		if expires < now()+30*60-60 || expires > now()+24*3600 {
			writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "",
				"The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", "expires_at")
			return
		}
	}
	id := f.newID("cs_test")
	s := &fakeSession{
		Session: Session{
			ID: id, Object: "checkout.session", Mode: form.Get("mode"),
			URL:    ptr("https://checkout.stripe.com/c/pay/" + id),
			Status: "open", PaymentStatus: "unpaid",
			AmountTotal: unit * qty, Currency: strings.ToLower(form.Get("line_items[0][price_data][currency]")),
			CustomerEmail: nonEmpty(form.Get("customer_email")), ClientReferenceID: nonEmpty(form.Get("client_reference_id")),
			SuccessURL: form.Get("success_url"), CancelURL: form.Get("cancel_url"),
			ExpiresAt: expires, Created: now(), Metadata: formMap(form, "metadata"),
		},
		piMetadata: formMap(form, "payment_intent_data[metadata]"),
	}
	f.sessions[id] = s
	writeJSON(w, http.StatusOK, s.Session)
}

func (f *Fake) handleGetSession(w http.ResponseWriter, r *http.Request) {
	s, ok := f.sessions[r.PathValue("id")]
	if !ok {
		writeMissing(w, "checkout.session", r.PathValue("id"), "session")
		return
	}
	if s.PaymentIntent == nil || !expands(r.Form, "payment_intent") {
		writeJSON(w, http.StatusOK, s.Session)
		return
	}
	expanded := struct {
		Session
		PaymentIntent *PaymentIntent `json:"payment_intent"`
	}{Session: s.Session}
	if fi, ok := f.intents[*s.PaymentIntent]; ok {
		expanded.PaymentIntent = &fi.pi
	}
	writeJSON(w, http.StatusOK, expanded)
}

func (f *Fake) handleGetPaymentIntent(w http.ResponseWriter, r *http.Request) {
	fi, ok := f.intents[r.PathValue("id")]
	if !ok {
		writeMissing(w, "payment_intent", r.PathValue("id"), "intent")
		return
	}
	writeJSON(w, http.StatusOK, fi.pi)
}

func writeMissing(w http.ResponseWriter, object, id, param string) {
	writeErrorParam(w, http.StatusNotFound, "invalid_request_error", "resource_missing",
		fmt.Sprintf("No such %s: '%s'", object, id), param)
}

// formMap collects prefix[key]=value pairs, as stripe-go encodes maps.
func formMap(form url.Values, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range form {
		if rest, ok := strings.CutPrefix(k, prefix+"["); ok && strings.HasSuffix(rest, "]") && len(v) > 0 {
			key := strings.TrimSuffix(rest, "]")
			if !strings.ContainsAny(key, "[]") && v[0] != "" {
				out[key] = v[0]
			}
		}
	}
	return out
}

// expands reports whether field is in expand[] (stripe-go sends expand[0]=…).
func expands(form url.Values, field string) bool {
	for k, v := range form {
		if k == "expand" || strings.HasPrefix(k, "expand[") {
			for _, x := range v {
				if x == field {
					return true
				}
			}
		}
	}
	return false
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
