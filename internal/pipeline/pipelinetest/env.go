// Package pipelinetest builds a pipeline on real parts for tests in other
// packages (the HTTP API, admin actions, benchmarks): a fresh MariaDB
// database, stripe-mock or the stateful Stripe fake, the Upsampler fake, a
// real Mailpit, a file store in a temp dir, and a site server that serves
// the image for sale and routes Upsampler's callbacks to the service.
package pipelinetest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// WebhookSecret signs the test Stripe events.
const WebhookSecret = "whsec_test_pipelinetest_0123456789"

// Clock is a settable clock shared by the store and the pipeline.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Options shape an Env.
type Options struct {
	FakeStripe bool // the stateful fault-injecting fake instead of stripe-mock
	Upsampler  upscaletest.Options
	Config     pipeline.Config
}

// Env is a pipeline on real parts.
type Env struct {
	T      testing.TB
	DB     *store.DB
	Svc    *pipeline.Service
	Up     *upscaletest.Server
	Fake   *stripetest.Fake
	Stripe *stripe.Client
	Mail   *mailtest.Server
	Site   *httptest.Server
	Clock  *Clock
	Files  *storage.Store
}

// PNG is a real 200×150 image: what the site sells in tests.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for x := range 200 {
		for y := range 150 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// New builds an Env; everything stops when the test ends.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{T: t, Clock: &Clock{t: time.Now().UTC().Truncate(time.Second)}}
	e.DB = storetest.New(t, storetest.Options{Now: e.Clock.Now})
	pic := PNG()
	e.Site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/wp-content/uploads/"):
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic)
		case r.URL.Path == "/smi-webhook/upsampler/":
			body, _ := io.ReadAll(r.Body)
			if e.Svc != nil {
				q := r.URL.Query()
				e.Svc.UpsamplerCallback(context.Background(), pipeline.Callback{JobID: q.Get("job"), Attempt: q.Get("a"), Proof: q.Get("k"), Body: body})
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(e.Site.Close)
	e.Up = upscaletest.New(o.Upsampler)
	t.Cleanup(e.Up.Close)
	base := ""
	if o.FakeStripe {
		e.Fake = stripetest.NewFake(t)
		base = e.Fake.URL()
	} else {
		base = stripetest.StartMock(t)
	}
	var err error
	if e.Stripe, err = stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: WebhookSecret, APIBase: base}); err != nil {
		t.Fatal(err)
	}
	e.Mail = mailtest.Start(t)
	m, err := mail.New(mail.Config{Host: e.Mail.SMTPHost(), Port: e.Mail.SMTPPort(), TLS: "none", From: "Shop <shop@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	fetch := http.DefaultTransport.(*http.Transport).Clone()
	fetch.MaxIdleConnsPerHost = 32
	up, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: e.Up.URL(), APIKey: e.Up.APIKey(), FetchClient: &http.Client{Transport: fetch}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Files, err = storage.New(storage.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Files.Close() })
	pr, _ := pricing.New(pricing.Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	cfg := o.Config
	if len(cfg.TokenKey) == 0 {
		// Shared by every replica built from this config, as in production.
		cfg.TokenKey = []byte("pipelinetest key shared by replicas")
	}
	cfg.SiteURL, cfg.AllowPrivateHosts, cfg.Now = e.Site.URL, true, e.Clock.Now
	if cfg.IdlePoll == 0 {
		cfg.IdlePoll = 20 * time.Millisecond
	}
	cfg.RevokeOnFullRefund = true
	if cfg.StatusChecksPerMinute == 0 {
		// Tests are not held to Upsampler's rate; the limit has its own test.
		cfg.StatusChecksPerMinute = 600000
	}
	if e.Svc, err = pipeline.New(cfg, pipeline.Deps{Store: e.DB, Payments: e.Stripe, Upscaler: up, Mailer: m, Files: e.Files,
		Pricing: pr, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	return e
}

// Checkout creates a job awaiting payment for the site's test image.
func (e *Env) Checkout(email string) *pipeline.CheckoutResult {
	e.T.Helper()
	res, err := e.Svc.Checkout(context.Background(), pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: e.Site.URL + "/wp-content/uploads/2026/11/photo.png", ImageWidth: 200, ImageHeight: 150,
		Resolution: "4x", Email: email, SuccessURL: e.Site.URL + "/thanks", CancelURL: e.Site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

// Get loads a job.
func (e *Env) Get(id string) *job.Job {
	e.T.Helper()
	j, err := e.DB.Get(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return j
}

// SessionEvent is a signed Stripe event about a checkout session.
func (e *Env) SessionEvent(evID, typ, jobID, sessID, pi, paymentStatus string, amount int64) (payload []byte, sig string) {
	obj := map[string]any{"id": sessID, "object": "checkout.session", "payment_status": paymentStatus,
		"status": "complete", "amount_total": amount, "currency": "usd", "payment_intent": pi,
		"client_reference_id": jobID, "metadata": map[string]string{"job_id": jobID, "source": "sell-my-images"}}
	return stripetest.SignEvent(e.T, WebhookSecret, stripetest.EventJSON(evID, typ, obj))
}

// Pay marks the job paid through a signed checkout.session.completed; with
// the Stripe fake, the session is paid there too so Stripe agrees.
func (e *Env) Pay(jobID string) string {
	e.T.Helper()
	j := e.Get(jobID)
	pi := "pi_" + strings.ReplaceAll(jobID[:13], "-", "")
	if e.Fake != nil {
		e.Fake.SetSessionPaid(*j.StripeCheckoutSessionID, pi)
	}
	payload, sig := e.SessionEvent("evt_paid_"+jobID[:8], "checkout.session.completed", jobID, *j.StripeCheckoutSessionID, pi, "paid", int64(*j.AmountCharged))
	if _, err := e.Svc.HandleStripeWebhook(context.Background(), payload, sig); err != nil {
		e.T.Fatal(err)
	}
	return pi
}

// WaitStatus waits until the job reaches status.
func (e *Env) WaitStatus(jobID string, want job.Status, within time.Duration) *job.Job {
	e.T.Helper()
	deadline := time.Now().Add(within)
	for {
		j := e.Get(jobID)
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			msg := ""
			if j.LastError != nil {
				msg = *j.LastError
			}
			e.T.Fatalf("job %s is %s (last error %q), want %s", jobID, j.Status, msg, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Completed takes a new job all the way to completed and returns it.
func (e *Env) Completed(email string) *job.Job {
	e.T.Helper()
	res := e.Checkout(email)
	e.Pay(res.JobID)
	for range 50 {
		if did, err := e.Svc.Work(context.Background()); err != nil {
			e.T.Fatal(err)
		} else if !did {
			break
		}
	}
	return e.WaitStatus(res.JobID, job.StatusCompleted, 10*time.Second)
}
