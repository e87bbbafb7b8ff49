package stripetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fake is a small stateful Stripe for tests that need what stripe-mock
// can't give: money that stays refunded, refusals, idempotent replays and
// injected failures. It serves just the endpoints internal/stripe calls,
// speaks stripe-go's form encoding and answers with Stripe-shaped JSON.
// It is safe for concurrent use.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	mu             sync.Mutex // guards everything below; held for a whole request
	seq            int
	sessions       map[string]*fakeSession
	intents        map[string]*fakeIntent
	refunds        []Refund // every refund, oldest first
	idempotent     map[string]stored
	failures       []failure
	refundRequests int
	onRefund       func()
}

type fakeSession struct {
	Session
	piMetadata map[string]string // payment_intent_data[metadata], applied on payment
}

type fakeIntent struct {
	pi       PaymentIntent
	chargeID string
	refunded int64
	disputed bool
}

type failure struct {
	status        int
	code, message string
}

// stored is a response kept for replay under its Idempotency-Key.
type stored struct {
	fingerprint string
	status      int
	body        []byte
}

// NewFake starts a Fake for the test and closes it when the test ends.
// Point the client's APIBase at URL(); any sk_test_ key is accepted.
func NewFake(t testing.TB) *Fake {
	f := &Fake{
		t:          t,
		sessions:   map[string]*fakeSession{},
		intents:    map[string]*fakeIntent{},
		idempotent: map[string]stored{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/checkout/sessions", f.handleCreateSession)
	mux.HandleFunc("GET /v1/checkout/sessions/{id}", f.handleGetSession)
	mux.HandleFunc("GET /v1/payment_intents/{id}", f.handleGetPaymentIntent)
	mux.HandleFunc("POST /v1/refunds", f.handleCreateRefund)
	mux.HandleFunc("GET /v1/refunds", f.handleListRefunds)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "",
			fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path))
	})
	f.srv = httptest.NewServer(f.middleware(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base URL to use as the client's APIBase.
func (f *Fake) URL() string { return f.srv.URL }

// FailNext makes the next request, to any endpoint, fail with status and a
// Stripe error of the given code and message, before it touches any state
// or idempotency record (as a crash in front of Stripe would). The error
// type follows the status: api_error for 5xx, card_error for 402,
// invalid_request_error otherwise. Calls queue:
// two calls fail the next two requests. Note that stripe-go retries GETs
// that fail with 5xx.
func (f *Fake) FailNext(status int, code, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, failure{status, code, message})
}

// OnRefundRequest makes fn run as each POST /v1/refunds arrives, before
// it is answered: for tests that look at the caller's state while it
// waits for Stripe. fn must not call the Fake.
func (f *Fake) OnRefundRequest(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onRefund = fn
}

// RefundRequests counts POST /v1/refunds requests received, including
// replays, refusals and injected failures.
func (f *Fake) RefundRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refundRequests
}

func (f *Fake) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !(strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "rk_test_")) {
			writeError(w, http.StatusUnauthorized, "invalid_request_error", "",
				"Invalid API Key provided: "+maskKey(key))
			return
		}
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Invalid request body: "+err.Error())
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Method == http.MethodPost && r.URL.Path == "/v1/refunds" {
			f.refundRequests++
			if f.onRefund != nil {
				f.onRefund()
			}
		}
		if len(f.failures) > 0 {
			fl := f.failures[0]
			f.failures = f.failures[1:]
			typ := "invalid_request_error"
			switch {
			case fl.status >= 500:
				typ = "api_error"
			case fl.status == http.StatusPaymentRequired:
				typ = "card_error"
			}
			writeError(w, fl.status, typ, fl.code, fl.message)
			return
		}
		if r.Method != http.MethodPost || r.Header.Get("Idempotency-Key") == "" {
			next.ServeHTTP(w, r)
			return
		}
		f.serveIdempotent(w, r, next)
	})
}

// serveIdempotent replays the first response given for a key, and refuses a
// key reused with other parameters, as Stripe does.
func (f *Fake) serveIdempotent(w http.ResponseWriter, r *http.Request, next http.Handler) {
	key := r.Header.Get("Idempotency-Key")
	fp := r.Method + " " + r.URL.Path + "?" + r.PostForm.Encode()
	if s, ok := f.idempotent[key]; ok {
		if s.fingerprint != fp {
			writeError(w, http.StatusBadRequest, "idempotency_error", "",
				"Keys for idempotent requests can only be used with the same parameters they were first used with.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(s.status)
		_, _ = w.Write(s.body)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	f.idempotent[key] = stored{fingerprint: fp, status: rec.Code, body: rec.Body.Bytes()}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// newID makes a unique, Stripe-looking id.
func (f *Fake) newID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_fake%06d", prefix, f.seq)
}

func now() int64 { return time.Now().Unix() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes Stripe's error envelope.
func writeError(w http.ResponseWriter, status int, typ, code, message string) {
	writeErrorParam(w, status, typ, code, message, "")
}

func writeErrorParam(w http.ResponseWriter, status int, typ, code, message, param string) {
	type body struct {
		Type    string `json:"type"`
		Code    string `json:"code,omitempty"`
		Message string `json:"message"`
		Param   string `json:"param,omitempty"`
	}
	writeJSON(w, status, map[string]body{"error": {typ, code, message, param}})
}

// maskKey shows a key the way Stripe's own errors do: prefix and last four.
func maskKey(k string) string {
	if len(k) <= 12 {
		return "****"
	}
	return k[:8] + "****" + k[len(k)-4:]
}
