package pipelinetest

import (
	"sync"
	"time"
)

// Clock is the settable clock of every test: the store, the pipeline, the
// Upsampler fake and the HTTP API of an Env all read it, and unit tests of
// single parts use it too, so a test moves time by calling Advance instead
// of sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
