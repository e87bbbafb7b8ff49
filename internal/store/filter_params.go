package store

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// FilterKeys are the query keys ParseFilter reads.
var FilterKeys = []string{"status", "payment_status", "created_from", "created_to", "email", "post_id", "attachment_id", "q"}

// ParseFilter reads the filter keys shared by the list, export, stats and
// batches.
func ParseFilter(v url.Values) (Filter, error) {
	var f Filter
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
	if f.Search, err = ParseSearch(v.Get("q")); err != nil {
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
