package pipeline

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/reqid"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale"
)

// Poll checks the processing jobs that are due: it finishes the ones whose
// upscale is done (the fallback for webhooks that never came), fails the
// ones past the timeout, and retries deliveries that failed. One call
// sends at most the status checks the rate limit allows per poll interval.
func (s *Service) Poll(ctx context.Context) (checked int, err error) {
	// The checks this run may send: the per-minute limit's share of the
	// poll task's own period (it runs every PollEvery), not of the poll
	// interval, which only spaces one job's checks.
	budget := max(1, int(int64(s.cfg.StatusChecksPerMinute)*int64(s.cfg.PollEvery)/int64(time.Minute)))
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
	if j.LeaseExpiresAt != nil && j.LeaseExpiresAt.After(s.cfg.Now()) {
		return false // a worker or a finisher holds it
	}
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
	if err := s.st.PollLater(ctx, store.HolderOf(j), s.now().Add(d)); err != nil {
		s.quietly("schedule the next status check", j.JobID, err)
	}
}

func sameID(a, b *string) bool { return a != nil && b != nil && *a == *b }

// Callback is one call to our Upsampler webhook URL: the job and attempt
// the URL names, its proof (a MAC only we, and Upsampler who got the URL
// with our submission, know), and the body.
type Callback struct {
	JobID   string
	Attempt string
	Proof   string
	Body    []byte
	// RequestID is the callback request's id, for the log lines of its
	// handling in the background.
	RequestID string
}

// HintAsync answers Upsampler's callback at once and handles it in the
// background, a bounded number at a time; when all are busy, the job is
// simply made due so the poller picks it up. Upsampler is not kept waiting
// on our downloads and emails.
func (s *Service) HintAsync(cb Callback) error {
	if _, err := hintID(cb.Body); err != nil {
		return err
	}
	select {
	case s.hintSlots <- struct{}{}:
		s.hintWG.Add(1)
		go func() {
			defer func() { <-s.hintSlots; s.hintWG.Done() }()
			ctx, cancel := context.WithTimeout(reqid.With(s.bg, cb.RequestID), 10*time.Minute)
			defer cancel()
			if err := s.UpsamplerCallback(ctx, cb); err != nil && !errors.Is(err, job.ErrJobNotFound) {
				s.log.WarnContext(ctx, "upsampler callback", "job", cb.JobID, "err", err)
			}
		}()
	default:
		if err := s.st.MakeDue(context.Background(), cb.JobID); err != nil {
			s.quietly("make a job due", cb.JobID, err)
		}
	}
	return nil
}

// providerIDRE is what an Upsampler job id may look like (a UUID, or any
// short token of the same alphabet): nothing longer than the column holds.
var providerIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func hintID(body []byte) (string, error) {
	var hint struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &hint); err != nil || hint.ID == "" {
		return "", job.Invalid("body", "expected a JSON body with the Upsampler job id")
	}
	if !providerIDRE.MatchString(hint.ID) {
		return "", job.Invalid("body", "the Upsampler job id is not one Upsampler gives")
	}
	return hint.ID, nil
}

// UpsamplerHint handles a callback that carries no proof: it can only
// nudge a job whose upscale we recorded, never name one.
func (s *Service) UpsamplerHint(ctx context.Context, jobID string, body []byte) error {
	return s.UpsamplerCallback(ctx, Callback{JobID: jobID, Body: body})
}

// UpsamplerCallback handles Upsampler's callback. It is unsigned, so it
// is only a hint: the job is looked up by the id in our own webhook URL,
// and Upsampler's status endpoint is asked before anything is done. When
// our record of the submission was lost (a crash, or an answer that never
// came), the provider id it names is adopted only if the URL's proof
// shows it is the callback of this job's current attempt: the URL was
// given to Upsampler with that submission and nobody else knows its MAC.
// Every other id is recorded on the timeline, never adopted.
func (s *Service) UpsamplerCallback(ctx context.Context, cb Callback) error {
	id, err := hintID(cb.Body)
	if err != nil {
		return err
	}
	j, err := s.st.Get(ctx, cb.JobID)
	if err != nil {
		return err
	}
	if j.Status != job.StatusProcessing || j.UpscaledFilePath != nil {
		return nil // done already, or not ours to act on
	}
	if j.UpsamplerJobID == nil {
		if !s.callbackProven(j, cb) {
			s.noteOnce(ctx, j.JobID, store.EventInput{Actor: job.ActorUpsampler, Type: "callback_unproven",
				Message: "a callback named an Upsampler job we cannot tie to this job's submission; not adopted",
				Data:    map[string]any{"upsampler_job_id": id}})
			return nil
		}
		if _, err := s.status(ctx, id); err != nil {
			return nil
		}
		if err := s.st.AdoptSubmission(ctx, store.HolderOf(j), id, store.EventInput{Actor: job.ActorUpsampler, Type: "submission_recovered",
			Message: "Upsampler's callback for this attempt named the job we had sent: no second submission",
			Data:    map[string]any{"upsampler_job_id": id}}); err != nil && !errors.Is(err, job.ErrStale) {
			return nil
		}
		// Adopted, or the worker recorded its submission meanwhile (the
		// callback can beat it): either way the row now names an upscale.
		if j, err = s.st.Get(ctx, cb.JobID); err != nil {
			return err
		}
	}
	if j.Status != job.StatusProcessing || j.UpsamplerJobID == nil || *j.UpsamplerJobID != id {
		if j.UpsamplerJobID != nil && *j.UpsamplerJobID != id {
			s.noteOnce(ctx, j.JobID, store.EventInput{Actor: job.ActorUpsampler, Type: "callback_other_upscale",
				Message: "a callback about another Upsampler job arrived; ignored", Data: map[string]any{"upsampler_job_id": id}})
		}
		return nil // a callback about an upscale we abandoned
	}
	s.pollOne(ctx, j)
	return nil
}

// callbackProven reports whether cb came through the URL we gave
// Upsampler with the submission of j's current attempt.
func (s *Service) callbackProven(j *job.Job, cb Callback) bool {
	if cb.Proof == "" || cb.Attempt != strconv.FormatInt(j.Fence, 10) {
		return false
	}
	want := s.callbackProof(j.JobID, j.Fence)
	return hmac.Equal([]byte(cb.Proof), []byte(want))
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
		h := store.HolderOf(j)
		var err error
		switch {
		case j.UpsamplerJobID != nil || j.UpscaledFilePath != nil:
			err = s.st.ReleaseLease(ctx, h, now, store.EventInput{Actor: job.ActorCron, Type: "rescued", Message: "worker lease expired; polling resumes"})
		case j.SubmittedAt != nil && now.Sub(*j.SubmittedAt) < s.cfg.UpscaleTimeout:
			err = s.st.WaitForCallback(ctx, h, j.SubmittedAt.Add(s.cfg.UpscaleTimeout), store.EventInput{Actor: job.ActorCron, Type: "in_doubt",
				Message: "worker died while submitting; waiting for Upsampler's callback before submitting again"})
		default:
			err = s.st.Resubmit(ctx, h, store.EventInput{Actor: job.ActorCron, Type: "resubmitting",
				Message: "no sign of the earlier submission within the timeout; queued again"})
		}
		if err == nil {
			n++
		} else {
			s.quietly("rescue", j.JobID, err)
		}
	}
	if n > 0 {
		s.notify()
	}
	return n, nil
}
