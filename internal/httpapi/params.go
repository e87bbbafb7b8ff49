package httpapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

var filterParams = jobfilter.Keys
var listParams = append(slices.Clone(filterParams), "orderby", "order", "per_page", "page", "cursor", "position")

// checkKnown refuses parameters the endpoint does not know, so a typo is
// an error instead of a silently unfiltered list.
func checkKnown(v url.Values, known []string) error {
	for k := range v {
		if !slices.Contains(known, k) {
			return job.Invalid(k, "unknown parameter %q (accepted: %s)", k, strings.Join(known, ", "))
		}
	}
	return nil
}

// stuckBefore fills the attention filter's clock: a job processing since
// before now less upscaler.timeout is stuck.
func (s *Server) stuckBefore(f *store.Filter) {
	if f.Attention && s.cfg.UpscaleTimeout > 0 {
		t := s.cfg.Now().Add(-s.cfg.UpscaleTimeout)
		f.StuckBefore = &t
	}
}

// parseList reads a list request: filter, order and paging.
func parseList(v url.Values, paging bool) (store.ListQuery, error) {
	lq := store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 25, Page: 1}
	var err error
	if lq.Filter, err = jobfilter.Parse(v); err != nil {
		return lq, err
	}
	if o := v.Get("orderby"); o != "" {
		if !slices.Contains(store.OrderBy, o) {
			return lq, job.Invalid("orderby", "unknown orderby %q (accepted: %s)", o, strings.Join(store.OrderBy, ", "))
		}
		lq.OrderBy = o
	}
	switch strings.ToLower(v.Get("order")) {
	case "", "desc":
	case "asc":
		lq.Desc = false
	default:
		return lq, job.Invalid("order", "order must be asc or desc")
	}
	if !paging {
		return lq, nil
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return lq, job.Invalid("per_page", "per_page must be an integer from 1 to 500")
		}
		lq.PerPage = n
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return lq, job.Invalid("page", "page must be an integer of 1 or more")
		}
		lq.Page = n
	}
	if c := v.Get("cursor"); c != "" {
		if v.Get("page") != "" {
			return lq, job.Invalid("cursor", "pass either page or cursor, not both")
		}
		lq.Cursor = c
	}
	switch v.Get("position") {
	case "":
	case "last":
		if v.Get("page") != "" || v.Get("cursor") != "" {
			return lq, job.Invalid("position", "position=last takes no page or cursor")
		}
		lq.Last = true
	default:
		return lq, job.Invalid("position", "position may be \"last\"")
	}
	return lq, nil
}
