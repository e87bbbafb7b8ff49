package faults

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// refundCall is one POST /v1/refunds the daemon sent to Stripe.
type refundCall struct {
	Key, PaymentIntent string
	Amount             int64
	Status             int
}

// stripeRecorder sits between smid and stripe-mock and records every
// refund request. stripe-mock is stateless (it answers each request with a
// new refund); Stripe itself makes one refund per Idempotency-Key, so the
// distinct keys answered 2xx are the refunds Stripe would have made.
type stripeRecorder struct {
	srv *httptest.Server
	mu  sync.Mutex
	log []refundCall
}

func newStripeRecorder(t *testing.T, mockURL string) *stripeRecorder {
	u, _ := url.Parse(mockURL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = quietLog
	rec := &stripeRecorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/refunds" {
			rp.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(sw, r)
		amount, _ := strconv.ParseInt(form.Get("amount"), 10, 64) // none: a full refund, recorded as 0
		rec.mu.Lock()
		rec.log = append(rec.log, refundCall{Key: r.Header.Get("Idempotency-Key"), PaymentIntent: form.Get("payment_intent"),
			Amount: amount, Status: sw.status})
		rec.mu.Unlock()
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (s *stripeRecorder) URL() string { return s.srv.URL }

// stripeRefund is one refund Stripe would hold: the first successful
// answer to an Idempotency-Key.
type stripeRefund struct {
	Key    string
	Amount int64
	Calls  int // requests sent with this key
}

// Refunds groups the refund requests by payment intent into the refunds
// Stripe would have made.
func (s *stripeRecorder) Refunds() map[string][]stripeRefund {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]stripeRefund{}
	idx := map[string]int{}
	for _, c := range s.log {
		if c.Status/100 != 2 {
			continue
		}
		if i, ok := idx[c.Key]; ok && c.Key != "" {
			out[c.PaymentIntent][i].Calls++
			continue
		}
		idx[c.Key] = len(out[c.PaymentIntent])
		out[c.PaymentIntent] = append(out[c.PaymentIntent], stripeRefund{Key: c.Key, Amount: c.Amount, Calls: 1})
	}
	return out
}

// quietLog drops the proxies' complaints about clients that went away: a
// killed smid is the point of the suite.
var quietLog = log.New(io.Discard, "", 0)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// checkLog records when each Upsampler job's status was asked.
type checkLog struct {
	mu sync.Mutex
	at map[string][]time.Time
}

func (c *checkLog) add(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil {
		c.at = map[string][]time.Time{}
	}
	c.at[id] = append(c.at[id], time.Now())
}

// Of returns the times the status of id was asked.
func (c *checkLog) Of(id string) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.at[id]...)
}

// newUpsamplerProxy fronts the fake: it records status checks, points the
// result URLs the fake hands out at itself, and serves results slowly when
// delay is set (the first bytes after delay, the rest after delay again).
func newUpsamplerProxy(t *testing.T, up *upscaletest.Server, delay time.Duration, checks *checkLog) string {
	u, _ := url.Parse(up.URL())
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = quietLog
	var self string
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.URL.Path, "/status/") && !strings.HasPrefix(resp.Request.URL.Path, "/precise-upscale") {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(up.URL()), []byte(self))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
			checks.add(id)
		}
		if strings.HasPrefix(r.URL.Path, "/results/") && delay > 0 {
			res, err := http.Get(up.URL() + r.URL.RequestURI())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			time.Sleep(delay)
			w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
			w.Header().Set("Content-Length", itoa(len(b)))
			w.WriteHeader(res.StatusCode)
			half := len(b) / 2
			w.Write(b[:half])
			w.(http.Flusher).Flush()
			time.Sleep(delay)
			w.Write(b[half:])
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	self = srv.URL
	return srv.URL
}
