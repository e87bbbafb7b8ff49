package upscaletest

import (
	"net/http"
	"strconv"
	"strings"
)

// statusBody is the status answer and, for SUCCESS, the webhook payload.
type statusBody struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	ImageURL           string `json:"imageUrl,omitempty"`
	CompressedImageURL string `json:"compressedImageUrl,omitempty"`
	CreditCost         int    `json:"creditCost"`
	Error              string `json:"error,omitempty"`
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	s.mu.Lock()
	s.statusChecks++
	reply, scripted := pop(&s.statusScript)
	s.mu.Unlock()
	if scripted && s.play(w, r, reply) {
		return
	}
	if s.limited(w, &s.statusMinute) {
		return
	}
	s.mu.Lock()
	j, ok := s.jobs[r.PathValue("id")]
	var body statusBody
	if ok {
		body = s.describe(j, j.statusAt(s.now()))
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Job not found")
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// describe is a job as the API shows it in the given status. Failed jobs
// show no cost: the service refunds them.
func (s *Server) describe(j *job, status string) statusBody {
	b := statusBody{ID: j.id, Status: status, CreditCost: j.credits}
	switch status {
	case "SUCCESS":
		b.ImageURL = s.URL() + "/results/" + j.id + ".png"
		b.CompressedImageURL = b.ImageURL + "?compressed=1"
	case "FAILED":
		b.CreditCost, b.Error = 0, j.failMsg
	}
	return b
}

// handleResult serves a finished image. Like the real pre-signed URLs it
// needs no key and stops working ResultTTL after the job ends.
func (s *Server) handleResult(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	s.mu.Lock()
	j, found := s.jobs[id]
	now := s.now()
	ready := found && j.statusAt(now) == "SUCCESS"
	expired := found && s.resultExpired(j, now)
	s.mu.Unlock()
	switch {
	case !ok || !ready:
		http.Error(w, "Not found", http.StatusNotFound)
		return
	case expired:
		http.Error(w, "Request has expired", http.StatusForbidden)
		return
	}
	width, height := j.outW, j.outH // fixed at submit; safe to read unlocked
	if s.opts.TinyResults {
		width, height = 1, 1
	}
	data := s.solidPNG(width, height)
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}
