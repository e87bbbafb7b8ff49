package store

import (
	"context"
	"encoding/json"
	"errors"
)

// SetCountLimit lowers how far Count counts exactly, so a small table can
// show an estimate.
func (s *DB) SetCountLimit(n int) { s.countLimit = n }

// IndexDDL is the ALTER that would add the jobs and events tables'
// secondary indexes as they are now.
func (s *DB) IndexDDL(ctx context.Context) string {
	_, a, _ := s.secondaryIndexes(ctx, s.jobs)
	_, b, _ := s.secondaryIndexes(ctx, s.events)
	return a + ";" + b
}

// WaitRefined waits for the background counts started so far.
func (s *DB) WaitRefined() { s.refine.wg.Wait() }

// WhereOf is f's WHERE clause and its arguments.
func WhereOf(f Filter) (string, []any) { return f.where() }

// CheckSQL asserts that a condition holds nothing but SQL, with one bound
// argument per placeholder.
var CheckSQL = checkSQL

// RowsRead is how many rows MariaDB reads (ANALYZE's r_rows times r_loops,
// every table of the plan) to answer the page lq names; lq carries a
// cursor.
func (s *DB) RowsRead(ctx context.Context, lq ListQuery) (float64, error) {
	c, err := decodeCursor(lq.Cursor)
	if err != nil {
		return 0, err
	}
	query, args, merge := pageQuery(read{f: lq.Filter, col: lq.OrderBy, desc: lq.Desc != c.Back, cur: &c, limit: lq.PerPage + 1})
	if merge != nil {
		return 0, errors.New("a merged read has no single plan")
	}
	var plan string
	if err := s.db.QueryRowContext(ctx, "ANALYZE FORMAT=JSON "+s.q(query), args...).Scan(&plan); err != nil {
		return 0, err
	}
	var tree any
	if err := json.Unmarshal([]byte(plan), &tree); err != nil {
		return 0, err
	}
	var sum func(v any) float64
	sum = func(v any) float64 {
		total := 0.0
		switch v := v.(type) {
		case map[string]any:
			if t, ok := v["table"].(map[string]any); ok {
				rows, _ := t["r_rows"].(float64)
				loops, _ := t["r_loops"].(float64)
				total += rows * loops
			}
			for _, x := range v {
				total += sum(x)
			}
		case []any:
			for _, x := range v {
				total += sum(x)
			}
		}
		return total
	}
	return sum(tree), nil
}
