package bench

import (
	"testing"
	"time"
)

func TestTimingStats(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	seq := func(n int) []int {
		var out []int
		for i := n; i >= 1; i-- { // reversed: the stats must sort
			out = append(out, i)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		runs        []time.Duration
		median, p95 time.Duration
	}{
		{"none", nil, 0, 0},
		{"one", ms(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{"five: p95 is the slowest", ms(5, 1, 4, 2, 3), 3 * time.Millisecond, 5 * time.Millisecond},
		{"even count: mean of the middle two", ms(1, 2, 3, 10), 2500 * time.Microsecond, 10 * time.Millisecond},
		{"21 runs: p95 is the 20th", ms(seq(21)...), 11 * time.Millisecond, 20 * time.Millisecond},
	} {
		tm := Timing{Runs: tc.runs}
		if got := tm.Median(); got != tc.median {
			t.Errorf("%s: median %v, want %v", tc.name, got, tc.median)
		}
		if got := tm.P95(); got != tc.p95 {
			t.Errorf("%s: p95 %v, want %v", tc.name, got, tc.p95)
		}
	}
}
