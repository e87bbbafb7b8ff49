package httpapi

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

var jobIDRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// pathJobID reads and checks {job_id}; a malformed one cannot exist.
func pathJobID(r *http.Request) (string, error) {
	id := r.PathValue("job_id")
	if !jobIDRE.MatchString(id) {
		return "", &job.Error{Code: job.ENotFound, Message: "no job has this id", Param: "job_id"}
	}
	return strings.ToLower(id), nil
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := checkKnown(v, listParams); err != nil {
		s.writeError(w, r, err)
		return
	}
	lq, err := parseList(v, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.stuckBefore(&lq.Filter)
	p, err := s.store.List(r.Context(), lq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now()
	views, err := s.viewJobs(r.Context(), p.Jobs, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := listResponse{Jobs: views, Total: p.Total, TotalExact: p.TotalExact, TotalCapped: !p.TotalExact,
		Page: p.Page, PerPage: p.PerPage, TotalPages: p.TotalPages, NextCursor: p.NextCursor, PrevCursor: p.PrevCursor}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathJobID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	j, err := s.store.Get(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.store.Events(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	history, err := s.store.Refunds(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now()
	total, remaining := refundTotals(j, history)
	resp := detailResponse{
		Job:                s.viewJob(j, now, inFlight(history)),
		Durations:          durationsOf(j),
		Download:           downloadView{TokenState: j.TokenStateAt(now), ExpiresAt: j.DownloadExpiresAt, Count: j.DownloadCount},
		Refunds:            refundsView{Total: total, Remaining: remaining, Currency: j.Currency, History: history},
		Events:             events,
		AllowedStatusMoves: job.OverrideTargets(j.Status),
		CreditsEstimate:    s.credits(j),
	}
	if resp.Refunds.History == nil {
		resp.Refunds.History = []store.Refund{}
	}
	if resp.Events == nil {
		resp.Events = []job.Event{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// handlePublicJob is what a customer's browser may learn about its job
// (the plugin proxies it): no email, no money, no ids of other systems.
func (s *Server) handlePublicJob(w http.ResponseWriter, r *http.Request) {
	id, err := pathJobID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	j, err := s.store.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"job_id": j.JobID, "status": j.Status, "payment_status": j.PaymentStatus, "resolution": j.Resolution,
		"download_ready": j.Status == job.StatusCompleted && j.TokenStateAt(s.cfg.Now()) == job.TokenActive,
	})
}

type statsResponse struct {
	ByStatus        map[job.Status]int64        `json:"by_status"`
	ByPaymentStatus map[job.PaymentStatus]int64 `json:"by_payment_status"`
	Total           int64                       `json:"total"`
	Currency        string                      `json:"currency"`
	Revenue         *job.Money                  `json:"revenue,omitempty"`
	Cost            *job.Money                  `json:"cost,omitempty"`
	Refunded        *job.Money                  `json:"refunded,omitempty"`
	Margin          *job.Money                  `json:"margin,omitempty"`
	// Attention counts the jobs that need an admin (any filter aside).
	Attention      int64 `json:"attention"`
	AttentionExact bool  `json:"attention_exact"`
}

// handleStats answers counts per status and payment status and the money
// sums. only=counts skips the money sums, which need a scan, so the Jobs
// page's status views cost nothing.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := checkKnown(v, append(slices.Clone(filterParams), "only")); err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := jobfilter.Parse(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	only := v.Get("only")
	if only != "" && only != "counts" {
		s.writeError(w, r, job.Invalid("only", "only may be \"counts\""))
		return
	}
	s.stuckBefore(&f)
	resp := statsResponse{Currency: s.cfg.Currency}
	// How many jobs need an admin, whatever the filter (the menu bubble).
	af := store.Filter{Attention: true}
	s.stuckBefore(&af)
	n, estimate, err := s.store.Count(r.Context(), af)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp.Attention, resp.AttentionExact = n, !estimate
	if only == "counts" {
		c, err := s.store.CountsFor(r.Context(), f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp.ByStatus, resp.ByPaymentStatus, resp.Total = c.ByStatus, c.ByPaymentStatus, c.Total
		writeJSON(w, http.StatusOK, resp)
		return
	}
	st, err := s.store.Stats(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp.ByStatus, resp.ByPaymentStatus, resp.Total = st.ByStatus, st.ByPaymentStatus, st.Total
	resp.Revenue, resp.Cost, resp.Refunded, resp.Margin = &st.Revenue, &st.Cost, &st.Refunded, &st.Margin
	writeJSON(w, http.StatusOK, resp)
}
