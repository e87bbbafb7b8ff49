package admin_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/admin"
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

const webhookSecret = "whsec_test_admin_secret_0123456789"

// admin is the WordPress user the tests act as.
const admin1 job.Actor = "wp:1:admin"

var linkRE = regexp.MustCompile(`/smi-download/([0-9a-f]{64})`)

// One stripe-mock serves the whole package: it is stateless, and starting
// it costs more than a second.
var mock struct {
	once sync.Once
	url  string
	stop func()
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mock.stop != nil {
		mock.stop()
	}
	os.Exit(code)
}

func mockURL(t *testing.T) string {
	mock.once.Do(func() { mock.url, mock.stop, mock.err = stripetest.StartMockProcess() })
	if mock.err != nil {
		t.Fatalf("stripe-mock: %v (run `make test`, which installs it)", mock.err)
	}
	return mock.url
}

// clock is a settable clock shared by the store, the pipeline and the
// Upsampler fake.
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
	stripeMock bool // stripe-mock instead of the stateful Fake
	upsampler  upscaletest.Options
	admin      admin.Config
}

type bundle struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	sql   *sqlx.DB // the same database, for counting what the API does not show
	pipe  *pipeline.Service
	adm   *admin.Service
	up    *upscaletest.Server
	fake  *stripetest.Fake
	mail  *mailtest.Server
	site  *httptest.Server
	clock *clock
	files *storage.Store
	cfg   pipeline.Config
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
	b := &bundle{t: t, ctx: context.Background(), clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	dsn := storetest.EmptyDB(t)
	b.db = storetest.Open(t, dsn, storetest.Options{Now: b.clock.Now}, true)
	var err error
	if b.sql, err = sqlx.Open("mysql", dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.sql.Close() })
	pic := testPNG()
	b.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/wp-content/uploads/") {
			w.Header().Set("Content-Type", "image/png")
			w.Write(pic)
			return
		}
		w.WriteHeader(http.StatusNoContent) // Upsampler callbacks: the tests poll instead
	}))
	t.Cleanup(b.site.Close)
	uo := o.upsampler
	uo.Now = b.clock.Now
	b.up = upscaletest.New(uo)
	t.Cleanup(b.up.Close)
	base := ""
	if o.stripeMock {
		base = mockURL(t)
	} else {
		b.fake = stripetest.NewFake(t)
		base = b.fake.URL()
	}
	// No stripe-go retries: a failure the Fake injects is the answer we get.
	payc, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: webhookSecret, APIBase: base, MaxNetworkRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	b.mail = mailtest.Start(t)
	mailer, err := mail.New(mail.Config{Host: b.mail.SMTPHost(), Port: b.mail.SMTPPort(), TLS: "none", From: "Shop <shop@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: b.up.URL(), APIKey: b.up.APIKey(), FetchClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	if b.files, err = storage.New(storage.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.files.Close() })
	pr, _ := pricing.New(pricing.Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	b.cfg = pipeline.Config{SiteURL: b.site.URL, AllowPrivateHosts: true, Now: b.clock.Now, IdlePoll: 20 * time.Millisecond, StatusChecksPerMinute: 600000,
		RevokeOnFullRefund: true, PollInterval: 30 * time.Second, UpscaleTimeout: 15 * time.Minute, DownloadExpiry: 24 * time.Hour}
	b.pipe, err = pipeline.New(b.cfg, pipeline.Deps{Store: b.db, Payments: payc, Upscaler: provider, Mailer: mailer,
		Files: b.files, Pricing: pr, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	b.adm = b.newAdmin(o.admin)
	return b
}

// newAdmin builds an admin service on the bundle's pipeline: a second one
// is the daemon after a restart.
func (b *bundle) newAdmin(cfg admin.Config) *admin.Service {
	return admin.New(cfg, b.pipe, b.db, quiet())
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (b *bundle) get(id string) *job.Job {
	b.t.Helper()
	j, err := b.db.Get(b.ctx, id)
	if err != nil {
		b.t.Fatal(err)
	}
	return j
}

func (b *bundle) checkout(email string) string {
	b.t.Helper()
	res, err := b.pipe.Checkout(b.ctx, pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: b.site.URL + "/wp-content/uploads/2026/11/photo.png", ImageWidth: 200, ImageHeight: 150,
		Resolution: "4x", Email: email, SuccessURL: b.site.URL + "/thanks", CancelURL: b.site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.JobID
}

func (b *bundle) deliver(evID, typ string, object any) *pipeline.WebhookResult {
	b.t.Helper()
	payload, sig := stripetest.SignEvent(b.t, webhookSecret, stripetest.EventJSON(evID, typ, object))
	res, err := b.pipe.HandleStripeWebhook(b.ctx, payload, sig)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

// unpaidAtStripe opens a checkout and has the buyer pay it in the Fake,
// without the webhook (which a test may then drop).
func (b *bundle) unpaidAtStripe(email string) (jobID, sessID, pi string) {
	b.t.Helper()
	jobID = b.checkout(email)
	sessID = *b.get(jobID).StripeCheckoutSessionID
	pi = "pi_" + strings.ReplaceAll(jobID[:13], "-", "")
	b.fake.SetSessionPaid(sessID, pi)
	return jobID, sessID, pi
}

// paid is a checkout paid at Stripe and announced by webhook: a pending job.
func (b *bundle) paid(email string) (jobID, pi string) {
	b.t.Helper()
	jobID, sessID, pi := b.unpaidAtStripe(email)
	b.deliver("evt_paid_"+jobID[:8], "checkout.session.completed", b.fake.Session(sessID))
	if j := b.get(jobID); j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid {
		b.t.Fatalf("after payment: %s/%s", j.Status, j.PaymentStatus)
	}
	return jobID, pi
}

// processing claims and submits the job: its upscale is then live.
func (b *bundle) processing(jobID string) {
	b.t.Helper()
	for {
		did, err := b.pipe.Work(b.ctx)
		if err != nil {
			b.t.Fatal(err)
		}
		if !did {
			break
		}
	}
	if j := b.get(jobID); j.Status != job.StatusProcessing || j.UpsamplerJobID == nil {
		b.t.Fatalf("after work: %s, upsampler id %v", j.Status, j.UpsamplerJobID)
	}
}

// complete runs a pending job to completed and returns the token of the
// link the customer was emailed.
func (b *bundle) complete(jobID string) string {
	b.t.Helper()
	b.processing(jobID)
	b.clock.Advance(b.cfg.PollInterval + time.Second)
	if _, err := b.pipe.Poll(b.ctx); err != nil {
		b.t.Fatal(err)
	}
	j := b.get(jobID)
	if j.Status != job.StatusCompleted {
		b.t.Fatalf("after poll: %s (%s)", j.Status, deref(j.LastError))
	}
	return b.tokenMailed(j.Email, 1)
}

// completedJob is a paid job, upscaled and delivered.
func (b *bundle) completedJob(email string) (jobID, pi, token string) {
	b.t.Helper()
	jobID, pi = b.paid(email)
	return jobID, pi, b.complete(jobID)
}

// tokenMailed waits for the nth message to addr and returns its link's token.
func (b *bundle) tokenMailed(addr string, nth int) string {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got []mailtest.Summary
		for _, m := range b.mail.Messages(b.t) {
			if len(m.To) > 0 && m.To[0].Address == addr {
				got = append(got, m)
			}
		}
		if len(got) >= nth {
			// Messages come newest first.
			full := b.mail.Message(b.t, got[len(got)-nth].ID)
			m := linkRE.FindStringSubmatch(full.Text)
			if m == nil {
				b.t.Fatalf("message %q has no download link:\n%s", full.Subject, full.Text)
			}
			return m[1]
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%d messages to %s, want %d", len(got), addr, nth)
		}
		time.Sleep(20 * time.Millisecond)
	}
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

// canDownload reports whether the customer's link works.
func (b *bundle) canDownload(token string) error {
	d, err := b.pipe.OpenDownload(b.ctx, token, "203.0.113.9", true)
	if err == nil {
		d.File.Close()
	}
	return err
}

func (b *bundle) events(jobID string) []job.Event {
	b.t.Helper()
	evs, err := b.db.Events(b.ctx, jobID)
	if err != nil {
		b.t.Fatal(err)
	}
	return evs
}

// lastEvent is the job's newest event of typ; the test fails without one.
func (b *bundle) lastEvent(jobID, typ string) job.Event {
	b.t.Helper()
	evs := b.events(jobID)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i]
		}
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	b.t.Fatalf("job %s has no %s event: %v", jobID, typ, types)
	return job.Event{}
}

func (b *bundle) count(jobID, typ string) int {
	n := 0
	for _, e := range b.events(jobID) {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (b *bundle) refunds(jobID string) []store.Refund {
	b.t.Helper()
	rs, err := b.db.Refunds(b.ctx, jobID)
	if err != nil {
		b.t.Fatal(err)
	}
	return rs
}

// insert writes a job in any state straight into the database, for the
// states the lifecycle reaches only slowly.
func (b *bundle) insert(j *job.Job) *job.Job {
	b.t.Helper()
	if j.JobID == "" {
		j.JobID = newID()
	}
	if j.ImageURL == "" {
		j.ImageURL = b.site.URL + "/wp-content/uploads/a.png"
	}
	j.Resolution = job.Resolution4x
	j.PostID = 7
	if err := b.db.Insert(b.ctx, j, store.EventInput{Type: "seeded", Message: "inserted by the test"}); err != nil {
		b.t.Fatal(err)
	}
	return b.get(j.JobID)
}

// storedFile saves a real PNG for jobID and returns its path.
func (b *bundle) storedFile(jobID string) string {
	b.t.Helper()
	saved, err := b.files.Save(b.ctx, jobID, 0, bytes.NewReader(testPNG()))
	if err != nil {
		b.t.Fatal(err)
	}
	return saved.Path
}

// wantErr fails unless err is a *job.Error with code (and param, if given).
func wantErr(t *testing.T, err error, code, param string) *job.Error {
	t.Helper()
	var e *job.Error
	if !errors.As(err, &e) || e.Code != code || (param != "" && e.Param != param) {
		t.Fatalf("got error %v, want code %s param %q", err, code, param)
	}
	if e.Message == "" {
		t.Fatalf("error %s has no message", code)
	}
	return e
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ptr[T any](v T) *T { return &v }

func newID() string { return uuid.NewString() }

func errorAs(err error, e **job.Error) bool { return errors.As(err, e) }
