package bench

import (
	"context"
	"slices"
	"time"
)

// Timing is one side of a case: every timed run, in run order.
type Timing struct {
	Runs []time.Duration
}

// Median is the middle run (the mean of the two middle ones for an even
// count).
func (t Timing) Median() time.Duration {
	s := t.sorted()
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// P95 is the nearest-rank 95th percentile: with 21 runs the 20th fastest,
// with 5 or fewer the slowest.
func (t Timing) P95() time.Duration {
	s := t.sorted()
	if len(s) == 0 {
		return 0
	}
	rank := (95*len(s) + 99) / 100 // ceil(0.95 n)
	return s[rank-1]
}

// Fastest is the quickest run: the one least disturbed by other work on
// the machine, so ratios of fastest runs hold still on a busy host.
func (t Timing) Fastest() time.Duration {
	if len(t.Runs) == 0 {
		return 0
	}
	return slices.Min(t.Runs)
}

func (t Timing) sorted() []time.Duration {
	s := slices.Clone(t.Runs)
	slices.Sort(s)
	return s
}

// timeOnce runs fn once and says how long it took.
func timeOnce(ctx context.Context, fn func(context.Context) error) (time.Duration, error) {
	start := time.Now()
	err := fn(ctx)
	return time.Since(start), err
}
