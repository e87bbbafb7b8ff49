package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/sellmyimages/smid/internal/failpoint"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale"
)

// finish completes a job whose upscale succeeded. Of every caller that
// learnt it is done (the worker, a callback and its duplicates, the
// poller), exactly one claims the result; it downloads the file under a
// name of its own attempt, records the file with the link derived for it,
// emails the link and completes the job. A crash at any point leaves the
// job processing with its progress: the lease runs out and the poller
// carries on from there, with the same link. No path deletes a file the
// row names.
func (s *Service) finish(ctx context.Context, j *job.Job, res upscale.Result) {
	if j.Status != job.StatusProcessing {
		return
	}
	if j.UpscaledFilePath != nil {
		s.deliver(ctx, j)
		return
	}
	h, err := s.st.ClaimResult(ctx, store.HolderOf(j), s.cfg.Owner, s.now().Add(s.cfg.Lease), true)
	if err != nil {
		s.quietly("claim the result", j.JobID, err)
		return
	}
	file, err := s.storeResult(ctx, j, h, res)
	if err != nil {
		s.deliveryProblem(ctx, j, h, "storing the upscaled file failed", err)
		return
	}
	tok := s.newDeliveryToken(j.JobID, h.Fence)
	ev := store.EventInput{Actor: job.ActorSystem, Type: "file_stored", Message: "upscaled file stored; download token issued",
		Data: map[string]any{"expires_at": tok.ExpiresAt.Format(time.RFC3339), "width": file.Width, "height": file.Height,
			"path": file.Path, "attempt": h.Fence}}
	if file.Credits != nil {
		ev.Data["credits"] = *file.Credits
	}
	if err := s.st.StoreResult(ctx, h, file, tok, ev); err != nil {
		// Not recorded: the file carries this attempt's name, so no row
		// names it, and it goes.
		if derr := s.files.Delete(file.Path); derr != nil {
			s.log.Warn("delete an unrecorded file", "job", j.JobID, "err", derr)
		}
		s.quietly("record file and token", j.JobID, err)
		return
	}
	j.UpscaledFilePath, j.OutputWidth, j.OutputHeight = &file.Path, &file.Width, &file.Height
	j.TokenSeq, j.DownloadExpiresAt = &tok.Seq, &tok.ExpiresAt
	failpointHit("after_file_recorded")
	s.sendDelivery(ctx, j, h)
}

// storeResult downloads the result into the file store under this
// attempt's name.
func (s *Service) storeResult(ctx context.Context, j *job.Job, h store.Holder, res upscale.Result) (store.StoredFile, error) {
	rc, _, err := s.up.Fetch(ctx, res)
	if err != nil {
		return store.StoredFile{}, err
	}
	defer rc.Close()
	rc = failpoint.Reader("during_result_download", rc)
	saved, err := s.files.Save(ctx, j.JobID, h.Fence, rc)
	if err != nil {
		return store.StoredFile{}, err
	}
	f := store.StoredFile{Path: saved.Path, Width: saved.Width, Height: saved.Height, UpscaledURL: res.ImageURL}
	credits := res.CreditCost
	if credits == 0 && j.CreditsUsed != nil {
		credits = *j.CreditsUsed
	}
	if credits > 0 || s.up.Name() == "local" {
		cost := s.pricing.CostOf(credits)
		f.Credits, f.Cost = &credits, &cost
	}
	return f, nil
}

// newDeliveryToken is the link of delivery seq, expiring after
// downloads.expiry.
func (s *Service) newDeliveryToken(jobID string, seq int64) store.DeliveryToken {
	_, digest := s.deliveryToken(jobID, seq)
	return store.DeliveryToken{Digest: digest, Seq: seq, ExpiresAt: s.now().Add(s.cfg.DownloadExpiry)}
}

// deliver takes up a job whose file is stored but whose email has not
// gone (a crash, or a mail server that refused it for now).
func (s *Service) deliver(ctx context.Context, j *job.Job) {
	h, err := s.st.ClaimResult(ctx, store.HolderOf(j), s.cfg.Owner, s.now().Add(s.cfg.Lease), false)
	if err != nil {
		s.quietly("claim the delivery", j.JobID, err)
		return
	}
	if j.TokenSeq == nil {
		// Stored by an older version with a random token: derive one now,
		// before the email, so a second send carries the same link.
		tok := s.newDeliveryToken(j.JobID, h.Fence)
		if err := s.st.SetDeliveryToken(ctx, h, tok, store.EventInput{Actor: job.ActorSystem, Type: "token_issued",
			Message: "download token issued", Data: map[string]any{"expires_at": tok.ExpiresAt.Format(time.RFC3339)}}); err != nil {
			s.quietly("issue a delivery token", j.JobID, err)
			return
		}
		j.TokenSeq, j.DownloadExpiresAt = &tok.Seq, &tok.ExpiresAt
	}
	s.sendDelivery(ctx, j, h)
}

// sendDelivery emails the link of the job's stored file and completes the
// job. The link is derived again from the job and its token_seq: an email
// sent twice (a crash between the send and its record) carries one link.
func (s *Service) sendDelivery(ctx context.Context, j *job.Job, h store.Holder) {
	token, _ := s.deliveryToken(j.JobID, *j.TokenSeq)
	expires := *j.DownloadExpiresAt
	sent := false
	var lastErr *string
	msg := "download ready and email sent"
	if j.Email != "" {
		err := s.mail.SendDelivery(ctx, s.delivery(j, token, expires))
		if err != nil {
			s.countMailErr(err)
		}
		switch {
		case err == nil:
			sent = true
		case mail.IsPermanent(err) || j.EmailAttempts+1 >= s.cfg.MaxEmailAttempts:
			// Completed without the email: the job is flagged (completed,
			// email not sent) and an admin can resend once the address
			// is fixed. Keeping it processing would hide it for ever.
			reason := "the delivery email could not be sent: " + describeErr(err)
			lastErr, msg = &reason, reason
		default:
			s.deliveryProblem(ctx, j, h, "sending the delivery email failed", err)
			return
		}
	} else {
		msg = "download ready; the job has no email address to send it to"
	}
	failpointHit("after_email_sent")
	if err := s.st.Complete(ctx, h, sent, lastErr, expires, store.EventInput{Actor: job.ActorSystem, Type: "completed", Message: msg,
		Data: map[string]any{"email_sent": sent, "attempt": h.Fence}}); err != nil {
		s.quietly("complete job", j.JobID, err)
	}
}

func (s *Service) delivery(j *job.Job, token string, expires time.Time) mail.Delivery {
	d := mail.Delivery{To: j.Email, JobID: j.JobID, DownloadURL: s.downloadURL(token), ExpiresAt: expires,
		Resolution: string(j.Resolution), SiteName: s.cfg.SiteName}
	if j.OutputWidth != nil && j.OutputHeight != nil {
		d.Width, d.Height = *j.OutputWidth, *j.OutputHeight
	}
	return d
}

// deliveryProblem records a failed delivery step on the job, visible to the
// admin, and schedules another try with backoff. Files the provider will
// never give us again (a permanent fetch failure, a bad type) fail the job.
func (s *Service) deliveryProblem(ctx context.Context, j *job.Job, h store.Holder, what string, err error) {
	if errors.Is(err, storage.ErrUnsupportedType) || errors.Is(err, storage.ErrTooLarge) || (isUpscaleErr(err) && !upscale.IsTransient(err)) {
		s.failHeld(ctx, h, what+": "+describeErr(err), job.ActorSystem)
		return
	}
	wait := backoff(j.EmailAttempts + 1)
	if aerr := s.st.DeliveryRetry(ctx, h, what+": "+describeErr(err), j.EmailAttempts+1, s.now().Add(wait),
		store.EventInput{Actor: job.ActorSystem, Type: "delivery_retry", Message: what + "; will retry: " + describeErr(err)}); aerr != nil {
		s.quietly("record delivery problem", j.JobID, aerr)
	}
}

// note adds an event to a job's history after the change it describes was
// made: a note that cannot be written is logged, the change stands.
func (s *Service) note(ctx context.Context, jobID string, ev store.EventInput) {
	if err := s.st.AddEvent(ctx, jobID, ev); err != nil {
		s.quietly("record event "+ev.Type, jobID, err)
	}
}

// noteOnce is note for what a caller from outside can repeat at will (a
// callback that proves nothing): the job's timeline says it once.
func (s *Service) noteOnce(ctx context.Context, jobID string, ev store.EventInput) {
	if err := s.st.AddEventOnce(ctx, jobID, ev); err != nil {
		s.quietly("record event "+ev.Type, jobID, err)
	}
}

// quietly logs a failed write unless it only says another actor holds
// the job (or moved it) first, which is how races end.
func (s *Service) quietly(what, jobID string, err error) {
	if errors.Is(err, job.ErrConflict) || errors.Is(err, job.ErrStale) || errors.Is(err, errNoChange) {
		return
	}
	s.log.Error(what, "job", jobID, "err", err)
}

func isUpscaleErr(err error) bool {
	var e *upscale.Error
	return errors.As(err, &e)
}
