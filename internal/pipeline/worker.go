package pipeline

import (
	"context"
	"errors"
	"net"
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

// Stop halts the workers and waits for the jobs in hand and the
// callbacks being handled, for at most the shutdown timeout; then it
// cancels them (their leases run out and another process, or this one
// after a restart, carries on) and returns once they have let go.
func (s *Service) Stop() {
	s.Halt()
	done := make(chan struct{})
	go func() {
		if s.workers != nil {
			s.workers.wg.Wait()
		}
		s.hintWG.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(s.cfg.ShutdownTimeout):
		s.log.Warn("work still in hand at the shutdown timeout: cancelled; leases will be rescued")
	}
	if s.workers != nil {
		s.workers.cancel()
	}
	s.bgCancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.log.Warn("work did not stop within 5s of being cancelled")
	}
}

func (s *Service) workLoop(ctx context.Context, halt <-chan struct{}, n int) {
	for {
		if stopping(ctx, halt) {
			return
		}
		did, err := s.work(ctx, halt)
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

// claimBatch is how many due jobs a worker claims at once when no
// submission rate limit applies: one transaction instead of eight. Under
// a rate limit a worker claims one job at a time, when it may send it.
const claimBatch = 8

// Work claims due jobs and submits them; did is false when none was due.
func (s *Service) Work(ctx context.Context) (did bool, err error) {
	return s.work(ctx, nil)
}

// work is Work for a worker that halt stops: the jobs of its batch not
// yet sent when it stops go back to the queue.
func (s *Service) work(ctx context.Context, halt <-chan struct{}) (did bool, err error) {
	n := claimBatch
	if s.submits != nil {
		n = 1
		if err := s.submits.Wait(ctx); err != nil {
			return false, nil
		}
	}
	jobs, err := s.st.ClaimBatch(ctx, s.cfg.Owner, s.cfg.Lease, n, store.EventInput{Actor: job.ActorSystem, Type: "submitting",
		Message: "claimed by a worker; submitting to " + s.up.Name()})
	if err != nil || len(jobs) == 0 {
		return false, err
	}
	for i, j := range jobs {
		// A job whose lease is half gone waited behind slow submissions
		// of its batch: back to the queue rather than racing the rescue.
		late := i > 0 && j.LeaseExpiresAt != nil && s.cfg.Now().After(j.LeaseExpiresAt.Add(-s.cfg.Lease/2))
		if late || stopping(ctx, halt) {
			s.unclaim(ctx, jobs[i:])
			break
		}
		s.submit(ctx, j)
	}
	return true, nil
}

func stopping(ctx context.Context, halt <-chan struct{}) bool {
	select {
	case <-halt:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// unclaim puts claimed jobs that were never sent back in the queue, so
// another worker (or replica) takes them now rather than after their
// lease and the in-doubt wait.
func (s *Service) unclaim(ctx context.Context, jobs []*job.Job) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, j := range jobs {
		if err := s.st.Unclaim(ctx, store.HolderOf(j), j.Attempts, store.EventInput{Actor: job.ActorSystem, Type: "unclaimed",
			Message: "the worker stopped before sending it; queued again"}); err != nil {
			s.quietly("give a job back", j.JobID, err)
		}
	}
}

// submit sends a claimed job to the provider and records the answer.
// Every write carries the fence the claim gave: if the lease ran out and
// another worker took the job meanwhile, this one changes nothing.
func (s *Service) submit(ctx context.Context, j *job.Job) {
	h := store.HolderOf(j)
	failpointHit("after_claim")
	sub, err := s.up.Submit(ctx, j.ImageURL, j.Resolution.Factor(), s.CallbackURL(j.JobID, j.Fence))
	failpointHit("after_submit_sent")
	if err != nil {
		s.countUpscaleErr(err)
		if s.up.Name() == "upsampler" && ambiguous(err) {
			// The request may have reached Upsampler (a timeout, a reset,
			// a 5xx after sending): submitting again could pay twice, and
			// the first result's callback would be ignored. Wait for the
			// callback of this attempt (its URL proves it) or the upscale
			// timeout; only then does Rescue submit again.
			s.inDoubt(ctx, j, h, err)
			return
		}
		if upscale.IsTransient(err) && j.Attempts < s.cfg.MaxAttempts {
			s.retryLater(ctx, j, h, err)
			return
		}
		if sub.ID != "" {
			if err := s.recordSubmission(ctx, j, h, sub); err != nil { // keep the id the provider gave a failed job
				s.quietly("record submission", j.JobID, err)
			}
		}
		s.failHeld(ctx, h, "upscale failed: "+describeErr(err), job.ActorUpsampler)
		return
	}
	if err := s.recordSubmission(ctx, j, h, sub); err != nil {
		s.quietly("record submission", j.JobID, err)
		return // the lease runs out; rescue finds the job in doubt and waits for the webhook
	}
	if sub.Status == upscale.StatusSuccess {
		j.UpsamplerJobID = &sub.ID
		if sub.CreditCost > 0 {
			j.CreditsUsed = &sub.CreditCost
		}
		j.LeaseExpiresAt = nil // given up by recordSubmission
		s.finish(ctx, j, upscale.Result{ID: sub.ID, Status: sub.Status, CreditCost: sub.CreditCost})
	}
}

func (s *Service) recordSubmission(ctx context.Context, j *job.Job, h store.Holder, sub upscale.Submission) error {
	return s.st.RecordSubmission(ctx, h, store.Submission{UpsamplerJobID: sub.ID, Credits: sub.CreditCost, PollAt: s.now().Add(s.cfg.PollInterval)},
		store.EventInput{Actor: s.providerActor(), Type: "submitted", Message: "submitted to " + s.up.Name(),
			Data: map[string]any{"upsampler_job_id": sub.ID, "credits": sub.CreditCost, "attempt": j.Attempts}})
}

// retryLater puts a job whose submission failed transiently back in the
// queue, with capped exponential backoff (or the provider's Retry-After).
func (s *Service) retryLater(ctx context.Context, j *job.Job, h store.Holder, cause error) {
	wait := backoff(j.Attempts)
	if e, ok := cause.(*upscale.Error); ok && e.RetryAfter > wait {
		wait = e.RetryAfter
	}
	err := s.st.ScheduleResubmit(ctx, h, s.now().Add(wait), describeErr(cause),
		store.EventInput{Actor: job.ActorSystem, Type: "submit_retry", Message: "submission failed, will retry: " + describeErr(cause),
			Data: map[string]any{"attempt": j.Attempts, "retry_in_seconds": int(wait.Seconds())}})
	if err != nil {
		s.quietly("schedule retry", j.JobID, err)
	}
}

// inDoubt keeps a job whose submission may have reached the provider
// waiting for that submission's callback until the upscale timeout.
func (s *Service) inDoubt(ctx context.Context, j *job.Job, h store.Holder, cause error) {
	start := s.now()
	if j.SubmittedAt != nil {
		start = *j.SubmittedAt
	}
	until := start.Add(s.cfg.UpscaleTimeout)
	if err := s.st.WaitForCallback(ctx, h, until, store.EventInput{Actor: job.ActorSystem, Type: "submission_in_doubt",
		Message: "the submission may have reached Upsampler (" + describeErr(cause) + "); waiting for its callback until " +
			until.Format(time.RFC3339) + " before submitting again",
		Data: map[string]any{"attempt": j.Attempts}}); err != nil {
		s.quietly("wait for the callback", j.JobID, err)
	}
}

// ambiguous reports whether a failed submission may still have been
// accepted: the request left (no refusal to connect) and no answer said
// it was refused (a 5xx, a timeout or a cut connection says nothing).
func ambiguous(err error) bool {
	var e *upscale.Error
	if !errors.As(err, &e) || e.Kind != upscale.Transient {
		return false
	}
	if e.HTTPStatus >= 500 || e.HTTPStatus >= 200 && e.HTTPStatus < 300 {
		return true // a 5xx, or an accepting answer we could not read
	}
	if e.HTTPStatus != 0 {
		return false // 429 and other answers: not accepted
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false // never connected
	}
	return e.Err != nil // a network failure after connecting, or a timeout
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
