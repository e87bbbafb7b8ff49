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
	n       int64
	at      time.Time
	running bool
}

// refinedCount returns a recent background count of the filter, and
// starts one when there is none.
func (s *DB) refinedCount(f Filter) (int64, bool) {
	key := fmt.Sprint(f.branches())
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
	got, ok := r.counted[key]
	if ok && (got.running || now.Sub(got.at) < refineFor) {
		return got.n, !got.running
	}
	if len(r.counted) >= refineKeep {
		for k, v := range r.counted {
			if !v.running && now.Sub(v.at) >= refineFor {
				delete(r.counted, k)
			}
		}
		if len(r.counted) >= refineKeep {
			return 0, false // too many filters at once: stay with the estimate
		}
	}
	r.counted[key] = refined{running: true}
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
			delete(r.counted, key)
			return
		}
		r.counted[key] = refined{n: n, at: s.now()}
	}()
	return 0, false
}
