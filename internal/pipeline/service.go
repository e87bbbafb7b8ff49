// Package pipeline is the job lifecycle: checkout, payment, upscaling,
// delivery, failure with automatic refund, and the periodic sweeps that
// keep it moving. The HTTP API, the workers and cron all call it; there is
// no second path to the data.
package pipeline

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/netguard"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale"
	"golang.org/x/time/rate"
)

// Payments is what the pipeline needs of Stripe.
type Payments interface {
	CreateCheckoutSession(ctx context.Context, in stripe.CheckoutInput) (stripe.Session, error)
	GetCheckoutSession(ctx context.Context, id string) (stripe.Session, error)
	GetPaymentIntent(ctx context.Context, id string) (stripe.PaymentIntent, error)
	CreateRefund(ctx context.Context, in stripe.RefundInput) (stripe.Refund, error)
	ListRefunds(ctx context.Context, paymentIntentID string) ([]stripe.Refund, error)
	VerifyEvent(payload []byte, sigHeader string) (stripe.Event, error)
}

// Upscaler is the upscaling provider (Upsampler or local).
type Upscaler interface {
	Name() string
	Submit(ctx context.Context, imageURL string, factor int, webhookURL string) (upscale.Submission, error)
	Status(ctx context.Context, id string) (upscale.Result, error)
	Fetch(ctx context.Context, r upscale.Result) (io.ReadCloser, int64, error)
}

// Mailer sends the customer's emails.
type Mailer interface {
	SendDelivery(ctx context.Context, d mail.Delivery) error
	SendRefund(ctx context.Context, r mail.RefundNotice) error
}

// Files keeps delivered files.
type Files interface {
	Save(ctx context.Context, jobID string, attempt int64, r io.Reader) (storage.Saved, error)
	Open(rel string) (storage.File, os.FileInfo, error)
	// Link is a short-lived URL the browser fetches the file from, or ""
	// when the daemon serves the bytes itself.
	Link(ctx context.Context, rel, filename string, within time.Duration) (string, error)
	Delete(rel string) error
}

// Config tunes the pipeline; zero values get the documented defaults.
type Config struct {
	SiteURL  string // public WordPress URL: links and webhooks are built from it
	SiteName string
	Currency string
	// ImageHosts are the hosts images for sale may come from, besides site.url's.
	ImageHosts        []string
	AllowPrivateHosts bool

	PollInterval time.Duration
	// PollEvery is how often the poll task runs (cron.poll); its budget
	// of status checks per run follows from it.
	PollEvery             time.Duration
	UpscaleTimeout        time.Duration
	MaxAttempts           int
	StatusChecksPerMinute int
	// SubmissionsPerMinute caps this process's submissions (0: no cap).
	SubmissionsPerMinute int

	Concurrency int
	Lease       time.Duration
	IdlePoll    time.Duration
	// Owner names this replica on leases.
	Owner string

	// TokenKey is the server-held key download tokens are derived from
	// (at least 32 bytes). Every replica must share it.
	TokenKey []byte
	// MaxEmailAttempts bounds the tries of a delivery email the mail
	// server refuses for now; a permanent refusal stops at once.
	MaxEmailAttempts int

	DownloadExpiry     time.Duration
	FileRetention      time.Duration
	AbandonAfter       time.Duration
	RevokeOnFullRefund bool
	// RefundOnFraudWarning refunds a charge in full when Stripe reports an
	// early fraud warning for it (stripe.refund_on_fraud_warning).
	RefundOnFraudWarning bool
	// RetainAbandoned and RetainFailed delete such jobs after that long;
	// 0 keeps them for ever.
	RetainAbandoned time.Duration
	RetainFailed    time.Duration

	// ShutdownTimeout bounds how long Stop waits for work in hand before
	// cancelling it (api.shutdown_timeout).
	ShutdownTimeout time.Duration

	Now func() time.Time
}

// Deps are the pipeline's collaborators.
type Deps struct {
	Store    *store.DB
	Payments Payments
	Upscaler Upscaler
	Mailer   Mailer
	Files    Files
	Pricing  *pricing.Pricing
	Log      *slog.Logger
	Errors   ErrorCounter // optional: counts outside parties' errors
}

// Service runs the lifecycle.
type Service struct {
	cfg     Config
	st      *store.DB
	pay     Payments
	up      Upscaler
	mail    Mailer
	errs    ErrorCounter
	files   Files
	pricing *pricing.Pricing
	log     *slog.Logger
	images  netguard.Policy
	submits *rate.Limiter
	checks  *rate.Limiter
	wake    chan struct{}
	workers *workers

	hintSlots chan struct{}
	hintWG    sync.WaitGroup
	// bg is the context of work the service starts by itself (callbacks
	// handled after their answer); Stop cancels it.
	bg       context.Context
	bgCancel context.CancelFunc

	// reconcileAfter is where ReconcileRecent's next run starts.
	reconcileMu    sync.Mutex
	reconcileAfter store.PageMark
}

// New checks the configuration and builds the service.
func New(cfg Config, d Deps) (*Service, error) {
	cfg.PollInterval = cmp.Or(cfg.PollInterval, 30*time.Second)
	cfg.PollEvery = cmp.Or(cfg.PollEvery, 30*time.Second)
	cfg.UpscaleTimeout = cmp.Or(cfg.UpscaleTimeout, 15*time.Minute)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 5)
	cfg.StatusChecksPerMinute = cmp.Or(cfg.StatusChecksPerMinute, 200)
	cfg.Concurrency = cmp.Or(cfg.Concurrency, 4)
	cfg.Lease = cmp.Or(cfg.Lease, 2*time.Minute)
	cfg.IdlePoll = cmp.Or(cfg.IdlePoll, time.Second)
	cfg.DownloadExpiry = cmp.Or(cfg.DownloadExpiry, 24*time.Hour)
	cfg.MaxEmailAttempts = cmp.Or(cfg.MaxEmailAttempts, 5)
	cfg.ShutdownTimeout = cmp.Or(cfg.ShutdownTimeout, 15*time.Second)
	if len(cfg.TokenKey) == 0 {
		// Tests and one-off tools: links stay stable within this process only.
		cfg.TokenKey = make([]byte, 32)
		if _, err := rand.Read(cfg.TokenKey); err != nil {
			return nil, err
		}
	}
	if len(cfg.TokenKey) < 32 {
		return nil, errors.New("pipeline: the download token key must be at least 32 bytes")
	}
	cfg.FileRetention = cmp.Or(cfg.FileRetention, 7*24*time.Hour)
	cfg.AbandonAfter = cmp.Or(cfg.AbandonAfter, 24*time.Hour)
	cfg.Currency = cmp.Or(cfg.Currency, "usd")
	cfg.SiteName = cmp.Or(cfg.SiteName, "Sell My Images")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Owner == "" {
		h, _ := os.Hostname()
		cfg.Owner = fmt.Sprintf("%s-%d", h, os.Getpid())
	}
	if d.Store == nil || d.Payments == nil || d.Upscaler == nil || d.Mailer == nil || d.Files == nil || d.Pricing == nil {
		return nil, errors.New("pipeline: every dependency is required")
	}
	site, err := parseSite(cfg.SiteURL)
	if err != nil {
		return nil, err
	}
	hosts := append([]string{site.Host}, cfg.ImageHosts...)
	s := &Service{
		cfg: cfg, st: d.Store, pay: d.Payments, up: d.Upscaler, mail: d.Mailer, files: d.Files,
		pricing: d.Pricing, log: cmp.Or(d.Log, slog.Default()), errs: cmp.Or[ErrorCounter](d.Errors, noCounter{}),
		images:    netguard.Policy{AllowedHosts: hosts, AllowPrivate: cfg.AllowPrivateHosts},
		wake:      make(chan struct{}, max(cfg.Concurrency, 1)),
		hintSlots: make(chan struct{}, max(cfg.Concurrency, 4)),
	}
	s.bg, s.bgCancel = context.WithCancel(context.Background())
	s.checks = rate.NewLimiter(rate.Limit(float64(cfg.StatusChecksPerMinute)/60), max(1, cfg.StatusChecksPerMinute/60))
	if cfg.SubmissionsPerMinute > 0 {
		s.submits = rate.NewLimiter(rate.Limit(float64(cfg.SubmissionsPerMinute)/60), 1)
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// notify wakes an idle worker of this process at once; workers of other
// replicas find the job on their next idle poll.
func (s *Service) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// errNoChange tells a Check that the job is already where the change
// would put it: the caller treats it as success.
var errNoChange = errors.New("no change")

// apply runs a store change, treating errNoChange as done.
func (s *Service) apply(ctx context.Context, ch store.Change) (changed bool, err error) {
	_, err = s.st.Apply(ctx, ch)
	if errors.Is(err, errNoChange) {
		return false, nil
	}
	return err == nil, err
}

// describeErr keeps an error message short enough for last_error.
func describeErr(err error) string {
	msg := strings.ToValidUTF8(err.Error(), "?")
	if len(msg) > 500 {
		cut := 500
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut-- // never inside a character: MariaDB refuses broken UTF-8
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
