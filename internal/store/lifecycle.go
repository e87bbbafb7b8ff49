package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// The named lifecycle writes of a job being made. Each is one conditional
// change of the row plus its event; each is fenced: it applies only while
// the job still carries the fence its caller was given, so a worker, a
// poller or a callback that lost the job to another changes nothing.

// Holder is who may write a job now: its id and the fence it was given.
type Holder struct {
	JobID string
	Fence int64
	// What the holder read of the row: its payment status (the counters
	// need it when the status moves) and its creation time. Known, they
	// let a write skip the locking read (applyFenced).
	payment job.PaymentStatus
	created time.Time
}

// HolderOf is the holder of j as it was read.
func HolderOf(j *job.Job) Holder {
	return Holder{JobID: j.JobID, Fence: j.Fence, payment: j.PaymentStatus, created: j.CreatedAt}
}

func (h Holder) change(from job.Status, to job.Status, set Set, ev EventInput) Change {
	f := h.Fence
	return Change{JobID: h.JobID, From: []job.Status{from}, To: to, Fence: &f, Set: set, Event: ev}
}

// Submission is what the provider answered to a submission.
type Submission struct {
	UpsamplerJobID string
	Credits        int
	// PollAt is when to ask about it first.
	PollAt time.Time
}

// RecordSubmission records what the provider answered and gives up the
// worker's lease: from now on the poller and callbacks carry the job.
func (s *DB) RecordSubmission(ctx context.Context, h Holder, sub Submission, ev EventInput) error {
	set := Set{"upsampler_job_id": sub.UpsamplerJobID, "lease_owner": nil, "lease_expires_at": nil, "due_at": sub.PollAt}
	if sub.Credits > 0 {
		set["credits_used"] = sub.Credits
	}
	return s.applyFenced(ctx, h, job.StatusProcessing, "", set, ev)
}

// ScheduleResubmit puts a job whose submission failed transiently back in
// the queue, due at dueAt.
func (s *DB) ScheduleResubmit(ctx context.Context, h Holder, dueAt time.Time, lastError string, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, job.StatusPending, Set{"due_at": dueAt, "last_error": lastError,
		"lease_owner": nil, "lease_expires_at": nil, "submitted_at": nil}, ev))
	return err
}

// Unclaim gives back a job claimed in a batch but never sent, because its
// worker is stopping: pending and due again, its attempt not counted.
func (s *DB) Unclaim(ctx context.Context, h Holder, attempts int, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, job.StatusPending, Set{"due_at": s.Now(), "attempts": max(attempts-1, 0),
		"lease_owner": nil, "lease_expires_at": nil, "submitted_at": nil}, ev))
	return err
}

// PollLater makes a processing job due for its next status check.
func (s *DB) PollLater(ctx context.Context, h Holder, at time.Time) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, "", Set{"due_at": at}, EventInput{}))
	return err
}

// ClaimResult takes the finishing of a processing job: of every callback,
// duplicate and poller that learnt the upscale is done, exactly one gets
// the job, under a lease until until, with a new fence. The others get
// job.ErrStale or job.ErrConflict and do nothing. wantFile says whether
// the claim is for storing the result (no file yet) or for delivering a
// stored one.
func (s *DB) ClaimResult(ctx context.Context, h Holder, owner string, until time.Time, wantFile bool) (Holder, error) {
	now := s.Now()
	next := h
	next.Fence++
	// One statement when the row is as expected: no event and no status
	// move, so the conditional UPDATE alone is the whole change.
	fileCond := "upscaled_file_path IS NULL"
	if !wantFile {
		fileCond = "upscaled_file_path IS NOT NULL"
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE {jobs} SET updated_at = ?, fence = fence + 1, lease_owner = ?,
		lease_expires_at = ?, due_at = ? WHERE job_id = ? AND status = 'processing' AND fence = ?
		AND (lease_expires_at IS NULL OR lease_expires_at <= ?) AND `+fileCond), now, owner, until.UTC(), until.UTC(), h.JobID, h.Fence, now)
	if err != nil {
		return Holder{}, fmt.Errorf("claim result: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return next, nil
	}
	// Refused: the locking path says why (or, in a race that ended
	// meanwhile, takes it).
	f := h.Fence
	ch := Change{JobID: h.JobID, From: []job.Status{job.StatusProcessing}, Fence: &f, Claim: true,
		Set: Set{"lease_owner": owner, "lease_expires_at": until, "due_at": until},
		Check: func(cur *job.Job, _ Set) error {
			if cur.LeaseExpiresAt != nil && cur.LeaseExpiresAt.After(now) {
				return job.ErrStale // another finisher holds it
			}
			if (cur.UpscaledFilePath != nil) != !wantFile {
				return job.ErrStale // someone stored the result meanwhile
			}
			return nil
		}}
	if _, err := s.Apply(ctx, ch); err != nil {
		return Holder{}, err
	}
	return next, nil
}

// StoredFile is the upscaled file of one attempt, as stored.
type StoredFile struct {
	Path          string
	Width, Height int
	UpscaledURL   string
	// Credits and Cost are recorded when known (Cost with Credits).
	Credits *int
	Cost    *job.Money
}

// DeliveryToken is a download link as the database keeps it: the digest
// of the token, what it was derived from, and its expiry.
type DeliveryToken struct {
	Digest    string
	Seq       int64
	ExpiresAt time.Time
}

// StoreResult records the stored file and the download token derived for
// it, in one change. It fails with job.ErrStale when the caller no longer
// holds the job; the caller then deletes its own file, which no row names.
func (s *DB) StoreResult(ctx context.Context, h Holder, f StoredFile, t DeliveryToken, ev EventInput) error {
	set := Set{"upscaled_file_path": f.Path, "output_width": f.Width, "output_height": f.Height,
		"download_token": t.Digest, "token_seq": t.Seq, "download_expires_at": t.ExpiresAt}
	if f.UpscaledURL != "" {
		set["upscaled_url"] = f.UpscaledURL
	}
	if f.Credits != nil {
		set["credits_used"] = *f.Credits
		set["amount_cost"] = f.Cost
	}
	return s.applyFenced(ctx, h, job.StatusProcessing, "", set, ev)
}

// SetDeliveryToken records a derived token for a stored file that has
// none yet (a file stored by an older version, with a random token).
func (s *DB) SetDeliveryToken(ctx context.Context, h Holder, t DeliveryToken, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, "", Set{"download_token": t.Digest, "token_seq": t.Seq,
		"download_expires_at": t.ExpiresAt}, ev))
	return err
}

// Complete marks the job completed once its link was emailed (emailSent)
// or could not be: the customer's address refused it for good, or there
// is none. nextDue is when the expiry sweep next looks at it.
func (s *DB) Complete(ctx context.Context, h Holder, emailSent bool, lastError *string, nextDue time.Time, ev EventInput) error {
	return s.applyFenced(ctx, h, job.StatusProcessing, job.StatusCompleted, Set{"completed_at": s.Now(), "email_sent": emailSent,
		"last_error": lastError, "due_at": nextDue, "lease_owner": nil, "lease_expires_at": nil}, ev)
}

// DeliveryRetry records a failed step of a delivery and when to try again.
func (s *DB) DeliveryRetry(ctx context.Context, h Holder, lastError string, emailAttempts int, at time.Time, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, "", Set{"last_error": lastError, "email_attempts": emailAttempts,
		"due_at": at, "lease_owner": nil, "lease_expires_at": nil}, ev))
	return err
}

// ReleaseLease hands a processing job whose holder died back to the
// poller (due at), or, when its submission is in doubt, keeps it waiting
// for the provider's callback until until.
func (s *DB) ReleaseLease(ctx context.Context, h Holder, at time.Time, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, "", Set{"lease_owner": nil, "lease_expires_at": nil, "due_at": at}, ev))
	return err
}

// WaitForCallback keeps a job whose submission is in doubt leased until
// until: the provider's callback, naming our job, may still prove it.
func (s *DB) WaitForCallback(ctx context.Context, h Holder, until time.Time, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, "", Set{"lease_expires_at": until}, ev))
	return err
}

// Resubmit queues a job whose earlier submission left no trace within the
// timeout.
func (s *DB) Resubmit(ctx context.Context, h Holder, ev EventInput) error {
	_, err := s.Apply(ctx, h.change(job.StatusProcessing, job.StatusPending, Set{"lease_owner": nil, "lease_expires_at": nil,
		"submitted_at": nil, "due_at": s.Now()}, ev))
	return err
}

// AdoptSubmission records the provider id a callback proved to be ours,
// when a crash lost our own record of the submission.
func (s *DB) AdoptSubmission(ctx context.Context, h Holder, upsamplerJobID string, ev EventInput) error {
	f := h.Fence
	_, err := s.Apply(ctx, Change{JobID: h.JobID, From: []job.Status{job.StatusProcessing}, Fence: &f,
		Check: func(cur *job.Job, _ Set) error {
			if cur.UpsamplerJobID != nil {
				return job.ErrStale
			}
			return nil
		},
		Set: Set{"upsampler_job_id": upsamplerJobID, "lease_owner": nil, "lease_expires_at": nil, "due_at": s.Now()}, Event: ev})
	return err
}

// MakeDue asks the poller to look at a processing job now (a callback
// came while every handler was busy).
func (s *DB) MakeDue(ctx context.Context, jobID string) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, From: []job.Status{job.StatusProcessing}, Set: Set{"due_at": s.Now()}})
	return err
}

// RecordProblem shows a problem on the job (last_error) without moving it.
func (s *DB) RecordProblem(ctx context.Context, jobID, problem string) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, Set: Set{"last_error": problem}})
	return err
}

// OverrideStatus is an admin's move of a job along the override table
// (awaiting_payment → abandoned); the store refuses any other.
func (s *DB) OverrideStatus(ctx context.Context, jobID string, from, to job.Status, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, From: []job.Status{from}, To: to, Override: true, Event: ev})
	return err
}

// CountDownload counts a download of a completed job by the link with
// this digest (current, or staged while its email goes), with the
// client's address on the event. A link replaced meanwhile is gone.
func (s *DB) CountDownload(ctx context.Context, jobID, digest string, ev EventInput, gone error) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, From: []job.Status{job.StatusCompleted},
		Check: func(cur *job.Job, set Set) error {
			if (cur.DownloadTokenDigest == nil || *cur.DownloadTokenDigest != digest) && (cur.NextTokenDigest == nil || *cur.NextTokenDigest != digest) {
				return gone
			}
			set["download_count"] = cur.DownloadCount + 1
			return nil
		}, Event: ev})
	return err
}
