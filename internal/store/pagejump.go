package store

import (
	"context"
	"time"
)

// jump is how to reach a typed page number.
type jump struct {
	offset  int
	seek    string // a created_at bound that skips whole days
	seekAt  time.Time
	reverse bool // read backwards from the end; limit is the page's rows
	limit   int
	exact   bool // total is the exact total
	total   int64
}

// plan picks the cheapest exact way to page lq.Page. Sorted by created_at
// on statuses, payment statuses and dates, the day counters say which day
// the page starts in: the read seeks to that day and skips only rows
// within it. Otherwise, when the total is exact and the page is nearer the
// end, it is read backwards from the end; else it skips index entries from
// the start.
func (s *DB) plan(ctx context.Context, lq ListQuery) (jump, error) {
	j := jump{offset: (lq.Page - 1) * lq.PerPage}
	f := lq.Filter
	if f.counterShaped() && lq.OrderBy == "created_at" {
		segs, err := s.segments(ctx, f)
		if err != nil {
			return j, err
		}
		if jj, ok := seekDay(segs, j.offset, lq.Desc); ok {
			return jj, nil
		}
	}
	total, estimate, err := s.Count(ctx, f)
	if err != nil {
		return j, err
	}
	if estimate {
		return j, nil
	}
	j.exact, j.total = true, total
	fromEnd := int(total) - lq.Page*lq.PerPage
	if fromEnd >= j.offset || j.offset >= int(total) {
		return j, nil
	}
	j.reverse, j.limit, j.offset = true, lq.PerPage, fromEnd
	if fromEnd < 0 { // the last page, not full
		j.limit, j.offset = int(total)-(lq.Page-1)*lq.PerPage, 0
	}
	return j, nil
}

// seekDay finds the segment holding row number offset (0-based, in display
// order) and returns the read that starts at that segment's edge.
func seekDay(segs []segment, offset int, desc bool) (jump, bool) {
	var total int64
	for _, sg := range segs {
		if sg.from.IsZero() || sg.to.IsZero() { // jobs without a created_at
			return jump{}, false
		}
		total += sg.n
	}
	j := jump{exact: true, total: total, offset: offset}
	if int64(offset) >= total {
		return j, true // past the end: an empty page, however it is read
	}
	before := int64(0)
	for i := range segs {
		sg := segs[i]
		if desc {
			sg = segs[len(segs)-1-i]
		}
		if before+sg.n > int64(offset) {
			j.offset = offset - int(before)
			if desc {
				j.seek, j.seekAt = "created_at < ?", sg.to
			} else {
				j.seek, j.seekAt = "created_at >= ?", sg.from
			}
			return j, true
		}
		before += sg.n
	}
	return j, true
}
