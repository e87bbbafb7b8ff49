// Package jobfilter reads the Jobs filter as people write it: the query keys
// of the API's list, export, stats and counts, which a background batch also
// stores and reads again when it resumes. It turns them into a store.Filter
// or refuses them with a job.Invalid naming the key; the store turns a
// Filter into SQL.
package jobfilter

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// Keys are the query keys Parse reads.
var Keys = []string{"status", "payment_status", "created_from", "created_to", "email", "post_id", "attachment_id", "post_ids", "ids", "q", "attention"}

// Parse reads the filter keys shared by the list, export, stats and
// batches. A refusal is a job.Invalid naming the key.
func Parse(v url.Values) (store.Filter, error) {
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
		if len(e) > 255 {
			return f, job.Invalid("email", "email is longer than any address")
		}
		// A whole address matches exactly; anything else is the start of
		// addresses, read as a range of the email index.
		f.Email, f.EmailPrefix = e, !wholeEmailRE.MatchString(e)
	}
	if f.PostID, err = parseID("post_id", v.Get("post_id")); err != nil {
		return f, err
	}
	if f.AttachmentID, err = parseID("attachment_id", v.Get("attachment_id")); err != nil {
		return f, err
	}
	if f.PostIDs, err = parseIDList("post_ids", v.Get("post_ids"), store.MaxPostIDs); err != nil {
		return f, err
	}
	if f.JobIDs, err = parseJobIDs(v.Get("ids")); err != nil {
		return f, err
	}
	if f.Search, err = ParseSearch(v.Get("q")); err != nil {
		return f, err
	}
	switch v.Get("attention") {
	case "", "0":
	case "1", "true":
		f.Attention = true
	default:
		return f, job.Invalid("attention", "attention must be 1 or 0")
	}
	return f, nil
}

var wholeEmailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// parseIDList reads "1,2,3": positive ids, at most limit of them.
func parseIDList(param, s string, limit int) ([]int64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > limit {
		return nil, job.Invalid(param, "%s takes at most %d ids", param, limit)
	}
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || n <= 0 {
			return nil, job.Invalid(param, "%s must be positive integers separated by commas", param)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseJobIDs reads "uuid,uuid,…", at most store.MaxJobIDs of them.
func parseJobIDs(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > store.MaxJobIDs {
		return nil, job.Invalid("ids", "ids takes at most %d job ids", store.MaxJobIDs)
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		id := strings.ToLower(strings.TrimSpace(p))
		if !uuidRE.MatchString(id) {
			return nil, job.Invalid("ids", "ids must be job UUIDs separated by commas")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// parseTime accepts YYYY-MM-DD (UTC; as an upper bound it means the end of
// that day) or RFC 3339 with its offset, such as a site's local midnight
// 2026-03-01T00:00:00+02:00. A "+" that arrived unescaped in a query string
// reads as a space, so a space before the offset is taken as "+".
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
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
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

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// A job-id prefix: at least its first 8 hex digits (fewer would match
	// too many jobs; those are read as an email prefix).
	uuidPrefRE  = regexp.MustCompile(`^[0-9a-f]{8}(-[0-9a-f-]{0,27})?$`)
	domainRE    = regexp.MustCompile(`^@[a-z0-9.-]+$`)
	emailPrefRE = regexp.MustCompile(`^[^\s%_\\]+$`)
)

// ParseSearch classifies q: a job UUID or its first 8+ hex characters, an
// exact email, an email prefix or @domain, or a post/attachment id. Every
// reading is one an index can answer; none becomes LIKE '%q%'.
func ParseSearch(q string) (store.Search, error) {
	q = strings.TrimSpace(q)
	s := store.Search{Input: q}
	lq := strings.ToLower(q)
	switch {
	case q == "":
		return s, nil
	case uuidRE.MatchString(lq):
		s.Kind, s.Text = store.SearchJobID, lq
	case isDigits(q):
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			return s, job.Invalid("q", "%q is not a valid post or attachment id", q)
		}
		s.Kind, s.ID = store.SearchNumericID, id
	case uuidPrefRE.MatchString(lq):
		s.Kind, s.Text = store.SearchJobIDPrefix, lq
	case domainRE.MatchString(lq):
		s.Kind, s.Text = store.SearchEmailDomain, lq[1:]
	case strings.Contains(q, "@") && strings.Index(q, "@") > 0 && !strings.HasSuffix(q, "@") && emailPrefRE.MatchString(q):
		s.Kind, s.Text = store.SearchEmail, q
	case len(q) >= 2 && emailPrefRE.MatchString(q):
		s.Kind, s.Text = store.SearchEmailPrefix, q
	default:
		return s, job.Invalid("q", "search for a job UUID (or its first 8+ characters), an email, an email prefix, @domain, or a post or attachment id")
	}
	return s, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
