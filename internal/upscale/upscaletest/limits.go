package upscaletest

import "time"

// window is a sliding-window rate limit on the fake's clock. Refused
// requests are not recorded, so backing off is enough to recover.
type window struct {
	limit int
	span  time.Duration
	times []time.Time
}

// room says whether one more request fits at now and, if not, how long
// until it will.
func (w *window) room(now time.Time) (bool, time.Duration) {
	cut := 0
	for cut < len(w.times) && !w.times[cut].After(now.Add(-w.span)) {
		cut++
	}
	w.times = w.times[cut:]
	if len(w.times) >= w.limit {
		return false, w.times[0].Add(w.span).Sub(now)
	}
	return true, 0
}

func (w *window) add(now time.Time) { w.times = append(w.times, now) }
