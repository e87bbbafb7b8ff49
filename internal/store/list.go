package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// OrderBy columns the list accepts. Each one is read off an index of the
// form (column, created_at) with the primary key as the last tie-breaker.
var OrderBy = []string{"created_at", "paid_at", "completed_at", "amount_charged", "status", "payment_status", "email"}

// nullable columns need NULL-aware keyset conditions.
var nullable = map[string]bool{"paid_at": true, "completed_at": true, "amount_charged": true, "email": true, "status": true, "payment_status": true}

// TotalCap is where counting stops for filters the counters cannot answer.
const TotalCap = 10000

// ListQuery is one page request.
type ListQuery struct {
	Filter  Filter
	OrderBy string // one of OrderBy
	Desc    bool
	PerPage int
	Page    int    // 1-based; ignored when Cursor is set
	Cursor  string // opaque, from a previous Page
}

// Page is one page of jobs with its totals and cursors.
type Page struct {
	Jobs        []*job.Job
	Total       int64
	TotalCapped bool
	Page        int
	PerPage     int
	TotalPages  int64
	NextCursor  string
	PrevCursor  string
}

// cursor is the position after (or before) a row in a given order.
type cursor struct {
	OrderBy string    `json:"o"`
	Desc    bool      `json:"d"`
	Value   *string   `json:"v"` // the order column's value; nil for NULL
	Created time.Time `json:"c"`
	ID      int64     `json:"i"`
	Back    bool      `json:"b,omitempty"` // the page before this row
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 || !slices.Contains(OrderBy, c.OrderBy) {
		return c, job.Invalid("cursor", "cursor is not one this server issued")
	}
	return c, nil
}

// List returns one page. A cursor seeks straight to its row, so page 50,000
// costs what page 1 does; a page number skips over index entries only.
func (s *DB) List(ctx context.Context, lq ListQuery) (*Page, error) {
	if !slices.Contains(OrderBy, lq.OrderBy) {
		return nil, job.Invalid("orderby", "unknown orderby %q (accepted: %s)", lq.OrderBy, strings.Join(OrderBy, ", "))
	}
	where, args := lq.Filter.where()
	p := &Page{PerPage: lq.PerPage, Page: lq.Page}
	var cur *cursor
	if lq.Cursor != "" {
		c, err := decodeCursor(lq.Cursor)
		if err != nil {
			return nil, err
		}
		if c.OrderBy != lq.OrderBy || c.Desc != lq.Desc {
			return nil, job.Invalid("cursor", "cursor was issued for orderby=%s; pass the same orderby and order", c.OrderBy)
		}
		cur = &c
		p.Page = 0
	}
	desc := lq.Desc
	back := cur != nil && cur.Back
	scanDesc := desc != back // walking backwards reverses the scan
	order := orderClause("", lq.OrderBy, scanDesc)
	if cur != nil {
		kc, kargs := keysetCond(lq.OrderBy, scanDesc, *cur)
		if where == "" {
			where = " WHERE " + kc
		} else {
			where += " AND " + kc
		}
		args = append(args, kargs...)
	}
	limit := lq.PerPage + 1
	args = append(args, limit)
	// The first page reads its rows straight off the index order. Other
	// pages use a deferred join: the inner query touches the covering
	// index alone (skipping entries for a page number, seeking for a
	// cursor, where MariaDB only picks the right index when the query is
	// covered), then just the page's rows are read.
	query := "SELECT " + jobColumns + " FROM {jobs}" + where + order + " LIMIT ?"
	if cur != nil || lq.Page > 1 {
		inner := "SELECT id FROM {jobs}" + where + order + " LIMIT ?"
		if cur == nil {
			inner += " OFFSET ?"
			args = append(args, (lq.Page-1)*lq.PerPage)
		}
		query = "SELECT " + prefixCols("j.", jobColumns) + " FROM {jobs} j JOIN (" + inner + ") k ON k.id = j.id" + orderClause("j.", lq.OrderBy, scanDesc)
	}
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(query), args...); err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	more := len(rows) > lq.PerPage
	if more {
		rows = rows[:lq.PerPage]
	}
	if back {
		slices.Reverse(rows)
	}
	for i := range rows {
		j, err := rows[i].toJob()
		if err != nil {
			return nil, err
		}
		p.Jobs = append(p.Jobs, j)
	}
	if len(p.Jobs) > 0 {
		first, last := p.Jobs[0], p.Jobs[len(p.Jobs)-1]
		hasNext := more || back
		hasPrev := (cur != nil && !back) || (back && more) || (cur == nil && lq.Page > 1)
		if hasNext {
			p.NextCursor = encodeCursor(cursorAt(lq.OrderBy, desc, last, false))
		}
		if hasPrev {
			p.PrevCursor = encodeCursor(cursorAt(lq.OrderBy, desc, first, true))
		}
	}
	total, capped, err := s.Count(ctx, lq.Filter)
	if err != nil {
		return nil, err
	}
	p.Total, p.TotalCapped = total, capped
	if lq.PerPage > 0 {
		p.TotalPages = (total + int64(lq.PerPage) - 1) / int64(lq.PerPage)
	}
	return p, nil
}

func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// orderClause is the ORDER BY for a sort column; alias is "" or "j.".
func orderClause(alias, col string, desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if col == "created_at" {
		return " ORDER BY " + alias + "created_at" + dir + ", " + alias + "id" + dir
	}
	return " ORDER BY " + alias + col + dir + ", " + alias + "created_at" + dir + ", " + alias + "id" + dir
}

// keysetCond is the condition "comes after cursor c in this scan order".
// MySQL sorts NULL first ascending and last descending; the conditions
// follow that so a NULL-valued run is neither skipped nor repeated.
func keysetCond(col string, desc bool, c cursor) (string, []any) {
	op := ">"
	if desc {
		op = "<"
	}
	tie := "(created_at " + op + " ? OR (created_at = ? AND id " + op + " ?))"
	tieArgs := []any{c.Created, c.Created, c.ID}
	if col == "created_at" {
		return tie, tieArgs
	}
	if c.Value == nil {
		if desc { // NULLs are the tail: only more NULLs come after
			return "(" + col + " IS NULL AND " + tie + ")", tieArgs
		}
		// ascending: rest of the NULL run, then every non-NULL value
		return "((" + col + " IS NULL AND " + tie + ") OR " + col + " IS NOT NULL)", tieArgs
	}
	v := *c.Value
	cond := "(" + col + " " + op + " ? OR (" + col + " = ? AND " + tie + ")"
	args := append([]any{v, v}, tieArgs...)
	if desc && nullable[col] {
		cond += " OR " + col + " IS NULL"
	}
	return cond + ")", args
}

func cursorAt(col string, desc bool, j *job.Job, back bool) cursor {
	c := cursor{OrderBy: col, Desc: desc, Created: j.CreatedAt, ID: j.ID, Back: back}
	str := func(s string) *string { return &s }
	switch col {
	case "paid_at":
		if j.PaidAt != nil {
			c.Value = str(j.PaidAt.UTC().Format("2006-01-02 15:04:05.999999"))
		}
	case "completed_at":
		if j.CompletedAt != nil {
			c.Value = str(j.CompletedAt.UTC().Format("2006-01-02 15:04:05.999999"))
		}
	case "amount_charged":
		if j.AmountCharged != nil {
			c.Value = str(j.AmountCharged.Decimal())
		}
	case "status":
		c.Value = str(string(j.Status))
	case "payment_status":
		c.Value = str(string(j.PaymentStatus))
	case "email":
		c.Value = str(j.Email)
	}
	return c
}

// Count is the number of jobs the filter selects: exact from the counters
// when it can be, else counted up to TotalCap (capped reports a lower bound).
func (s *DB) Count(ctx context.Context, f Filter) (total int64, capped bool, err error) {
	if f.countable() {
		total, err = s.countFromCounters(ctx, f)
		return total, false, err
	}
	if f.dayCountable() {
		total, err = s.countFromDays(ctx, f)
		return total, false, err
	}
	where, args := f.where()
	args = append(args, TotalCap+1)
	var n int64
	if err := s.db.GetContext(ctx, &n, s.q("SELECT COUNT(*) FROM (SELECT 1 FROM {jobs}"+where+" LIMIT ?) t"), args...); err != nil {
		return 0, false, fmt.Errorf("count jobs: %w", err)
	}
	if n > TotalCap {
		return TotalCap, true, nil
	}
	return n, false, nil
}

// Get loads one job by its UUID.
func (s *DB) Get(ctx context.Context, jobID string) (*job.Job, error) {
	return s.getBy(ctx, s.db, "job_id", jobID, false)
}

type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

func (s *DB) getBy(ctx context.Context, q queryer, col, val string, forUpdate bool) (*job.Job, error) {
	var r jobRow
	query := "SELECT " + jobColumns + " FROM {jobs} WHERE " + col + " = ? LIMIT 1"
	if forUpdate {
		query += " FOR UPDATE"
	}
	if err := q.GetContext(ctx, &r, s.q(query), val); err != nil {
		if err == sql.ErrNoRows {
			return nil, job.ErrJobNotFound
		}
		return nil, fmt.Errorf("get job: %w", err)
	}
	return r.toJob()
}

// GetByTokenDigest finds the job whose download token has this SHA-256 digest.
func (s *DB) GetByTokenDigest(ctx context.Context, digest string) (*job.Job, error) {
	return s.getBy(ctx, s.db, "download_token", digest, false)
}
