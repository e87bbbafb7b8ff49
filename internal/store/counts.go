package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

const countSlots = 16

// countDelta is one change to a counter: dim is "status" or "payment".
type countDelta struct {
	dim, value string
	n          int64
}

// slotFor spreads writers of different jobs over different counter rows.
func slotFor(jobID string) int {
	h := fnv.New32a()
	h.Write([]byte(jobID))
	return int(h.Sum32() % countSlots)
}

// bumpCounts applies deltas in a fixed order (so two transactions never
// lock the same counter rows in opposite orders and deadlock).
func (s *DB) bumpCounts(ctx context.Context, tx *sqlx.Tx, slot int, deltas []countDelta) error {
	merged := map[[2]string]int64{}
	for _, d := range deltas {
		merged[[2]string{d.dim, d.value}] += d.n
	}
	keys := make([][2]string, 0, len(merged))
	for k, n := range merged {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	query := "INSERT INTO {counts} (dim, value, slot, n) VALUES "
	args := make([]any, 0, len(keys)*4)
	for i, k := range keys {
		if i > 0 {
			query += ", "
		}
		query += "(?, ?, ?, ?)"
		args = append(args, k[0], k[1], slot, merged[k])
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

// Counts reads every counter.
func (s *DB) Counts(ctx context.Context) (*Counts, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT dim, value, SUM(n) FROM {counts} GROUP BY dim, value`))
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	defer rows.Close()
	c := &Counts{ByStatus: map[job.Status]int64{}, ByPaymentStatus: map[job.PaymentStatus]int64{}}
	for _, st := range job.Statuses {
		c.ByStatus[st] = 0
	}
	for _, ps := range job.PaymentStatuses {
		c.ByPaymentStatus[ps] = 0
	}
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
