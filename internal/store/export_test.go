package store

import "context"

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
