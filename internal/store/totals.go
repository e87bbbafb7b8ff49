package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// ExactCountLimit is how many rows a filter the counters cannot answer is
// counted up to; past it the total is an estimate (and says so).
const ExactCountLimit = 10000

// Count is the number of jobs the filter selects and whether that number
// is an estimate. Statuses, payment statuses and a date range, in any
// combination, are exact from the counters (a range on site-local day
// bounds counts its partial first and last UTC days on the index); other
// filters are counted up to ExactCountLimit, then estimated, and counted
// in full in the background: that count answers the same filter for the
// next minute, and the older one while it is counted again.
func (s *DB) Count(ctx context.Context, f Filter) (total int64, estimate bool, err error) {
	if f.counterShaped() {
		total, err = s.countShaped(ctx, f)
		return total, false, err
	}
	// A filter counted in the background a moment ago (only those past the
	// bound are) needs no bounded count again: for the Needs attention
	// bubble at a million jobs that count read 100,320 rows on every page.
	if counted, ok := s.freshCount(f); ok {
		return counted, true, nil
	}
	// One statement, one bounded count per branch.
	var parts []string
	var args []any
	for i, b := range f.branches() {
		parts = append(parts, fmt.Sprintf("(SELECT COUNT(*) FROM (SELECT 1 FROM {jobs}%s LIMIT ?) t%d)", b.where, i))
		args = append(append(args, b.args...), s.countLimit+1)
	}
	counts := make([]int64, len(parts))
	dest := make([]any, len(parts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := s.db.QueryRowContext(ctx, s.q("SELECT "+strings.Join(parts, ", ")), args...).Scan(dest...); err != nil {
		return 0, false, fmt.Errorf("count jobs: %w", err)
	}
	var n int64
	over := false
	for _, k := range counts {
		n += k
		over = over || k > int64(s.countLimit)
	}
	if !over {
		return n, false, nil
	}
	if counted, ok := s.refinedCount(f); ok {
		return max(counted, n), true, nil
	}
	est, err := s.estimate(ctx, f)
	if err != nil {
		return 0, false, err
	}
	return max(est, n), true, nil
}

// counterShaped reports whether the filter is only statuses, payment
// statuses and a date range: what the counters answer.
func (f Filter) counterShaped() bool {
	rest := f
	rest.Statuses, rest.PaymentStatuses, rest.CreatedFrom, rest.CreatedTo = nil, nil, nil, nil
	return rest.isEmpty()
}

// shaped is the counter-shaped part of the filter.
func (f Filter) shaped() Filter {
	return Filter{Statuses: f.Statuses, PaymentStatuses: f.PaymentStatuses, CreatedFrom: f.CreatedFrom, CreatedTo: f.CreatedTo}
}

// estimate guesses a large total: the optimizer's row estimate for the
// part of the filter an index answers (email, post, search: a dive into
// the index's range), scaled by the share of all jobs the counter-shaped
// part selects, taken as independent of it.
func (s *DB) estimate(ctx context.Context, f Filter) (int64, error) {
	shaped := f.shaped()
	rest := f
	rest.Statuses, rest.PaymentStatuses, rest.CreatedFrom, rest.CreatedTo = nil, nil, nil, nil
	var rows int64
	for _, b := range rest.branches() {
		n, err := s.explainRows(ctx, "SELECT 1 FROM {jobs}"+b.where, b.args)
		if err != nil {
			return 0, err
		}
		rows += n
	}
	if shaped.isEmpty() {
		return rows, nil
	}
	part, err := s.countShaped(ctx, shaped)
	if err != nil {
		return 0, err
	}
	all, err := s.countShaped(ctx, Filter{})
	if err != nil || all == 0 {
		return 0, err
	}
	return min(part, int64(float64(rows)*float64(part)/float64(all)+0.5)), nil
}

// explainRows is the optimizer's estimate of the rows a query reads.
func (s *DB) explainRows(ctx context.Context, query string, args []any) (int64, error) {
	rs, err := s.db.QueryContext(ctx, s.q("EXPLAIN "+query), args...)
	if err != nil {
		return 0, fmt.Errorf("estimate jobs: %w", err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return 0, err
	}
	var total int64
	for rs.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, c := range cols {
			if c == "rows" {
				n, _ := strconv.ParseInt(string(vals[i]), 10, 64)
				total += n
			}
		}
	}
	return total, rs.Err()
}

// countShaped answers a counter-shaped filter exactly.
func (s *DB) countShaped(ctx context.Context, f Filter) (int64, error) {
	if f.CreatedFrom == nil && f.CreatedTo == nil {
		if len(f.Statuses) > 0 && len(f.PaymentStatuses) > 0 {
			return s.countPairs(ctx, f)
		}
		return s.countFromCounters(ctx, f)
	}
	segs, err := s.segments(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, sg := range segs {
		n += sg.n
	}
	return n, nil
}

// countPairs sums the status-and-payment pair counters.
func (s *DB) countPairs(ctx context.Context, f Filter) (int64, error) {
	pairs := pairValues(f)
	args := []any{}
	for _, p := range pairs {
		args = append(args, p)
	}
	var n sql.NullInt64
	if err := s.db.GetContext(ctx, &n, s.q("SELECT SUM(n) FROM {counts} WHERE dim = 'sp' AND value IN ("+placeholders(len(pairs))+")"), args...); err != nil {
		return 0, fmt.Errorf("pair counters: %w", err)
	}
	return n.Int64, nil
}

func pairValues(f Filter) []string {
	var out []string
	for _, st := range statusNames(f.Statuses) {
		for _, ps := range paymentNames(f.PaymentStatuses) {
			out = append(out, st+"|"+ps)
		}
	}
	return out
}

// segment is a stretch of created_at, [from, to), and how many of the
// filter's jobs it holds. A zero from or to is open.
type segment struct {
	from, to time.Time
	n        int64
}

// dayRange is the filter's created_at range as whole UTC days plus the
// partial days at either end. Times are compared at second precision, the
// column's.
type dayRange struct {
	lo, hi         *time.Time // [lo, hi); nil is open
	wholeLo        *time.Time // first whole day; nil is open
	wholeHi        *time.Time // day after the last whole day; nil is open
	noWhole        bool
	leftEdge       bool // [lo, wholeLo) is a partial day
	rightEdge      bool // [wholeHi, hi) is a partial day
	firstDay, last string
}

func (f Filter) dayRange() dayRange {
	var r dayRange
	const day = 24 * time.Hour
	if f.CreatedFrom != nil {
		lo := f.CreatedFrom.UTC()
		if t := lo.Truncate(time.Second); t.Before(lo) {
			lo = t.Add(time.Second)
		}
		wl := lo.Truncate(day)
		if wl.Before(lo) {
			wl = wl.Add(day)
		}
		r.lo, r.wholeLo = &lo, &wl
		r.leftEdge = wl.After(lo)
	}
	if f.CreatedTo != nil {
		hi := f.CreatedTo.UTC().Truncate(time.Second).Add(time.Second)
		wh := hi.Truncate(day)
		r.hi, r.wholeHi = &hi, &wh
		r.rightEdge = hi.After(wh)
	}
	if r.wholeLo != nil && r.wholeHi != nil && !r.wholeLo.Before(*r.wholeHi) {
		r.noWhole = true
	}
	r.firstDay, r.last = "0000-00-00", "9999-12-31"
	if r.wholeLo != nil {
		r.firstDay = dayKey(*r.wholeLo)
	}
	if r.wholeHi != nil {
		r.last = dayKey(r.wholeHi.Add(-day))
	}
	return r
}

// segments splits a counter-shaped filter with a date range into its
// partial first day, each whole day that holds jobs (from the counters)
// and its partial last day (both counted on the index), oldest first.
func (s *DB) segments(ctx context.Context, f Filter) ([]segment, error) {
	r := f.dayRange()
	if r.noWhole {
		if r.lo != nil && r.hi != nil && !r.lo.Before(*r.hi) {
			return nil, nil
		}
		n, err := s.countBetween(ctx, f, *r.lo, *r.hi)
		return []segment{{*r.lo, *r.hi, n}}, err
	}
	var out []segment
	if r.leftEdge {
		n, err := s.countBetween(ctx, f, *r.lo, *r.wholeLo)
		if err != nil {
			return nil, err
		}
		out = append(out, segment{*r.lo, *r.wholeLo, n})
	}
	days, err := s.dayCounts(ctx, f, r.firstDay, r.last)
	if err != nil {
		return nil, err
	}
	out = append(out, days...)
	if r.rightEdge {
		n, err := s.countBetween(ctx, f, *r.wholeHi, *r.hi)
		if err != nil {
			return nil, err
		}
		out = append(out, segment{*r.wholeHi, *r.hi, n})
	}
	return out, nil
}

// countBetween counts the filter's statuses and payment statuses in
// [from, to) on the index: a partial day, a few thousand entries at most.
func (s *DB) countBetween(ctx context.Context, f Filter, from, to time.Time) (int64, error) {
	g := f.shaped()
	g.CreatedFrom, g.CreatedTo = nil, nil
	conds, args := g.conds()
	conds = append(conds, "created_at >= ?", "created_at < ?")
	args = append(args, from, to)
	var n int64
	if err := s.db.GetContext(ctx, &n, s.q("SELECT COUNT(*) FROM {jobs}"+joinWhere(conds)), args...); err != nil {
		return 0, fmt.Errorf("count a partial day: %w", err)
	}
	return n, nil
}

// dayCounts reads the per-day counters for the filter's statuses and
// payment statuses between two days (inclusive), one segment per day that
// holds jobs, oldest first. Jobs without a created_at count on day zero.
func (s *DB) dayCounts(ctx context.Context, f Filter, first, last string) ([]segment, error) {
	dim, prefixes := "day", []string{""}
	switch {
	case len(f.Statuses) > 0 && len(f.PaymentStatuses) > 0:
		dim, prefixes = "sp_day", nil
		for _, p := range pairValues(f) {
			prefixes = append(prefixes, p+"|")
		}
	case len(f.Statuses) > 0:
		dim, prefixes = "status_day", suffixed(statusNames(f.Statuses), "|")
	case len(f.PaymentStatuses) > 0:
		dim, prefixes = "payment_day", suffixed(paymentNames(f.PaymentStatuses), "|")
	}
	var ors []string
	args := []any{dim}
	for _, p := range prefixes {
		ors = append(ors, "value BETWEEN ? AND ?")
		args = append(args, p+first, p+last)
	}
	rows, err := s.db.QueryContext(ctx, s.q("SELECT value, SUM(n) FROM {counts} WHERE dim = ? AND ("+strings.Join(ors, " OR ")+") GROUP BY value"), args...)
	if err != nil {
		return nil, fmt.Errorf("day counters: %w", err)
	}
	defer rows.Close()
	byDay := map[string]int64{}
	for rows.Next() {
		var v string
		var n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		byDay[v[len(v)-len("2006-01-02"):]] += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	days := make([]string, 0, len(byDay))
	for d, n := range byDay {
		if n != 0 {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	out := make([]segment, 0, len(days))
	for _, d := range days {
		t, err := time.Parse("2006-01-02", d)
		if err != nil { // day zero: jobs without a created_at
			out = append(out, segment{n: byDay[d]})
			continue
		}
		out = append(out, segment{t, t.Add(24 * time.Hour), byDay[d]})
	}
	return out, nil
}

func suffixed(vs []string, suffix string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v + suffix
	}
	return out
}

// CountsFor returns per-status and per-payment-status counts for a filter:
// from the counters when it is only a date range (its partial first and
// last days grouped on the index), else by one grouped scan.
func (s *DB) CountsFor(ctx context.Context, f Filter) (*Counts, error) {
	if f.IsEmpty() {
		return s.Counts(ctx)
	}
	if f.counterShaped() && len(f.Statuses) == 0 && len(f.PaymentStatuses) == 0 {
		return s.countsByDays(ctx, f)
	}
	return s.groupCounts(ctx, f)
}

// groupCounts counts by status and payment status with one grouped scan.
func (s *DB) groupCounts(ctx context.Context, f Filter) (*Counts, error) {
	where, args := f.where()
	rows, err := s.db.QueryContext(ctx, s.q("SELECT status, payment_status, COUNT(*) FROM {jobs}"+where+" GROUP BY status, payment_status"), args...)
	if err != nil {
		return nil, fmt.Errorf("stats counts: %w", err)
	}
	defer rows.Close()
	c := newCounts()
	for rows.Next() {
		var st, ps sql.NullString
		var n int64
		if err := rows.Scan(&st, &ps, &n); err != nil {
			return nil, err
		}
		c.ByStatus[job.Status(st.String)] += n
		c.ByPaymentStatus[job.PaymentStatus(ps.String)] += n
		c.Total += n
	}
	return c, rows.Err()
}

// countsByDays answers per-status and per-payment counts over a date
// range: whole days from the day counters, partial days grouped on the
// index.
func (s *DB) countsByDays(ctx context.Context, f Filter) (*Counts, error) {
	r := f.dayRange()
	c := newCounts()
	add := func(part *Counts) {
		for k, n := range part.ByStatus {
			c.ByStatus[k] += n
		}
		for k, n := range part.ByPaymentStatus {
			c.ByPaymentStatus[k] += n
		}
		c.Total += part.Total
	}
	edge := func(from, to time.Time) error {
		part, err := s.groupCounts(ctx, Filter{CreatedFrom: &from, CreatedTo: ptrTime(to.Add(-time.Second))})
		if err == nil {
			add(part)
		}
		return err
	}
	if r.noWhole {
		if r.lo.Before(*r.hi) {
			if err := edge(*r.lo, *r.hi); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	if r.leftEdge {
		if err := edge(*r.lo, *r.wholeLo); err != nil {
			return nil, err
		}
	}
	whole := Filter{CreatedFrom: r.wholeLo}
	if r.wholeHi != nil {
		whole.CreatedTo = ptrTime(r.wholeHi.Add(-time.Second))
	}
	part, err := s.countsFromDays(ctx, whole)
	if err != nil {
		return nil, err
	}
	add(part)
	if r.rightEdge {
		if err := edge(*r.wholeHi, *r.hi); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func ptrTime(t time.Time) *time.Time { return &t }
