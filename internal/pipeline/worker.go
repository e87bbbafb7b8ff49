package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale"
)

type workers struct {
	cancel context.CancelFunc
	halt   chan struct{}
	wg     sync.WaitGroup
}

// Start runs cfg.Concurrency workers. Each claims a due pending job with
// SKIP LOCKED, submits it, and goes for the next; with nothing to do it
// waits to be woken, by this process (a payment, a retry) or by the one
// prober that asks the database every idle poll whether work is due, so an
// idle process costs one query per idle poll whatever its worker count.
func (s *Service) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	w := &workers{cancel: cancel, halt: make(chan struct{})}
	s.workers = w
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		s.probeLoop(ctx, w.halt)
	}()
	for i := range s.cfg.Concurrency {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			s.workLoop(ctx, w.halt, i)
		}()
	}
}

// Halt stops claiming new jobs; jobs in hand finish.
func (s *Service) Halt() {
	if s.workers != nil {
		select {
		case <-s.workers.halt:
		default:
			close(s.workers.halt)
		}
	}
}

// Stop halts the workers, waits for the jobs in hand, then cancels.
func (s *Service) Stop() {
	if s.workers == nil {
		return
	}
	s.Halt()
	done := make(chan struct{})
	go func() { s.workers.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.log.Warn("workers still busy at shutdown; their leases will be rescued")
	}
	s.hintWG.Wait()
	s.workers.cancel()
}

func (s *Service) workLoop(ctx context.Context, halt <-chan struct{}, n int) {
	for {
		select {
		case <-halt:
			return
		case <-ctx.Done():
			return
		default:
		}
		did, err := s.Work(ctx)
		if err != nil {
			s.log.Error("worker", "n", n, "err", err)
		}
		if did {
			continue
		}
		select {
		case <-halt:
			return
		case <-ctx.Done():
			return
		case <-s.wake:
		}
	}
}

// probeLoop wakes every idle worker when the database has due work (a job
// queued by another replica, or a retry whose backoff ran out).
func (s *Service) probeLoop(ctx context.Context, halt <-chan struct{}) {
	t := time.NewTicker(s.cfg.IdlePoll)
	defer t.Stop()
	for {
		select {
		case <-halt:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		due, err := s.st.AnyDue(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("probe for work", "err", err)
			}
			continue
		}
		for i := 0; due && i < cap(s.wake); i++ {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Work claims and submits one job; did is false when none was due.
func (s *Service) Work(ctx context.Context) (did bool, err error) {
	if s.submits != nil {
		if err := s.submits.Wait(ctx); err != nil {
			return false, nil
		}
	}
	j, err := s.st.Claim(ctx, s.cfg.Owner, s.cfg.Lease, store.EventInput{Actor: job.ActorSystem, Type: "submitting",
		Message: "claimed by a worker; submitting to " + s.up.Name()})
	if err != nil || j == nil {
		return false, err
	}
	s.submit(ctx, j)
	return true, nil
}

// submit sends a claimed job to the provider and records the answer.
func (s *Service) submit(ctx context.Context, j *job.Job) {
	sub, err := s.up.Submit(ctx, j.ImageURL, j.Resolution.Factor(), s.upsamplerWebhook(j.JobID))
	if err != nil {
		s.countUpscaleErr(err)
		if upscale.IsTransient(err) && j.Attempts < s.cfg.MaxAttempts {
			s.retryLater(ctx, j, err)
			return
		}
		if sub.ID != "" {
			s.recordSubmission(ctx, j, sub) // keep the id the provider gave a failed job
		}
		s.Fail(ctx, j.JobID, "upscale failed: "+describeErr(err), job.ActorUpsampler)
		return
	}
	if err := s.recordSubmission(ctx, j, sub); err != nil {
		s.log.Error("record submission", "job", j.JobID, "upsampler_job", sub.ID, "err", err)
		return // the lease runs out; rescue finds the job in doubt and waits for the webhook
	}
	if sub.Status == upscale.StatusSuccess {
		j.UpsamplerJobID = &sub.ID
		if sub.CreditCost > 0 {
			j.CreditsUsed = &sub.CreditCost
		}
		s.finish(ctx, j, upscale.Result{ID: sub.ID, Status: sub.Status, CreditCost: sub.CreditCost})
	}
}

func (s *Service) recordSubmission(ctx context.Context, j *job.Job, sub upscale.Submission) error {
	now := s.now()
	set := store.Set{"upsampler_job_id": sub.ID, "lease_owner": nil, "lease_expires_at": nil,
		"due_at": now.Add(s.cfg.PollInterval)}
	if sub.CreditCost > 0 {
		set["credits_used"] = sub.CreditCost
	}
	_, err := s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing}, Set: set,
		Event: store.EventInput{Actor: s.providerActor(), Type: "submitted", Message: "submitted to " + s.up.Name(),
			Data: map[string]any{"upsampler_job_id": sub.ID, "credits": sub.CreditCost, "attempt": j.Attempts}}})
	return err
}

// retryLater puts a job whose submission failed transiently back in the
// queue, with capped exponential backoff (or the provider's Retry-After).
func (s *Service) retryLater(ctx context.Context, j *job.Job, cause error) {
	wait := backoff(j.Attempts)
	if e, ok := cause.(*upscale.Error); ok && e.RetryAfter > wait {
		wait = e.RetryAfter
	}
	now := s.now()
	_, err := s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing}, To: job.StatusPending,
		Set: store.Set{"due_at": now.Add(wait), "last_error": describeErr(cause), "lease_owner": nil,
			"lease_expires_at": nil, "submitted_at": nil},
		Event: store.EventInput{Actor: job.ActorSystem, Type: "submit_retry", Message: "submission failed, will retry: " + describeErr(cause),
			Data: map[string]any{"attempt": j.Attempts, "retry_in_seconds": int(wait.Seconds())}}})
	if err != nil {
		s.log.Error("schedule retry", "job", j.JobID, "err", err)
	}
}

// backoff is 15 s doubled per attempt, capped at 10 minutes.
func backoff(attempt int) time.Duration {
	d := 15 * time.Second << min(max(attempt-1, 0), 10)
	return min(d, 10*time.Minute)
}

// providerActor names the upscaler on events: upsampler, or system for the
// in-process provider.
func (s *Service) providerActor() job.Actor {
	if s.up.Name() == "upsampler" {
		return job.ActorUpsampler
	}
	return job.ActorSystem
}
