package upscaletest

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
)

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		writeError(w, http.StatusUnauthorized, "Unauthorized")
		return false
	}
	return true
}

// limited answers 429 when rate limits are on and any window is full.
// A request is counted against every window only if all have room.
func (s *Server) limited(w http.ResponseWriter, windows ...*window) bool {
	if !s.opts.EnforceRateLimits {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, win := range windows {
		if ok, wait := win.room(now); !ok {
			s.rateLimited++
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "Rate limit exceeded")
			return true
		}
	}
	for _, win := range windows {
		win.add(now)
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
