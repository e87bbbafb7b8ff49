package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale"
)

// Poll checks the processing jobs that are due: it finishes the ones whose
// upscale is done (the fallback for webhooks that never came), fails the
// ones past the timeout, and retries deliveries that failed. One call
// sends at most the status checks the rate limit allows per poll interval.
func (s *Service) Poll(ctx context.Context) (checked int, err error) {
	budget := max(1, s.cfg.StatusChecksPerMinute*int(s.cfg.PollInterval/time.Second)/60)
	jobs, err := s.st.Due(ctx, job.StatusProcessing, s.now(), budget)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		if s.pollOne(ctx, j) {
			checked++
		}
	}
	return checked, nil
}

// pollOne moves one processing job along; it reports whether it asked the
// provider.
func (s *Service) pollOne(ctx context.Context, j *job.Job) bool {
	if j.UpscaledFilePath != nil {
		s.deliver(ctx, j) // the file is ours; only delivery is left
		return false
	}
	if j.UpsamplerJobID == nil {
		return false // in doubt: Rescue handles it
	}
	if j.SubmittedAt != nil && s.cfg.Now().Sub(*j.SubmittedAt) > s.cfg.UpscaleTimeout {
		s.failUpscale(ctx, j, "upscale timed out after "+s.cfg.UpscaleTimeout.String(), job.ActorCron)
		return false
	}
	res, err := s.status(ctx, *j.UpsamplerJobID)
	switch {
	case err != nil && upscale.IsTransient(err):
		s.pollLater(ctx, j, s.cfg.PollInterval)
	case err != nil:
		s.failUpscale(ctx, j, "upscale status: "+describeErr(err), job.ActorUpsampler)
	case res.Status == upscale.StatusSuccess:
		s.finish(ctx, j, res)
	case res.Status == upscale.StatusFailed:
		s.failUpscale(ctx, j, "Upsampler: "+res.Error, job.ActorUpsampler)
	default:
		s.pollLater(ctx, j, s.pollBackoff(j))
	}
	return true
}

// status asks the provider about an upscale, within this process's share
// of the status-check rate limit (callbacks and polling draw on the same
// budget, so a burst of callbacks cannot push us over Upsampler's limit).
func (s *Service) status(ctx context.Context, id string) (upscale.Result, error) {
	if err := s.checks.Wait(ctx); err != nil {
		return upscale.Result{}, &upscale.Error{Kind: upscale.Transient, Msg: "status check not sent: " + err.Error()}
	}
	res, err := s.up.Status(ctx, id)
	if err != nil {
		s.countUpscaleErr(err)
	}
	return res, err
}

// pollBackoff spaces status checks out as a job runs longer: a quarter of
// its age so far, between the poll interval and five minutes.
func (s *Service) pollBackoff(j *job.Job) time.Duration {
	age := s.cfg.PollInterval
	if j.SubmittedAt != nil {
		age = s.cfg.Now().Sub(*j.SubmittedAt) / 4
	}
	return min(max(age, s.cfg.PollInterval), 5*time.Minute)
}

func (s *Service) pollLater(ctx context.Context, j *job.Job, d time.Duration) {
	s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing},
		Check: func(cur *job.Job, _ store.Set) error {
			if cur.UpscaledFilePath != nil || !sameID(cur.UpsamplerJobID, j.UpsamplerJobID) {
				return errNoChange
			}
			return nil
		},
		Set: store.Set{"due_at": s.now().Add(d)}})
}

func sameID(a, b *string) bool { return a != nil && b != nil && *a == *b }

// HintAsync answers Upsampler's callback at once and handles it in the
// background, a bounded number at a time; when all are busy, the job is
// simply made due so the poller picks it up. Upsampler is not kept waiting
// on our downloads and emails.
func (s *Service) HintAsync(jobID string, body []byte) error {
	var hint struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &hint); err != nil || hint.ID == "" {
		return job.Invalid("body", "expected a JSON body with the Upsampler job id")
	}
	select {
	case s.hintSlots <- struct{}{}:
		s.hintWG.Add(1)
		go func() {
			defer func() { <-s.hintSlots; s.hintWG.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := s.UpsamplerHint(ctx, jobID, body); err != nil && !errors.Is(err, job.ErrJobNotFound) {
				s.log.Warn("upsampler callback", "job", jobID, "err", err)
			}
		}()
	default:
		s.st.Apply(context.Background(), store.Change{JobID: jobID, From: []job.Status{job.StatusProcessing},
			Set: store.Set{"due_at": s.now()}})
	}
	return nil
}

// UpsamplerHint handles Upsampler's callback. It is unsigned, so it is
// only a hint: the job is looked up by the id in our own webhook URL, and
// Upsampler's status endpoint is asked before anything is done.
func (s *Service) UpsamplerHint(ctx context.Context, jobID string, body []byte) error {
	var hint struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &hint); err != nil || hint.ID == "" {
		return job.Invalid("body", "expected a JSON body with the Upsampler job id")
	}
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if j.Status != job.StatusProcessing || j.UpscaledFilePath != nil {
		return nil // done already, or not ours to act on
	}
	if j.UpsamplerJobID == nil {
		// Our record of the submission was lost (a crash between sending
		// and recording): adopt the id once Upsampler confirms it exists.
		if _, err := s.status(ctx, hint.ID); err != nil {
			return nil
		}
		if _, err := s.st.Apply(ctx, store.Change{JobID: jobID, From: []job.Status{job.StatusProcessing},
			Check: func(cur *job.Job, _ store.Set) error {
				if cur.UpsamplerJobID != nil {
					return errNoChange
				}
				return nil
			},
			Set: store.Set{"upsampler_job_id": hint.ID, "lease_owner": nil, "lease_expires_at": nil, "due_at": s.now()},
			Event: store.EventInput{Actor: job.ActorUpsampler, Type: "submission_recovered",
				Message: "Upsampler's callback named the job we had sent: no second submission"}}); err != nil && !errors.Is(err, errNoChange) {
			return nil
		}
		// Adopted, or the worker recorded its submission meanwhile (the
		// callback can beat it): either way the row now names an upscale.
		if j, err = s.st.Get(ctx, jobID); err != nil {
			return err
		}
	}
	if j.Status != job.StatusProcessing || j.UpsamplerJobID == nil || *j.UpsamplerJobID != hint.ID {
		return nil // a callback about an upscale we abandoned
	}
	s.pollOne(ctx, j)
	return nil
}

// Rescue takes over processing jobs whose worker died holding the lease.
// If the submission was recorded, the poller carries on. If it was not, we
// cannot know whether Upsampler got it (it has no idempotency key): we wait
// for its callback, which names our job, until the upscale timeout, and
// only then submit again — never twice by accident.
func (s *Service) Rescue(ctx context.Context) (int, error) {
	now := s.now()
	jobs, err := s.st.LeaseExpired(ctx, now, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		var ch store.Change
		switch {
		case j.UpsamplerJobID != nil || j.UpscaledFilePath != nil:
			ch = store.Change{Set: store.Set{"lease_owner": nil, "lease_expires_at": nil, "due_at": now},
				Event: store.EventInput{Actor: job.ActorCron, Type: "rescued", Message: "worker lease expired; polling resumes"}}
		case j.SubmittedAt != nil && now.Sub(*j.SubmittedAt) < s.cfg.UpscaleTimeout:
			ch = store.Change{Set: store.Set{"lease_expires_at": j.SubmittedAt.Add(s.cfg.UpscaleTimeout)},
				Event: store.EventInput{Actor: job.ActorCron, Type: "in_doubt",
					Message: "worker died while submitting; waiting for Upsampler's callback before submitting again"}}
		default:
			ch = store.Change{To: job.StatusPending, Set: store.Set{"lease_owner": nil, "lease_expires_at": nil,
				"submitted_at": nil, "due_at": now},
				Event: store.EventInput{Actor: job.ActorCron, Type: "resubmitting",
					Message: "no sign of the earlier submission within the timeout; queued again"}}
		}
		ch.JobID, ch.From = j.JobID, []job.Status{job.StatusProcessing}
		leaseWas := j.LeaseExpiresAt
		ch.Check = func(cur *job.Job, _ store.Set) error {
			if cur.LeaseExpiresAt == nil || leaseWas == nil || !cur.LeaseExpiresAt.Equal(*leaseWas) {
				return errNoChange // someone moved it first
			}
			return nil
		}
		if changed, err := s.apply(ctx, ch); err == nil && changed {
			n++
		}
	}
	if n > 0 {
		s.notify()
	}
	return n, nil
}
