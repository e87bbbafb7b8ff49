package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	upsampler  upscaletest.Options
	cfg        pipeline.Config
	noMail     bool
	// upTimeout bounds one Upsampler API call (the client's default is 30s).
	upTimeout time.Duration
	// keepTokenOnRefund turns downloads.revoke_on_full_refund off.
	keepTokenOnRefund bool
}

type bundle struct {
	t     *testing.T
	dsn   string
	db    *store.DB
	svc   *pipeline.Service
	up    *upscaletest.Server
	fake  *stripetest.Fake
	payc  *stripe.Client
	mail  *mailtest.Server
	site  *httptest.Server
	clock *clock
	files *storage.Store
	// filesRoot is the stored files' directory.
	filesRoot string
	hook      func(pipeline.Callback) // Upsampler callbacks land here
	hookMu    sync.Mutex

	// What New was given, so a test can build a second replica.
	cfg      pipeline.Config
	provider *upscale.Upsampler
	mailer   pipeline.Mailer
	pricing  *pricing.Pricing
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
	b.dsn = storetest.EmptyDB(t)
	b.db = storetest.Open(t, b.dsn, storetest.Options{Now: b.clock.Now}, true)
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
				q := r.URL.Query()
				h(pipeline.Callback{JobID: q.Get("job"), Attempt: q.Get("a"), Proof: q.Get("k"), Body: body})
			}
			w.WriteHeader(200)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(b.site.Close)
	uo := o.upsampler
	if uo.Now == nil {
		uo.Now = b.clock.Now // the fake's jobs progress as the test moves the clock
	}
	b.up = upscaletest.New(uo)
	t.Cleanup(b.up.Close)
	base := ""
	if o.fakeStripe {
		b.fake = stripetest.NewFake(t)
		base = b.fake.URL()
	} else {
		base = stripetest.StartMock(t)
	}
	var err error
	// No stripe-go retries: a failure the Fake injects is the answer we get.
	b.payc, err = stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: webhookSecret, APIBase: base,
		MaxNetworkRetries: -1})
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
		FetchClient: http.DefaultClient, Timeout: o.upTimeout})
	if err != nil {
		t.Fatal(err)
	}
	b.provider, b.mailer = provider, mailer
	b.filesRoot = t.TempDir()
	b.files, err = storage.New(storage.Config{Dir: b.filesRoot})
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
	if cfg.StatusChecksPerMinute == 0 {
		// Tests are not held to Upsampler's rate; the limit has its own test.
		cfg.StatusChecksPerMinute = 600000
	}
	cfg.RevokeOnFullRefund = !o.keepTokenOnRefund
	// One key for every replica a test builds, as downloads.token_key is
	// shared in production: links and callback proofs hold across them.
	cfg.TokenKey = []byte("test key shared by the replicas of one bundle")
	b.cfg, b.pricing = cfg, pr
	b.svc = b.replica(cfg, pipeline.Deps{})
	b.onUpsamplerHook(func(cb pipeline.Callback) { b.svc.UpsamplerCallback(context.Background(), cb) })
	return b
}

// replica builds another Service: a second daemon process, as far as the
// data can tell. Deps left zero are the bundle's own.
func (b *bundle) replica(cfg pipeline.Config, d pipeline.Deps) *pipeline.Service {
	b.t.Helper()
	if d.Payments == nil {
		d.Payments = b.payc
	}
	if d.Upscaler == nil {
		d.Upscaler = b.provider
	}
	if d.Mailer == nil {
		d.Mailer = b.mailer
	}
	if d.Files == nil {
		d.Files = b.files
	}
	if d.Store == nil {
		d.Store = b.db
	}
	d.Pricing, d.Log = b.pricing, slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := pipeline.New(cfg, d)
	if err != nil {
		b.t.Fatal(err)
	}
	return svc
}

func (b *bundle) onUpsamplerHook(h func(pipeline.Callback)) {
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
			b.t.Fatalf("job %s is %s (last error %v), want %s; timeline %v", jobID, j.Status, deref(j.LastError), want, b.events(jobID))
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

// signed builds a signed Stripe event around object.
func (b *bundle) signed(evID, typ string, object any) ([]byte, string) {
	return stripetest.SignEvent(b.t, webhookSecret, stripetest.EventJSON(evID, typ, object))
}

// fakeCheckout opens a checkout through the service and has the buyer pay
// it in the Fake (no webhook yet); pi is the PaymentIntent it created.
func (b *bundle) fakeCheckout(email string) (jobID, sessID, pi string) {
	b.t.Helper()
	if b.fake == nil {
		b.t.Fatal("fakeCheckout needs options{fakeStripe: true}")
	}
	res := b.checkout(email)
	sessID = *b.get(res.JobID).StripeCheckoutSessionID
	pi = "pi_" + strings.ReplaceAll(res.JobID[:13], "-", "")
	b.fake.SetSessionPaid(sessID, pi)
	return res.JobID, sessID, pi
}

// fakePaid is fakeCheckout plus the checkout.session.completed webhook,
// built from the Fake's own session.
func (b *bundle) fakePaid(email string) (jobID, pi string) {
	b.t.Helper()
	jobID, sessID, pi := b.fakeCheckout(email)
	b.deliver(b.signed("evt_done_"+jobID[:8], "checkout.session.completed", b.fake.Session(sessID)))
	if j := b.get(jobID); j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid {
		b.t.Fatalf("after payment: %s/%s", j.Status, j.PaymentStatus)
	}
	return jobID, pi
}

// work lets the service claim and submit jobs until none is due.
func (b *bundle) work() int {
	b.t.Helper()
	n := 0
	for {
		did, err := b.svc.Work(context.Background())
		if err != nil {
			b.t.Fatal(err)
		}
		if !did {
			return n
		}
		n++
	}
}

func (b *bundle) poll() int {
	b.t.Helper()
	n, err := b.svc.Poll(context.Background())
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

func (b *bundle) refunds(jobID string) []store.Refund {
	b.t.Helper()
	rs, err := b.db.Refunds(context.Background(), jobID)
	if err != nil {
		b.t.Fatal(err)
	}
	return rs
}

// count is how many events of typ the job's timeline holds.
func (b *bundle) count(jobID, typ string) int {
	n := 0
	for _, e := range b.events(jobID) {
		if e == typ {
			n++
		}
	}
	return n
}

// mailTo waits for a message to addr whose subject contains subject.
func (b *bundle) mailTo(addr, subject string) mailtest.Full {
	b.t.Helper()
	return b.mail.WaitFor(b.t, func(s mailtest.Summary) bool {
		return len(s.To) > 0 && s.To[0].Address == addr && strings.Contains(s.Subject, subject)
	}, 5*time.Second)
}

// mailsTo counts the messages received for addr.
func (b *bundle) mailsTo(addr string) int {
	n := 0
	for _, m := range b.mail.Messages(b.t) {
		if len(m.To) > 0 && m.To[0].Address == addr {
			n++
		}
	}
	return n
}

// wantErr fails unless err is a *job.Error with code (and reason, if given).
func wantErr(t *testing.T, err error, code, reason string) *job.Error {
	t.Helper()
	var e *job.Error
	if !errors.As(err, &e) || e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("got error %v (%#v), want code %s reason %q", err, err, code, reason)
	}
	return e
}
