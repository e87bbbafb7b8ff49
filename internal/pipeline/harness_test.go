package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/sellmyimages/smid/internal/upscale/upsamplerfake"
)

const webhookSecret = "whsec_test_pipeline_secret_0123456789"

// clock is a settable clock shared by the store and the pipeline.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type options struct {
	fakeStripe bool // the stateful fault-injecting fake instead of stripe-mock
	upsampler  upsamplerfake.Options
	cfg        pipeline.Config
	noMail     bool
}

type bundle struct {
	t      *testing.T
	db     *store.DB
	svc    *pipeline.Service
	up     *upsamplerfake.Server
	fake   *stripetest.Fake
	payc   *stripe.Client
	mail   *mailtest.Server
	site   *httptest.Server
	clock  *clock
	files  *storage.Store
	hook   func(jobID string, body []byte) // Upsampler callbacks land here
	hookMu sync.Mutex
}

// testPNG is a real 200×150 image the site serves for sale.
func testPNG() []byte {
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

func setup(t *testing.T, o options) *bundle {
	t.Helper()
	b := &bundle{t: t, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	b.db = storetest.New(t, storetest.Options{Now: b.clock.Now})
	pic := testPNG()
	b.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/wp-content/uploads/"):
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic)
		case r.URL.Path == "/smi-webhook/upsampler/":
			body, _ := io.ReadAll(r.Body)
			b.hookMu.Lock()
			h := b.hook
			b.hookMu.Unlock()
			if h != nil {
				h(r.URL.Query().Get("job"), body)
			}
			w.WriteHeader(200)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(b.site.Close)
	uo := o.upsampler
	b.up = upsamplerfake.New(uo)
	t.Cleanup(b.up.Close)
	base := ""
	if o.fakeStripe {
		b.fake = stripetest.NewFake(t)
		base = b.fake.URL()
	} else {
		base = stripetest.StartMock(t)
	}
	var err error
	b.payc, err = stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: webhookSecret, APIBase: base})
	if err != nil {
		t.Fatal(err)
	}
	var mailer pipeline.Mailer
	b.mail = mailtest.Start(t)
	m, err := mail.New(mail.Config{Host: b.mail.SMTPHost(), Port: b.mail.SMTPPort(), TLS: "none", From: "Shop <shop@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	mailer = m
	provider, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: b.up.URL(), APIKey: b.up.APIKey(),
		FetchClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	b.files, err = storage.New(storage.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.files.Close() })
	pr, _ := pricing.New(pricing.Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	cfg := o.cfg
	cfg.SiteURL = b.site.URL
	cfg.AllowPrivateHosts = true
	cfg.Now = b.clock.Now
	cfg.IdlePoll = 20 * time.Millisecond
	cfg.RevokeOnFullRefund = true
	b.svc, err = pipeline.New(cfg, pipeline.Deps{Store: b.db, Payments: b.payc, Upscaler: provider, Mailer: mailer,
		Files: b.files, Pricing: pr, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b.onUpsamplerHook(func(jobID string, body []byte) { b.svc.UpsamplerHint(context.Background(), jobID, body) })
	return b
}

func (b *bundle) onUpsamplerHook(h func(string, []byte)) {
	b.hookMu.Lock()
	b.hook = h
	b.hookMu.Unlock()
}

func (b *bundle) checkout(email string) *pipeline.CheckoutResult {
	b.t.Helper()
	res, err := b.svc.Checkout(context.Background(), pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: b.site.URL + "/wp-content/uploads/2026/11/photo.png", ImageWidth: 200, ImageHeight: 150,
		Resolution: "4x", Email: email, SuccessURL: b.site.URL + "/thanks", CancelURL: b.site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func (b *bundle) get(id string) *job.Job {
	b.t.Helper()
	j, err := b.db.Get(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return j
}

// event builds a signed Stripe webhook for a session object.
func (b *bundle) sessionEvent(evID, typ, jobID, sessID, pi, paymentStatus string, amount int64, email string) ([]byte, string) {
	obj := map[string]any{"id": sessID, "object": "checkout.session", "payment_status": paymentStatus,
		"status": "complete", "amount_total": amount, "currency": "usd", "payment_intent": pi,
		"customer_details": map[string]any{"email": email}, "customer_email": nil,
		"client_reference_id": jobID, "metadata": map[string]string{"job_id": jobID, "source": "sell-my-images"}}
	return stripetest.SignEvent(b.t, webhookSecret, stripetest.EventJSON(evID, typ, obj))
}

func (b *bundle) deliver(payload []byte, sig string) *pipeline.WebhookResult {
	b.t.Helper()
	res, err := b.svc.HandleStripeWebhook(context.Background(), payload, sig)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

// pay marks the job's checkout paid through a signed webhook.
func (b *bundle) pay(jobID string) {
	b.t.Helper()
	j := b.get(jobID)
	b.deliver(b.sessionEvent("evt_paid_"+jobID[:8], "checkout.session.completed", jobID, *j.StripeCheckoutSessionID,
		"pi_"+strings.ReplaceAll(jobID[:13], "-", ""), "paid", int64(*j.AmountCharged), ""))
}

// waitStatus waits until the job reaches status (work happens in goroutines).
func (b *bundle) waitStatus(jobID string, want job.Status, within time.Duration) *job.Job {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		j := b.get(jobID)
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("job %s is %s (last error %v), want %s", jobID, j.Status, deref(j.LastError), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (b *bundle) events(jobID string) []string {
	evs, err := b.db.Events(context.Background(), jobID)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func jsonBody(v any) []byte { b, _ := json.Marshal(v); return b }
