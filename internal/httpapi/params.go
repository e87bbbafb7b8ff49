package httpapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

var filterParams = []string{"status", "payment_status", "created_from", "created_to", "email", "post_id", "attachment_id", "q"}
var listParams = append(slices.Clone(filterParams), "orderby", "order", "per_page", "page", "cursor")

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

// parseFilter reads the filter keys shared by the list, export, stats and
// batches.
func parseFilter(v url.Values) (store.Filter, error) {
	var f store.Filter
	var err error
	if f.Statuses, err = job.ParseStatuses(v.Get("status")); err != nil {
		return f, job.Invalid("status", "%v", err)
	}
	if f.PaymentStatuses, err = job.ParsePaymentStatuses(v.Get("payment_status")); err != nil {
		return f, job.Invalid("payment_status", "%v", err)
	}
	if f.CreatedFrom, err = parseTime("created_from", v.Get("created_from"), false); err != nil {
		return f, err
	}
	if f.CreatedTo, err = parseTime("created_to", v.Get("created_to"), true); err != nil {
		return f, err
	}
	if f.CreatedFrom != nil && f.CreatedTo != nil && f.CreatedFrom.After(*f.CreatedTo) {
		return f, job.Invalid("created_to", "created_to is before created_from")
	}
	if e := strings.TrimSpace(v.Get("email")); e != "" {
		if !strings.Contains(e, "@") || len(e) > 255 {
			return f, job.Invalid("email", "email must be a whole email address")
		}
		f.Email = e
	}
	if f.PostID, err = parseID("post_id", v.Get("post_id")); err != nil {
		return f, err
	}
	if f.AttachmentID, err = parseID("attachment_id", v.Get("attachment_id")); err != nil {
		return f, err
	}
	if f.Search, err = store.ParseSearch(v.Get("q")); err != nil {
		return f, err
	}
	return f, nil
}

// parseTime accepts YYYY-MM-DD (UTC; as an upper bound it means the end of
// that day) or RFC 3339.
func parseTime(param, s string, endOfDay bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Second)
		}
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, job.Invalid(param, "%s must be a date (YYYY-MM-DD, UTC) or an RFC 3339 time", param)
	}
	t = t.UTC()
	return &t, nil
}

func parseID(param, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, job.Invalid(param, "%s must be a positive integer", param)
	}
	return &n, nil
}

// parseList reads a list request: filter, order and paging.
func parseList(v url.Values, paging bool) (store.ListQuery, error) {
	lq := store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 25, Page: 1}
	var err error
	if lq.Filter, err = parseFilter(v); err != nil {
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
	return lq, nil
}
