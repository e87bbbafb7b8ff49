package httpapi

import (
	"context"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"net/http"
	"strconv"
	"time"
)

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 only when the database answers and its schema
// is the one this binary expects.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "readyz: database unreachable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	st, err := s.store.Schema(ctx)
	if err != nil {
		s.log.WarnContext(r.Context(), "readyz: schema unreadable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "schema unreadable"})
		return
	}
	if !st.Current {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "schema is behind: run smid migrate", "schema": st})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "schema": st})
}

func (s *Server) handleSystem(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.Schema(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"version": s.cfg.Version, "schema": st, "stripe_mode": s.cfg.StripeMode,
		"currency": s.cfg.Currency, "stripe_dashboard_url": s.cfg.DashboardURL,
		"stripe_configured": s.cfg.StripeConfigured, "upscaler_configured": s.cfg.UpscalerConfigured,
		"mail_configured": s.cfg.MailConfigured, "notify_defaults": s.cfg.NotifyDefaults,
		// The plugin's lists and limits come from here; it keeps no copies.
		"lists": map[string]any{
			"statuses": job.Statuses, "payment_statuses": job.PaymentStatuses, "sort_columns": store.OrderBy,
			"currencies": []string{s.cfg.Currency}, "actions": job.Actions, "attention": job.AttentionCodes,
		},
		"limits": map[string]int{
			"reason_max": job.MaxReasonLen, "note_max": job.MaxNoteLen, "idempotency_key_max": job.MaxIdempotencyKeyLen,
			"batch_max": job.MaxBatchIDs, "per_page_max": job.MaxPerPage,
		},
	})
}

func (s *Server) metricsHandler() http.Handler {
	return s.metrics.Handler()
}

// instrument counts requests and times them per route pattern (never per
// raw path, which would let a caller create unbounded label values).
func (s *Server) instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.Requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		s.metrics.Latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets streamed answers (CSV, downloads) reach the client as they go.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
