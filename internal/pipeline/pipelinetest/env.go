// Package pipelinetest builds the daemon on real parts for the tests of
// every package that needs more than one part (the pipeline, admin actions,
// the HTTP API, benchmarks): a fresh MariaDB database, stripe-mock or the
// stateful Stripe fake, the Upsampler fake, a real Mailpit, a file store in
// a temp dir, a site server that serves the image for sale and passes
// Upsampler's callbacks to the service, the pipeline, the admin service
// and, on request, the HTTP API; all of them run on one settable Clock.
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

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/admin"
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

// Options shape an Env.
type Options struct {
	// FakeStripe is the stateful fault-injecting fake instead of stripe-mock.
	FakeStripe bool
	// Upsampler shapes the fake; its Now defaults to the Env's clock, so
	// its jobs progress as the test moves the clock.
	Upsampler upscaletest.Options
	// UpsamplerTimeout bounds one Upsampler API call (the client's default
	// is 30s).
	UpsamplerTimeout time.Duration
	// Config is the pipeline's; New sets the site, the clock and private
	// hosts, and fills IdlePoll (20ms), StatusChecksPerMinute (no limit
	// to speak of) and TokenKey.
	Config pipeline.Config
	// KeepTokenOnRefund turns downloads.revoke_on_full_refund off.
	KeepTokenOnRefund bool
	// Admin configures Env.Admin.
	Admin admin.Config
}

// Env is the daemon on real parts. Everything stops when the test ends.
type Env struct {
	T     testing.TB
	Clock *Clock
	DSN   string
	DB    *store.DB
	SQL   *sqlx.DB // the same database, for what no method shows
	Svc   *pipeline.Service
	Admin *admin.Service
	Up    *upscaletest.Server
	Fake  *stripetest.Fake // nil on stripe-mock
	Mail  *mailtest.Server
	Site  *httptest.Server
	Files *storage.Store
	// FilesDir is the stored files' directory.
	FilesDir string

	// What Svc was built from, so a test can build a replica.
	Config   pipeline.Config
	Stripe   *stripe.Client
	Upscaler *upscale.Upsampler
	Mailer   pipeline.Mailer
	Pricing  *pricing.Pricing

	hookMu sync.Mutex
	hook   func(pipeline.Callback)
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
	if err := png.Encode(&b, img); err != nil {
		panic(err) // into memory: cannot fail
	}
	return b.Bytes()
}

// Quiet is a logger that drops everything.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// New builds an Env.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{T: t, Clock: NewClock(time.Now().UTC().Truncate(time.Second))}
	e.DSN = storetest.EmptyDB(t)
	e.DB = storetest.Open(t, e.DSN, storetest.Options{Now: e.Clock.Now}, true)
	var err error
	if e.SQL, err = sqlx.Open("mysql", e.DSN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.SQL.Close() })
	e.Site = Shop(t, e.callback)
	uo := o.Upsampler
	if uo.Now == nil {
		uo.Now = e.Clock.Now
	}
	e.Up = upscaletest.New(uo)
	t.Cleanup(e.Up.Close)
	base := ""
	if o.FakeStripe {
		e.Fake = stripetest.NewFake(t)
		base = e.Fake.URL()
	} else {
		base = stripetest.StartMock(t)
	}
	// No stripe-go retries: a failure the Fake injects is the answer we get.
	if e.Stripe, err = stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: WebhookSecret, APIBase: base, MaxNetworkRetries: -1}); err != nil {
		t.Fatal(err)
	}
	e.Mail = mailtest.Start(t)
	if e.Mailer, err = mail.New(mail.Config{Host: e.Mail.SMTPHost(), Port: e.Mail.SMTPPort(), TLS: "none", From: "Shop <shop@example.com>"}); err != nil {
		t.Fatal(err)
	}
	fetch := http.DefaultTransport.(*http.Transport).Clone()
	fetch.MaxIdleConnsPerHost = 32
	if e.Upscaler, err = upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: e.Up.URL(), APIKey: e.Up.APIKey(),
		FetchClient: &http.Client{Transport: fetch}, Timeout: o.UpsamplerTimeout}); err != nil {
		t.Fatal(err)
	}
	e.FilesDir = t.TempDir()
	if e.Files, err = storage.New(storage.Config{Dir: e.FilesDir}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Files.Close() })
	e.Pricing, _ = pricing.New(pricing.Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	cfg := o.Config
	cfg.SiteURL, cfg.AllowPrivateHosts, cfg.Now = e.Site.URL, true, e.Clock.Now
	if cfg.IdlePoll == 0 {
		cfg.IdlePoll = 20 * time.Millisecond
	}
	if cfg.StatusChecksPerMinute == 0 {
		// Tests are not held to Upsampler's rate; the limit has its own test.
		cfg.StatusChecksPerMinute = 600000
	}
	cfg.RevokeOnFullRefund = !o.KeepTokenOnRefund
	if len(cfg.TokenKey) == 0 {
		// One key for every replica a test builds, as downloads.token_key
		// is shared in production: links and callback proofs hold across them.
		cfg.TokenKey = []byte("pipelinetest key shared by replicas")
	}
	e.Config = cfg
	e.Svc = e.Replica(cfg, pipeline.Deps{})
	e.OnCallback(func(cb pipeline.Callback) {
		_ = e.Svc.UpsamplerCallback(context.Background(), cb) // a refused callback shows on the job, where tests look
	})
	e.Admin = e.NewAdmin(o.Admin)
	return e
}

// Shop is the WordPress site of a test, until the test ends: it serves
// PNG under /wp-content/uploads/ and hands Upsampler's callbacks, which
// the plugin's bridge receives at /smi-webhook/upsampler/, to callback.
func Shop(t testing.TB, callback http.HandlerFunc) *httptest.Server {
	pic := PNG()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/wp-content/uploads/"):
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pic)
		case r.URL.Path == "/smi-webhook/upsampler/":
			callback(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	return site
}

// callback passes an Upsampler callback to the handler OnCallback set.
func (e *Env) callback(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.hookMu.Lock()
	h := e.hook
	e.hookMu.Unlock()
	if h != nil {
		q := r.URL.Query()
		h(pipeline.Callback{JobID: q.Get("job"), Attempt: q.Get("a"), Proof: q.Get("k"), Body: body})
	}
	w.WriteHeader(http.StatusOK)
}

// OnCallback routes Upsampler's callbacks to h from now on; nil drops
// them, for tests that drive every status check through Poll.
func (e *Env) OnCallback(h func(pipeline.Callback)) {
	e.hookMu.Lock()
	e.hook = h
	e.hookMu.Unlock()
}

// Replica builds another pipeline Service: a second daemon process, as far
// as the data can tell. Deps left zero are the Env's own.
func (e *Env) Replica(cfg pipeline.Config, d pipeline.Deps) *pipeline.Service {
	e.T.Helper()
	if d.Payments == nil {
		d.Payments = e.Stripe
	}
	if d.Upscaler == nil {
		d.Upscaler = e.Upscaler
	}
	if d.Mailer == nil {
		d.Mailer = e.Mailer
	}
	if d.Files == nil {
		d.Files = e.Files
	}
	if d.Store == nil {
		d.Store = e.DB
	}
	d.Pricing, d.Log = e.Pricing, Quiet()
	svc, err := pipeline.New(cfg, d)
	if err != nil {
		e.T.Fatal(err)
	}
	return svc
}

// NewAdmin builds an admin service on the Env's pipeline (a second one is
// the daemon after a restart); it stops when the test ends.
func (e *Env) NewAdmin(cfg admin.Config) *admin.Service {
	a := admin.New(cfg, e.Svc, e.DB, Quiet())
	e.T.Cleanup(a.Stop)
	return a
}
