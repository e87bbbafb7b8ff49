package pipeline

import (
	"context"
	"errors"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// QueueResult says what a payment-completed call or a retry did.
type QueueResult struct {
	JobID           string     `json:"job_id"`
	Status          job.Status `json:"status"`
	Queued          bool       `json:"queued"`
	CreditsEstimate int        `json:"credits_estimate"`
	Message         string     `json:"message"`
}

// RequeueOptions say how far an admin retry may go.
type RequeueOptions struct {
	// Force re-queues even while an upscale looks alive.
	Force bool
	// AllowUnpaid re-queues a job that was never paid or was refunded: the
	// admin gives the work away knowingly.
	AllowUnpaid bool
	Reason      string
}

// PaymentCompleted is where WordPress's smi_payment_completed action lands.
// A paid job is queued; a job not paid is refused unless adminOverride,
// which re-queues any job not being upscaled right now. Called twice, it
// queues once: the second call finds the job pending and says so.
func (s *Service) PaymentCompleted(ctx context.Context, jobID string, adminOverride bool, actor job.Actor) (*QueueResult, error) {
	if adminOverride {
		return s.Requeue(ctx, jobID, actor, RequeueOptions{AllowUnpaid: true, Reason: "smi_payment_completed with admin_override"})
	}
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	switch j.Status {
	case job.StatusPending:
		return s.result(j, false, "already queued for upscaling"), nil
	case job.StatusProcessing:
		return s.result(j, false, "already being upscaled"), nil
	case job.StatusCompleted, job.StatusFailed:
		return nil, job.Errorf(job.EConflict, "the job is already %s; pass admin_override to run it again", j.Status)
	}
	if !j.PaymentStatus.Captured() && j.StripeCheckoutSessionID != nil {
		// The webhook may be late or lost: ask Stripe before refusing.
		if sess, err := s.pay.GetCheckoutSession(ctx, *j.StripeCheckoutSessionID); err == nil && sess.PaymentStatus == "paid" {
			queued, err := s.markPaid(ctx, jobID, sess, actor)
			if err != nil {
				return nil, err
			}
			j, err = s.st.Get(ctx, jobID)
			if err != nil {
				return nil, err
			}
			if !queued {
				// A concurrent call (or the webhook) queued it first.
				return s.result(j, false, "already queued for upscaling"), nil
			}
			return s.result(j, true, "payment confirmed with Stripe; queued for upscaling"), nil
		}
	}
	if !j.PaymentStatus.Captured() {
		return nil, job.Errorf(job.EConflict, "the job is not paid (payment status %s); pass admin_override to process it anyway", j.PaymentStatus)
	}
	// Paid but not queued (abandoned by the clock before the money came).
	return s.Requeue(ctx, jobID, actor, RequeueOptions{Reason: "payment completed"})
}

// Requeue puts a job back in the queue for upscaling: from failed, pending,
// completed (the file is made again), abandoned or awaiting payment (only
// with AllowUnpaid), or processing when its upscale is known to be dead.
func (s *Service) Requeue(ctx context.Context, jobID string, actor job.Actor, opt RequeueOptions) (*QueueResult, error) {
	now := s.now()
	var from job.Status
	var prevUpsampler, prevFile *string
	// A refund still waiting for Stripe's answer would land after the job
	// is queued again: the work would be redone and refunded too.
	// Claim moves the fence on: whatever still runs of the previous
	// attempt (a slow download, a late callback) can no longer write.
	_, err := s.st.Apply(ctx, store.Change{JobID: jobID, To: job.StatusPending, NoRefundInFlight: true, Claim: true,
		Check: func(cur *job.Job, set store.Set) error {
			from, prevUpsampler, prevFile = cur.Status, cur.UpsamplerJobID, cur.UpscaledFilePath
			if cur.Status == job.StatusPending && cur.DueAt != nil {
				return errNoChange
			}
			// The rulebook says what a retry of this job needs; the admin
			// must have chosen it.
			for _, need := range job.RetryVerdict(cur, s.facts(cur, nil)).Requires {
				switch {
				case need == "force" && !opt.Force:
					started := "recently"
					if cur.ProcessingStartedAt != nil {
						started = cur.ProcessingStartedAt.Format("15:04:05 MST")
					}
					return job.Errorf(job.EConflict, "an upscale is running for this job (started %s); wait for it, or pass force to start another", started)
				case need == "allow_unpaid" && !opt.AllowUnpaid && cur.PaymentStatus == job.PaymentRefunded:
					return job.Errorf(job.EConflict, "the job was refunded; retry it with allow_unpaid (on the Jobs page: \"even if refunded\") to make it anyway — the work is given away")
				case need == "allow_unpaid" && !opt.AllowUnpaid:
					return job.Errorf(job.EConflict, "the job is not paid (payment status %s); retry it with allow_unpaid (on the Jobs page: \"even if refunded\") to make it anyway", cur.PaymentStatus)
				}
			}
			set["due_at"] = now
			set["attempts"] = 0
			set["last_error"] = nil
			set["submitted_at"] = nil
			set["lease_owner"] = nil
			set["lease_expires_at"] = nil
			set["upsampler_job_id"] = nil
			set["upscaled_url"] = nil
			set["upscaled_file_path"] = nil
			set["failed_at"] = nil
			set["email_attempts"] = 0
			set["next_download_token"] = nil
			set["next_download_expires_at"] = nil
			set["next_token_seq"] = nil
			return nil
		},
		Event: store.EventInput{Actor: actor, Type: "requeued", Message: "queued for upscaling again: " + opt.Reason,
			Data: map[string]any{"force": opt.Force, "allow_unpaid": opt.AllowUnpaid}},
	})
	if errors.Is(err, errNoChange) {
		j, gerr := s.st.Get(ctx, jobID)
		if gerr != nil {
			return nil, gerr
		}
		return s.result(j, false, "already queued for upscaling"), nil
	}
	if err != nil {
		return nil, err
	}
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if prevFile != nil {
		// The job is being made again under a new file name (the fence is
		// in it); the row no longer names the old file, so nothing else
		// would ever delete it. A crash just here leaves it behind.
		if err := s.files.Delete(*prevFile); err != nil {
			s.quietly("delete the previous attempt's file", jobID, err)
		}
	}
	if prevUpsampler != nil {
		s.note(ctx, jobID, store.EventInput{Actor: actor, Type: "note", Message: "previous Upsampler job " + *prevUpsampler + " abandoned",
			Data: map[string]any{"upsampler_job_id": *prevUpsampler, "from": string(from)}})
	}
	s.notify()
	return s.result(j, true, "queued for upscaling"), nil
}

func (s *Service) result(j *job.Job, queued bool, msg string) *QueueResult {
	return &QueueResult{JobID: j.JobID, Status: j.Status, Queued: queued, CreditsEstimate: s.pricing.CreditsFor(j), Message: msg}
}
