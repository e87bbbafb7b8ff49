package store

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// Filter selects jobs for the list, the export, the stats and batches.
// Zero values mean "any".
type Filter struct {
	Statuses        []job.Status
	PaymentStatuses []job.PaymentStatus
	CreatedFrom     *time.Time // inclusive
	CreatedTo       *time.Time // inclusive
	Email           string
	PostID          *int64
	AttachmentID    *int64
	Search          Search
}

// SearchKind says how a free-text query was understood.
type SearchKind int

// The ways q can be read.
const (
	SearchNone SearchKind = iota
	SearchJobID
	SearchJobIDPrefix
	SearchEmail
	SearchEmailPrefix
	SearchEmailDomain
	SearchNumericID // a post or attachment id
)

// Search is a classified free-text query.
type Search struct {
	Kind  SearchKind
	Text  string
	ID    int64
	Input string // what the user typed, for echoing back
}

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	uuidPrefRE  = regexp.MustCompile(`^[0-9a-f]{8}(-[0-9a-f-]{0,27})?$`)
	domainRE    = regexp.MustCompile(`^@[a-z0-9.-]+$`)
	emailPrefRE = regexp.MustCompile(`^[^\s%_\\]+$`)
)

// ParseSearch classifies q: a job UUID or its first 8+ hex characters, an
// exact email, an email prefix or @domain, or a post/attachment id. Every
// reading is one an index can answer; none becomes LIKE '%q%'.
func ParseSearch(q string) (Search, error) {
	q = strings.TrimSpace(q)
	s := Search{Input: q}
	lq := strings.ToLower(q)
	switch {
	case q == "":
		return s, nil
	case uuidRE.MatchString(lq):
		s.Kind, s.Text = SearchJobID, lq
	case isDigits(q):
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id <= 0 {
			return s, job.Invalid("q", "%q is not a valid post or attachment id", q)
		}
		s.Kind, s.ID = SearchNumericID, id
	case uuidPrefRE.MatchString(lq) && isHexish(lq):
		s.Kind, s.Text = SearchJobIDPrefix, lq
	case domainRE.MatchString(lq):
		s.Kind, s.Text = SearchEmailDomain, lq[1:]
	case strings.Contains(q, "@") && strings.Index(q, "@") > 0 && !strings.HasSuffix(q, "@") && emailPrefRE.MatchString(q):
		s.Kind, s.Text = SearchEmail, q
	case len(q) >= 2 && emailPrefRE.MatchString(q):
		s.Kind, s.Text = SearchEmailPrefix, q
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

// isHexish is true for a UUID prefix that has at least 8 hex digits and
// contains a digit or is not a plausible word, so "deadbeef" still counts.
func isHexish(s string) bool {
	n := 0
	for _, r := range s {
		if r != '-' {
			n++
		}
	}
	return n >= 8
}

// where builds the WHERE clause and its arguments. Values are always bound,
// never concatenated.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if len(f.PaymentStatuses) > 0 {
		conds = append(conds, "payment_status IN ("+placeholders(len(f.PaymentStatuses))+")")
		for _, s := range f.PaymentStatuses {
			args = append(args, string(s))
		}
	}
	if f.CreatedFrom != nil {
		conds = append(conds, "created_at >= ?")
		args = append(args, f.CreatedFrom.UTC())
	}
	if f.CreatedTo != nil {
		conds = append(conds, "created_at <= ?")
		args = append(args, f.CreatedTo.UTC())
	}
	if f.Email != "" {
		conds = append(conds, "email = ?")
		args = append(args, f.Email)
	}
	if f.PostID != nil {
		conds = append(conds, "post_id = ?")
		args = append(args, *f.PostID)
	}
	if f.AttachmentID != nil {
		conds = append(conds, "attachment_id = ?")
		args = append(args, *f.AttachmentID)
	}
	switch s := f.Search; s.Kind {
	case SearchJobID:
		conds = append(conds, "job_id = ?")
		args = append(args, s.Text)
	case SearchJobIDPrefix:
		conds = append(conds, "job_id LIKE ?")
		args = append(args, s.Text+"%")
	case SearchEmail:
		conds = append(conds, "email = ?")
		args = append(args, s.Text)
	case SearchEmailPrefix:
		conds = append(conds, "email LIKE ?")
		args = append(args, s.Text+"%")
	case SearchEmailDomain:
		conds = append(conds, "email_domain = ?")
		args = append(args, s.Text)
	case SearchNumericID:
		conds = append(conds, "(post_id = ? OR attachment_id = ?)")
		args = append(args, s.ID, s.ID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// countable reports whether the exact total comes from the counters: no
// filter, or only statuses, or only payment statuses.
func (f Filter) countable() bool {
	rest := f
	rest.Statuses, rest.PaymentStatuses = nil, nil
	if !rest.isEmpty() {
		return false
	}
	return len(f.Statuses) == 0 || len(f.PaymentStatuses) == 0
}

func (f Filter) isEmpty() bool {
	return len(f.Statuses) == 0 && len(f.PaymentStatuses) == 0 && f.CreatedFrom == nil &&
		f.CreatedTo == nil && f.Email == "" && f.PostID == nil && f.AttachmentID == nil &&
		f.Search.Kind == SearchNone
}

// IsEmpty reports whether the filter selects every job.
func (f Filter) IsEmpty() bool { return f.isEmpty() }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
