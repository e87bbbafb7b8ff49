package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// refineFor is how long a background count answers for its filter, and
// refineTimeout how long one may run.
const (
	refineFor     = time.Minute
	refineTimeout = time.Minute
	refineKeep    = 64
)

// refiner counts in the background the filters whose totals were
// estimated, so the next request for the same filter gets the count
// instead of the guess (still marked an estimate: rows move meanwhile).
type refiner struct {
	mu      sync.Mutex
	counted map[string]refined
	wg      sync.WaitGroup
	stopped bool
	cancels map[string]context.CancelFunc
}

// stop cancels the counts under way and waits for them: the store closes.
func (r *refiner) stop() {
	r.mu.Lock()
	r.stopped = true
	for _, c := range r.cancels {
		c()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

type refined struct {
	n       int64     // the last finished count, when has
	at      time.Time // when it finished
	has     bool
	running bool // a count is under way
}

// fresh reports whether a finished count answers at now.
func (g refined) fresh(now time.Time) bool { return g.has && now.Sub(g.at) < refineFor }

// refineKey names a filter's background count. A stuck-job bound moves
// with the clock on every request: it is left out, so the Needs attention
// filter finds the count made for it a moment before (with the bound of
// that moment).
func refineKey(f Filter) string {
	if f.StuckBefore != nil {
		f.StuckBefore = &time.Time{}
	}
	return fmt.Sprint(f.branches())
}

// freshCount returns a finished background count of the filter made less
// than refineFor ago, without starting one.
func (s *DB) freshCount(f Filter) (int64, bool) {
	r := &s.refine
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.counted[refineKey(f)]
	return got.n, got.fresh(s.now())
}

// refinedCount returns the last background count of the filter, and
// starts one when there is none or it is older than refineFor: until the
// new one finishes, the older count answers (rows move meanwhile either way).
func (s *DB) refinedCount(f Filter) (int64, bool) {
	key := refineKey(f)
	r := &s.refine
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return 0, false
	}
	if r.counted == nil {
		r.counted = map[string]refined{}
		r.cancels = map[string]context.CancelFunc{}
	}
	now := s.now()
	got := r.counted[key]
	if got.running || got.fresh(now) {
		return got.n, got.has
	}
	if len(r.counted) >= refineKeep {
		for k, v := range r.counted {
			if !v.running && !v.fresh(now) {
				delete(r.counted, k)
			}
		}
		if len(r.counted) >= refineKeep {
			return 0, false // too many filters at once: stay with the estimate
		}
	}
	prev := got
	prev.running = true
	r.counted[key] = prev
	ctx, cancel := context.WithTimeout(context.Background(), refineTimeout)
	r.cancels[key] = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer cancel()
		var n int64
		var err error
		for _, b := range f.branches() {
			var k int64
			if err = s.db.GetContext(ctx, &k, s.q("SELECT COUNT(*) FROM {jobs}"+b.where), b.args...); err != nil {
				break
			}
			n += k
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.cancels, key)
		if err != nil {
			if prev.has {
				prev.running = false
				r.counted[key] = prev
			} else {
				delete(r.counted, key)
			}
			return
		}
		r.counted[key] = refined{n: n, at: s.now(), has: true}
	}()
	return prev.n, prev.has
}
