package stripetest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// AddDashboardRefund records a refund made outside the daemon (in the
// Stripe dashboard): no metadata, no idempotency key. amount 0 refunds what
// is left.
func (f *Fake) AddDashboardRefund(piID string, amount int64) Refund {
	f.mu.Lock()
	defer f.mu.Unlock()
	fi := f.intent(piID)
	if amount == 0 {
		amount = fi.pi.Amount - fi.refunded
	}
	if amount <= 0 || amount > fi.pi.Amount-fi.refunded {
		f.t.Fatalf("stripetest: AddDashboardRefund(%s, %d): only %d left to refund", piID, amount, fi.pi.Amount-fi.refunded)
	}
	return f.addRefund(fi, amount, nil, map[string]string{})
}

// Refunds returns the PaymentIntent's refunds, newest first.
func (f *Fake) Refunds(piID string) []Refund {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refundsOf(piID)
}

func (f *Fake) addRefund(fi *fakeIntent, amount int64, reason *string, metadata map[string]string) Refund {
	fi.refunded += amount
	r := Refund{
		ID: f.newID("re"), Object: "refund", Amount: amount, Currency: fi.pi.Currency,
		Status: "succeeded", PaymentIntent: fi.pi.ID, Charge: fi.chargeID,
		Reason: reason, Created: now(), Metadata: metadata,
	}
	f.refunds = append(f.refunds, r)
	return r
}

func (f *Fake) refundsOf(piID string) []Refund {
	out := []Refund{}
	for _, r := range slices.Backward(f.refunds) {
		if r.PaymentIntent == piID {
			out = append(out, r)
		}
	}
	return out
}

func (f *Fake) handleCreateRefund(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	fi, ok := f.refundTarget(w, form.Get("payment_intent"), form.Get("charge"))
	if !ok {
		return
	}
	if fi.pi.Status != "succeeded" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "",
			fmt.Sprintf("This PaymentIntent (%s) does not have a successful charge to refund.", fi.pi.ID))
		return
	}
	if fi.disputed {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "charge_disputed",
			fmt.Sprintf("Charge %s has been charged back; cannot issue a refund.", fi.chargeID))
		return
	}
	left := fi.pi.Amount - fi.refunded
	amount := left
	if a := form.Get("amount"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n <= 0 {
			writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
				"Invalid positive integer", "amount")
			return
		}
		amount = n
	}
	switch {
	case left <= 0:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "charge_already_refunded",
			fmt.Sprintf("Charge %s has already been refunded.", fi.chargeID))
		return
	case amount > left:
		writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "amount_too_large",
			fmt.Sprintf("Refund amount (%s) is greater than unrefunded amount on charge (%s)",
				money(amount, fi.pi.Currency), money(left, fi.pi.Currency)), "amount")
		return
	}
	var reason *string
	switch v := form.Get("reason"); v {
	case "":
	case "duplicate", "fraudulent", "requested_by_customer":
		reason = &v
	default:
		writeErrorParam(w, http.StatusBadRequest, "invalid_request_error", "",
			"Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "reason")
		return
	}
	writeJSON(w, http.StatusOK, f.addRefund(fi, amount, reason, formMap(form, "metadata")))
}

// refundTarget finds the PaymentIntent a refund names, by itself or by its charge.
func (f *Fake) refundTarget(w http.ResponseWriter, piID, chargeID string) (*fakeIntent, bool) {
	switch {
	case piID != "":
		if fi, ok := f.intents[piID]; ok {
			return fi, true
		}
		writeMissing(w, "payment_intent", piID, "payment_intent")
	case chargeID != "":
		for _, fi := range f.intents {
			if fi.chargeID == chargeID {
				return fi, true
			}
		}
		writeMissing(w, "charge", chargeID, "charge")
	default:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing",
			"One of the following params should be provided for this request: payment_intent or charge.")
	}
	return nil, false
}

// handleListRefunds pages newest first with limit and starting_after, which
// is what stripe-go's auto-pagination sends.
func (f *Fake) handleListRefunds(w http.ResponseWriter, r *http.Request) {
	all := f.refunds
	if pi := r.Form.Get("payment_intent"); pi != "" {
		all = f.refundsOf(pi)
	} else {
		all = slices.Clone(all)
		slices.Reverse(all)
	}
	if after := r.Form.Get("starting_after"); after != "" {
		i := slices.IndexFunc(all, func(x Refund) bool { return x.ID == after })
		if i < 0 {
			writeMissing(w, "refund", after, "starting_after")
			return
		}
		all = all[i+1:]
	}
	limit := 10
	if l, err := strconv.Atoi(r.Form.Get("limit")); err == nil && l >= 1 && l <= 100 {
		limit = l
	}
	page := List[Refund]{Object: "list", Data: all[:min(limit, len(all))], HasMore: len(all) > limit, URL: "/v1/refunds"}
	writeJSON(w, http.StatusOK, page)
}

// money formats minor units the way Stripe's messages do, e.g. $12.34.
func money(minor int64, currency string) string {
	v := fmt.Sprintf("%d.%02d", minor/100, minor%100)
	switch strings.ToLower(currency) {
	case "usd":
		return "$" + v
	case "eur":
		return "€" + v
	case "gbp":
		return "£" + v
	}
	return v + " " + strings.ToUpper(currency)
}
