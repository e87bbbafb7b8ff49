// Package metrics is the daemon's Prometheus registry: client_golang's own
// Go runtime, process and database-pool collectors, the HTTP figures, and
// the business figures an operator alerts on (jobs by status, the queue,
// refunds pending, errors from Upsampler, Stripe and SMTP by kind, each
// cron task's last success).
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sellmyimages/smid/internal/store"
)

// Source is what the business collector reads from the store at scrape time.
type Source interface {
	Counts(ctx context.Context) (*store.Counts, error)
	QueueStats(ctx context.Context) (store.QueueStats, error)
}

// Parties whose errors are counted.
const (
	PartyUpsampler = "upsampler"
	PartyStripe    = "stripe"
	PartySMTP      = "smtp"
)

// Registry holds every metric the daemon exposes.
type Registry struct {
	reg      *prometheus.Registry
	errors   *prometheus.CounterVec
	Requests *prometheus.CounterVec
	Latency  *prometheus.HistogramVec
	cron     *cronCollector
}

// New registers the standard collectors, the HTTP metrics and the business
// collector. db is the pool to report on; src may be nil (no business
// figures, as in tests of the HTTP layer alone).
func New(db *sql.DB, src Source, log *slog.Logger) *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "smid_errors_total", Help: "Errors from outside parties, by party (upsampler, stripe, smtp) and kind.",
	}, []string{"party", "kind"})
	r.Requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "smid_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	r.Latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "smid_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	r.cron = newCronCollector()
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.errors, r.Requests, r.Latency, r.cron,
	)
	if db != nil {
		r.reg.MustRegister(collectors.NewDBStatsCollector(db, "smid"))
	}
	if src != nil {
		r.reg.MustRegister(newJobsCollector(src, log))
	}
	// Every party and kind starts at zero, so rate() and increase() see
	// the first error too.
	for party, kinds := range knownKinds {
		for _, k := range kinds {
			r.errors.WithLabelValues(party, k)
		}
	}
	return r
}

// knownKinds are the kinds each party reports (internal/stripe's ErrKind,
// internal/upscale's Kind, and the two of SMTP).
var knownKinds = map[string][]string{
	PartyUpsampler: {"transient", "permanent"},
	PartyStripe:    {"invalid", "auth", "refused", "not_found", "unavailable"},
	PartySMTP:      {"transient", "permanent"},
}

// CountError counts one error from party, of kind. It is safe on a nil
// Registry, so parts built without metrics need no check.
func (r *Registry) CountError(party, kind string) {
	if r == nil {
		return
	}
	if kind == "" {
		kind = "other"
	}
	r.errors.WithLabelValues(party, kind).Inc()
}

// CronRan records a cron task's run: its success time, or a failure.
func (r *Registry) CronRan(task string, at time.Time, err error) {
	if r == nil {
		return
	}
	r.cron.ran(task, at, err)
}

// CronScheduled announces a task, its period and when it started being
// watched, before its first run.
func (r *Registry) CronScheduled(task string, period time.Duration, since time.Time) {
	if r == nil {
		return
	}
	r.cron.scheduled(task, period, since)
}

// MustRegister adds more collectors.
func (r *Registry) MustRegister(cs ...prometheus.Collector) { r.reg.MustRegister(cs...) }

// Handler serves the registry in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
}
