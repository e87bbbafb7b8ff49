package upscaletest

import "time"

// job is one accepted submission. Its timeline is fixed at submit time;
// its status is read off the clock rather than stored, so moving the
// clock is all a test needs to do.
type job struct {
	id, imageURL, webhook, imageType string
	factor                           float64
	outW, outH                       int
	credits                          int
	failMsg                          string

	startAt    time.Time // IN_QUEUE before this, IN_PROGRESS from it
	finishedAt time.Time // the work is done; webhooks count from here
	visibleAt  time.Time // GET /status shows the final state from here
	hookAt     time.Time // the first webhook is due
	hooksLeft  int       // webhooks still to send
}

func (s *Server) newJob(id string, in submitInput, webhook string, outW, outH, credits int) *job {
	now := s.now()
	j := &job{
		id: id, imageURL: in.ImageURL, webhook: webhook, imageType: in.InputImageType,
		factor: in.UpscaleFactor, outW: outW, outH: outH, credits: credits,
		startAt: now.Add(s.opts.QueueTime),
	}
	j.finishedAt = j.startAt.Add(s.opts.ProcessingTime)
	j.visibleAt, j.hookAt = j.finishedAt, j.finishedAt
	if s.opts.FailJob != nil {
		j.failMsg = s.opts.FailJob(in.ImageURL)
	}
	if webhook != "" {
		j.hooksLeft = 1
	}
	switch s.opts.Webhook {
	case WebhookEarly:
		j.visibleAt = j.finishedAt.Add(s.opts.WebhookDelay)
	case WebhookLate:
		j.hookAt = j.finishedAt.Add(s.opts.WebhookDelay)
	case WebhookTwice:
		j.hooksLeft *= 2
	case WebhookNever:
		j.hooksLeft = 0
	}
	return j
}

func (j *job) statusAt(now time.Time) string {
	switch {
	case now.Before(j.startAt):
		return "IN_QUEUE"
	case now.Before(j.visibleAt):
		return "IN_PROGRESS"
	case j.failMsg != "":
		return "FAILED"
	}
	return "SUCCESS"
}

// resultExpired mirrors the temporary result URLs of the real service.
func (s *Server) resultExpired(j *job, now time.Time) bool {
	return now.After(j.visibleAt.Add(s.opts.ResultTTL))
}
