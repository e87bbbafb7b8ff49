package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
)

// reportMaxDays bounds a report's range: a year and a day of daily rows.
const reportMaxDays = 366

type reportResponse struct {
	Currency     string              `json:"currency"`
	TZ           string              `json:"tz"`
	From         string              `json:"from"`
	To           string              `json:"to"`
	Totals       store.Figures       `json:"totals"`
	Days         []store.Day         `json:"days"`
	TopByRevenue []store.PostFigures `json:"top_by_revenue"`
	TopByMargin  []store.PostFigures `json:"top_by_margin"`
}

// handleReport answers the money of a range of the site's local days: a
// daily series and the top posts by revenue and by margin.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := checkKnown(v, []string{"from", "to", "tz", "limit"}); err != nil {
		s.writeError(w, r, err)
		return
	}
	rr, err := parseReportRange(v, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := 10
	if l := v.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 100 {
			s.writeError(w, r, job.Invalid("limit", "limit must be 1 to 100"))
			return
		}
	}
	resp := reportResponse{Currency: s.cfg.Currency, TZ: rr.Loc.String(),
		From: rr.From.Format(time.DateOnly), To: rr.To.AddDate(0, 0, -1).Format(time.DateOnly)}
	if resp.Days, err = s.store.Daily(r.Context(), rr); err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, d := range resp.Days {
		t := &resp.Totals
		t.Orders, t.Revenue, t.Refunds, t.Cost, t.Margin = t.Orders+d.Orders, t.Revenue+d.Revenue, t.Refunds+d.Refunds, t.Cost+d.Cost, t.Margin+d.Margin
	}
	if resp.TopByRevenue, err = s.store.TopPosts(r.Context(), rr, "revenue", limit); err != nil {
		s.writeError(w, r, err)
		return
	}
	if resp.TopByMargin, err = s.store.TopPosts(r.Context(), rr, "margin", limit); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp.TopByRevenue, resp.TopByMargin = nonNil(resp.TopByRevenue), nonNil(resp.TopByMargin)
	writeJSON(w, http.StatusOK, resp)
}

func nonNil(p []store.PostFigures) []store.PostFigures {
	if p == nil {
		return []store.PostFigures{}
	}
	return p
}

// parseReportRange reads tz (an IANA zone or an offset; UTC when absent)
// and from/to, each a date (YYYY-MM-DD) or an RFC 3339 time whose local
// day in tz is meant. Both days are included; the default is the 30 days
// ending today.
func parseReportRange(v url.Values, now time.Time) (store.ReportRange, error) {
	loc := time.UTC
	if z := v.Get("tz"); z != "" {
		var err error
		if loc, err = site.ParseZone(z); err != nil {
			return store.ReportRange{}, job.Invalid("tz", "%v", err)
		}
	}
	today := localMidnight(now.In(loc))
	from, to := today.AddDate(0, 0, -29), today
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"from", &from}, {"to", &to}} {
		raw := v.Get(p.key)
		if raw == "" {
			continue
		}
		if d, err := time.ParseInLocation(time.DateOnly, raw, loc); err == nil {
			*p.dst = d
		} else if t, err := time.Parse(time.RFC3339, raw); err == nil {
			*p.dst = localMidnight(t.In(loc))
		} else {
			return store.ReportRange{}, job.Invalid(p.key, "%s must be a date (2026-01-31) or an RFC 3339 time", p.key)
		}
	}
	if to.Before(from) {
		return store.ReportRange{}, job.Invalid("to", "to is before from")
	}
	end := to.AddDate(0, 0, 1)
	if end.After(from.AddDate(0, 0, reportMaxDays)) {
		return store.ReportRange{}, job.Invalid("from", "a report covers at most %d days", reportMaxDays)
	}
	return store.ReportRange{From: from, To: end, Loc: loc}, nil
}

func localMidnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
