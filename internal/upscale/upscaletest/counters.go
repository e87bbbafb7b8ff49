package upscaletest

// Submissions is how many jobs the fake has accepted.
func (s *Server) Submissions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.submits
}

// SubmissionsFor is how many accepted jobs named imageURL: more than one
// means the daemon paid twice for the same picture.
func (s *Server) SubmissionsFor(imageURL string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perURL[imageURL]
}

// SubmitAttempts is how many authenticated POSTs arrived, accepted or not.
func (s *Server) SubmitAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// StatusChecks is how many authenticated status requests arrived.
func (s *Server) StatusChecks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statusChecks
}

// RateLimited is how many requests were refused for exceeding the
// published limits; a well-behaved daemon keeps it at zero.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited
}

// Job is what the fake knows about one job.
type Job struct {
	ID             string
	ImageURL       string
	Webhook        string
	InputImageType string
	Factor         float64
	Width, Height  int // of the output
	CreditCost     int
	Status         string // as GET /status would say now
	Error          string
}

// Job looks up a job by ID.
func (s *Server) Job(id string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return Job{}, false
	}
	status := j.statusAt(s.now())
	out := Job{
		ID: j.id, ImageURL: j.imageURL, Webhook: j.webhook, InputImageType: j.imageType,
		Factor: j.factor, Width: j.outW, Height: j.outH, CreditCost: j.credits, Status: status,
	}
	if status == "FAILED" {
		out.Error = j.failMsg
	}
	return out, true
}
