// Package httpapi is the daemon's local JSON API: the door the WordPress
// plugin knocks on. Handlers parse and check input, call the services and
// the store's read side, and write JSON; they hold no business rules.
package httpapi

import (
	"cmp"
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/metrics"
	"github.com/sellmyimages/smid/internal/store"
)

// Reader is the store's read side the API needs.
type Reader interface {
	List(ctx context.Context, lq store.ListQuery) (*store.Page, error)
	Get(ctx context.Context, jobID string) (*job.Job, error)
	Events(ctx context.Context, jobID string) ([]job.Event, error)
	Count(ctx context.Context, f store.Filter) (int64, bool, error)
	Stats(ctx context.Context, f store.Filter) (*store.Stats, error)
	CountsFor(ctx context.Context, f store.Filter) (*store.Counts, error)
	Daily(ctx context.Context, r store.ReportRange) ([]store.Day, error)
	TopPosts(ctx context.Context, r store.ReportRange, by string, limit int) ([]store.PostFigures, error)
	Export(ctx context.Context, lq store.ListQuery, fn func(cells [][]byte) error) error
	Refunds(ctx context.Context, jobID string) ([]store.Refund, error)
	RefundsInFlight(ctx context.Context, jobIDs []string) (map[string]bool, error)
	Schema(ctx context.Context) (store.SchemaState, error)
	Ping(ctx context.Context) error
}

// Config holds what the API needs to know about itself.
type Config struct {
	Listen       string // the address it listens on: "127.0.0.1:8787" or "unix:/path"
	Secret       string
	MaxBodyBytes int64
	Version      string
	Currency     string
	StripeMode   string // "test" or "live"
	// DashboardURL is the Stripe dashboard base, for links in job details.
	DashboardURL string
	// Credits estimates the Upsampler credits re-running a job would spend.
	Credits func(*job.Job) int
	// UpscaleTimeout and RevokeOnFullRefund feed the rulebook's verdicts
	// on which actions apply and which jobs need attention.
	UpscaleTimeout     time.Duration
	RevokeOnFullRefund bool
	// What is configured, for the plugin's Site Health: Stripe (site URL,
	// key, webhook secret), the upscaler (local, or an Upsampler key) and
	// mail (an SMTP host). Checkouts answer 503 without the first two.
	StripeConfigured, UpscalerConfigured, MailConfigured bool
	// NotifyDefaults are the notify.* keys by kind (sale, failed, dispute,
	// stuck): what the Settings screen shows for a switch it never saved.
	NotifyDefaults map[string]bool
	Now            func() time.Time
	// Metrics is the registry /metrics serves; a bare one when nil.
	Metrics *metrics.Registry
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	store   Reader
	svc     Services
	log     *slog.Logger
	allowed map[string]bool
	metrics *metrics.Registry
}

// New builds the API server. svc may have nil members for features that
// are not wired; their routes then answer 503.
func New(cfg Config, st Reader, svc Services, log *slog.Logger) *Server {
	cfg.MaxBodyBytes = cmp.Or(cfg.MaxBodyBytes, 1<<20)
	cfg.Currency = cmp.Or(cfg.Currency, "usd")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Credits == nil {
		cfg.Credits = func(*job.Job) int { return 0 }
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New(nil, nil, log)
	}
	return &Server{cfg: cfg, store: st, svc: svc, log: log, allowed: allowedHosts(cfg.Listen), metrics: cfg.Metrics}
}

// allowedHosts are the Host headers a request may carry: the listen
// address and its localhost spellings. Anything else is a browser that a
// DNS-rebinding page pointed at us.
func allowedHosts(listen string) map[string]bool {
	m := map[string]bool{}
	if strings.HasPrefix(listen, "unix:") {
		m["localhost"] = true
		return m
	}
	m[listen] = true
	if _, port, err := net.SplitHostPort(listen); err == nil {
		m["localhost:"+port] = true
		m["127.0.0.1:"+port] = true
		m["[::1]:"+port] = true
	}
	return m
}

// Handler is the whole API with its middleware: the request id first, so
// every log line of a request carries it, then panics, then metrics.
func (s *Server) Handler() http.Handler {
	return withRequestID(s.recoverer(s.instrument(s.routes())))
}

func (s *Server) credits(j *job.Job) int { return s.cfg.Credits(j) }

// authed wraps a /v1 handler: Host check, bearer secret, actor, body limit.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(w, r) {
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Secret)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="smid"`)
			s.writeError(w, r, plainError("unauthorized", "missing or wrong bearer secret"))
			return
		}
		actor := job.ActorSystem
		if a := r.Header.Get("X-SMI-Actor"); a != "" {
			parsed, err := job.ParseActor(a)
			if err != nil {
				s.writeError(w, r, job.Invalid("X-SMI-Actor", "%v", err))
				return
			}
			actor = parsed
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		h(w, r.WithContext(withActor(r.Context(), actor)))
	}
}

// hostAllowed answers 403 to a request not addressed to the listen
// address (a browser that a DNS-rebinding page pointed at us).
func (s *Server) hostAllowed(w http.ResponseWriter, r *http.Request) bool {
	if !s.allowed[strings.ToLower(r.Host)] {
		s.writeError(w, r, plainError("forbidden", "requests must be addressed to the daemon's listen address"))
		return false
	}
	return true
}

// hostChecked guards the unauthenticated operator routes (/readyz,
// /metrics) with the Host check alone.
func (s *Server) hostChecked(h http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.hostAllowed(w, r) {
			h.ServeHTTP(w, r)
		}
	}
}

type actorKey struct{}

func withActor(ctx context.Context, a job.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actorOf is the acting user named by X-SMI-Actor, or system.
func actorOf(r *http.Request) job.Actor {
	if a, ok := r.Context().Value(actorKey{}).(job.Actor); ok {
		return a
	}
	return job.ActorSystem
}

func (s *Server) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "route", r.Pattern, "panic", v)
				s.writeError(w, r, plainError(job.EInternal, "internal error"))
			}
		}()
		h.ServeHTTP(w, r)
	})
}
