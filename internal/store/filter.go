package store

import (
	"slices"
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
	// EmailPrefix makes Email match addresses that start with it (a range
	// on the email index) rather than one whole address.
	EmailPrefix  bool
	PostID       *int64
	AttachmentID *int64
	// PostIDs matches jobs whose post or attachment is any of these ids.
	PostIDs []int64
	// JobIDs matches exactly these jobs (the Jobs screen's live refresh).
	JobIDs []string
	Search Search
	// Attention keeps the jobs that need an admin (job.Attention's rules,
	// in SQL); StuckBefore is when a job still processing counts as stuck
	// (now less upscaler.timeout; nil: 15 minutes ago by the database clock).
	Attention   bool
	StuckBefore *time.Time
}

// MaxJobIDs and MaxPostIDs bound the id lists a filter takes.
const (
	MaxJobIDs  = 100
	MaxPostIDs = 200
)

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

// where builds one WHERE clause and its arguments, an id match on post or
// attachment as an OR. Values are always bound, never concatenated.
func (f Filter) where() (string, []any) {
	conds, args := f.conds()
	if ids := f.eitherIDs(); len(ids) > 0 {
		for _, ids := range ids {
			conds = append(conds, "(post_id IN ("+placeholders(len(ids))+") OR attachment_id IN ("+placeholders(len(ids))+"))")
			args = append(args, int64Args(ids)...)
			args = append(args, int64Args(ids)...)
		}
	}
	return joinWhere(conds), args
}

// branch is one part of a filter read on its own index; a filter's rows are
// the disjoint union of its branches.
type branch struct {
	where string
	args  []any
}

// branches splits the filter so each part is read in index order: a match
// on "post or attachment id" becomes one read of post_id's index and one of
// attachment_id's (that skips rows the first already has), merged by the
// caller, instead of an OR MariaDB can only answer by sorting every match.
func (f Filter) branches() []branch {
	either := f.eitherIDs()
	if len(either) != 1 {
		w, a := f.where()
		return []branch{{w, a}}
	}
	ids := int64Args(either[0])
	conds, args := f.conds()
	in := placeholders(len(ids))
	byPost := append(slices.Clone(conds), "post_id IN ("+in+")")
	byAtt := append(slices.Clone(conds), "attachment_id IN ("+in+")", "post_id NOT IN ("+in+")")
	return []branch{
		{joinWhere(byPost), append(slices.Clone(args), ids...)},
		{joinWhere(byAtt), append(append(slices.Clone(args), ids...), ids...)},
	}
}

// eitherIDs are the id lists that may match post_id or attachment_id.
func (f Filter) eitherIDs() [][]int64 {
	var out [][]int64
	if len(f.PostIDs) > 0 {
		out = append(out, uniq(f.PostIDs))
	}
	if f.Search.Kind == SearchNumericID {
		out = append(out, []int64{f.Search.ID})
	}
	return out
}

// conds are the filter's conditions other than the post-or-attachment ids.
func (f Filter) conds() ([]string, []any) {
	var conds []string
	var args []any
	if f.Attention {
		stuck := "processing_started_at < UTC_TIMESTAMP() - INTERVAL 15 MINUTE"
		if f.StuckBefore != nil {
			stuck = "processing_started_at < ?"
			args = append(args, f.StuckBefore.UTC())
		}
		conds = append(conds, `(status = 'failed' OR (status = 'processing' AND `+stuck+`)
			OR (status = 'completed' AND email_sent = 0 AND email <> '') OR payment_status = 'disputed'
			OR attention_reason IS NOT NULL
			OR job_id IN (SELECT job_id FROM {refunds} WHERE status = 'pending' AND stripe_refund_id IS NULL))`)
	}
	if len(f.JobIDs) > 0 {
		conds = append(conds, "job_id IN ("+placeholders(len(f.JobIDs))+")")
		for _, id := range f.JobIDs {
			args = append(args, id)
		}
	}
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
		if f.EmailPrefix {
			conds = append(conds, "email LIKE ?")
			args = append(args, likePrefix(f.Email))
		} else {
			conds = append(conds, "email = ?")
			args = append(args, f.Email)
		}
	}
	if f.PostID != nil {
		conds = append(conds, "post_id = ?")
		args = append(args, *f.PostID)
	}
	if f.AttachmentID != nil {
		conds = append(conds, "attachment_id = ?")
		args = append(args, *f.AttachmentID)
	}
	if m, ok := searchConds[f.Search.Kind]; ok {
		conds = append(conds, m.cond)
		args = append(args, f.Search.Text+m.suffix)
	}
	return conds, args
}

// searchConds is the condition each text search reads, every one a seek
// on an index: an exact match, or a prefix (LIKE 'text%', whose wildcards
// the parser refused in the text).
var searchConds = map[SearchKind]struct{ cond, suffix string }{
	SearchJobID:       {"job_id = ?", ""},
	SearchJobIDPrefix: {"job_id LIKE ?", "%"},
	SearchEmail:       {"email = ?", ""},
	SearchEmailPrefix: {"email LIKE ?", "%"},
	SearchEmailDomain: {"email_domain = ?", ""},
}

func joinWhere(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// likePrefix escapes LIKE's wildcards so the value matches as a literal
// prefix (a range on the index).
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
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
		len(f.PostIDs) == 0 && len(f.JobIDs) == 0 && f.Search.Kind == SearchNone && !f.Attention
}

// IsEmpty reports whether the filter selects every job.
func (f Filter) IsEmpty() bool { return f.isEmpty() }

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
