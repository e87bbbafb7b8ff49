package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

const countSlots = 16

// countDelta is one change to a counter: dim is "status" or "payment".
type countDelta struct {
	dim, value string
	n          int64
}

// deltasFor is what one job adds to (sign +1) or takes from (-1) the
// counters: its status, its payment status and the pair of them, overall
// and on its created day, and the day itself. A job's day never changes,
// so a status change moves no "day" row (the -1 and +1 cancel).
func deltasFor(status job.Status, payment job.PaymentStatus, created time.Time, sign int64) []countDelta {
	day := dayKey(created)
	pair := string(status) + "|" + string(payment)
	return []countDelta{
		{"status", string(status), sign}, {"payment", string(payment), sign}, {"sp", pair, sign},
		{"status_day", string(status) + "|" + day, sign}, {"payment_day", string(payment) + "|" + day, sign},
		{"sp_day", pair + "|" + day, sign}, {"day", day, sign},
	}
}

func dayKey(t time.Time) string {
	if t.IsZero() {
		return "0000-00-00"
	}
	return t.UTC().Format("2006-01-02")
}

// slotFor spreads writers of different jobs over different counter rows.
func slotFor(jobID string) int {
	h := fnv.New32a()
	h.Write([]byte(jobID))
	return int(h.Sum32() % countSlots)
}

// bumpCounts applies deltas to one slot's counters.
func (s *DB) bumpCounts(ctx context.Context, tx *sqlx.Tx, slot int, deltas []countDelta) error {
	return s.bumpSlots(ctx, tx, map[int][]countDelta{slot: deltas})
}

// bumpSlots applies deltas by slot with one statement, in a fixed order
// (so two transactions never lock the same counter rows in opposite
// orders and deadlock).
func (s *DB) bumpSlots(ctx context.Context, tx *sqlx.Tx, bySlot map[int][]countDelta) error {
	type key struct {
		dim, value string
		slot       int
	}
	merged := map[key]int64{}
	for slot, deltas := range bySlot {
		for _, d := range deltas {
			merged[key{d.dim, d.value, slot}] += d.n
		}
	}
	keys := make([]key, 0, len(merged))
	for k, n := range merged {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.dim != b.dim {
			return a.dim < b.dim
		}
		if a.value != b.value {
			return a.value < b.value
		}
		return a.slot < b.slot
	})
	query := "INSERT INTO {counts} (dim, value, slot, n) VALUES "
	args := make([]any, 0, len(keys)*4)
	for i, k := range keys {
		if i > 0 {
			query += ", "
		}
		query += "(?, ?, ?, ?)"
		args = append(args, k.dim, k.value, k.slot, merged[k])
	}
	query += " ON DUPLICATE KEY UPDATE n = n + VALUES(n)"
	if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
		return fmt.Errorf("update counters: %w", err)
	}
	return nil
}

// Counts are the exact totals per status and per payment status.
type Counts struct {
	ByStatus        map[job.Status]int64
	ByPaymentStatus map[job.PaymentStatus]int64
	Total           int64
}

// newCounts has every status and payment status at zero, so an answer
// always names them all.
func newCounts() *Counts {
	c := &Counts{ByStatus: map[job.Status]int64{}, ByPaymentStatus: map[job.PaymentStatus]int64{}}
	for _, st := range job.Statuses {
		c.ByStatus[st] = 0
	}
	for _, ps := range job.PaymentStatuses {
		c.ByPaymentStatus[ps] = 0
	}
	return c
}

// Counts reads every counter.
func (s *DB) Counts(ctx context.Context) (*Counts, error) {
	// Only the two overall dims: the per-day rows are many and answer
	// date ranges only.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT dim, value, SUM(n) FROM {counts} WHERE dim IN ('status', 'payment') GROUP BY dim, value`))
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	defer rows.Close()
	c := newCounts()
	for rows.Next() {
		var dim, value string
		var n int64
		if err := rows.Scan(&dim, &value, &n); err != nil {
			return nil, err
		}
		switch dim {
		case "status":
			c.ByStatus[job.Status(value)] += n
			c.Total += n
		case "payment":
			c.ByPaymentStatus[job.PaymentStatus(value)] += n
		}
	}
	return c, rows.Err()
}

// dayAligned reports whether the filter's date bounds fall on whole UTC
// days (what the date-only query parameters produce), returning the first
// and last day; an open end is "0000-00-00" or "9999-12-31".
func (f Filter) dayAligned() (from, to string, ok bool) {
	from, to = "0000-00-00", "9999-12-31"
	if f.CreatedFrom != nil {
		t := f.CreatedFrom.UTC()
		if !t.Equal(t.Truncate(24 * time.Hour)) {
			return "", "", false
		}
		from = dayKey(t)
	}
	if f.CreatedTo != nil {
		t := f.CreatedTo.UTC().Add(time.Second)
		if !t.Equal(t.Truncate(24 * time.Hour)) {
			return "", "", false
		}
		to = dayKey(t.Add(-24 * time.Hour))
	}
	return from, to, true
}

// countDays sums the per-day counters of dim for each value over the
// filter's days.
func (s *DB) countDays(ctx context.Context, f Filter, dim string, values []string) (map[string]int64, error) {
	from, to, _ := f.dayAligned()
	out := map[string]int64{}
	for _, v := range values {
		var n sql.NullInt64
		if err := s.db.GetContext(ctx, &n, s.q(`SELECT SUM(n) FROM {counts} WHERE dim = ? AND value >= ? AND value <= ?`),
			dim, v+"|"+from, v+"|"+to); err != nil {
			return nil, fmt.Errorf("day counters: %w", err)
		}
		out[v] = n.Int64
	}
	return out, nil
}

func statusNames(ss []job.Status) []string {
	out := make([]string, 0, len(ss))
	for _, s := range uniq(ss) {
		out = append(out, string(s))
	}
	return out
}

func paymentNames(ps []job.PaymentStatus) []string {
	out := make([]string, 0, len(ps))
	for _, p := range uniq(ps) {
		out = append(out, string(p))
	}
	return out
}

func (s *DB) countFromCounters(ctx context.Context, f Filter) (int64, error) {
	c, err := s.Counts(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case len(f.Statuses) > 0:
		var n int64
		for _, st := range uniq(f.Statuses) {
			n += c.ByStatus[st]
		}
		return n, nil
	case len(f.PaymentStatuses) > 0:
		var n int64
		for _, ps := range uniq(f.PaymentStatuses) {
			n += c.ByPaymentStatus[ps]
		}
		return n, nil
	}
	return c.Total, nil
}

func uniq[T comparable](vs []T) []T {
	seen := map[T]bool{}
	var out []T
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
