package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale"
)

// finish completes a job whose upscale succeeded: store the file, issue a
// token, email the link, then mark it completed. The file and the token
// are recorded together, then the email goes, then the job is completed:
// a failure leaves the job processing with its progress, and the poller
// takes it up again from there. A job is never completed without its file.
// j is the job as the caller last read it; every write below is
// conditional on it still being processing.
func (s *Service) finish(ctx context.Context, j *job.Job, res upscale.Result) {
	if j.Status != job.StatusProcessing {
		return
	}
	var file store.Set
	var err error
	if j.UpscaledFilePath == nil {
		if file, err = s.storeResult(ctx, j, res); err != nil {
			s.deliveryProblem(ctx, j, "storing the upscaled file failed", err)
			return
		}
		applyFile(j, file)
	}
	s.deliverWith(ctx, j, file)
}

// storeResult downloads the result into the file store and returns the
// columns that record it.
func (s *Service) storeResult(ctx context.Context, j *job.Job, res upscale.Result) (store.Set, error) {
	rc, _, err := s.up.Fetch(ctx, res)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	saved, err := s.files.Save(ctx, j.JobID, rc)
	if err != nil {
		return nil, err
	}
	set := store.Set{"upscaled_file_path": saved.Path, "output_width": saved.Width, "output_height": saved.Height}
	if res.ImageURL != "" {
		set["upscaled_url"] = res.ImageURL
	}
	credits := res.CreditCost
	if credits == 0 && j.CreditsUsed != nil {
		credits = *j.CreditsUsed
	}
	if credits > 0 || s.up.Name() == "local" {
		set["credits_used"] = credits
		set["amount_cost"] = s.pricing.CostOf(credits)
	}
	return set, nil
}

// applyFile mirrors the stored file's columns onto j (for the email).
func applyFile(j *job.Job, set store.Set) {
	p, _ := set["upscaled_file_path"].(string)
	w, _ := set["output_width"].(int)
	h, _ := set["output_height"].(int)
	j.UpscaledFilePath, j.OutputWidth, j.OutputHeight = &p, &w, &h
}

// deliver issues a fresh token, emails it and completes the job.
func (s *Service) deliver(ctx context.Context, j *job.Job) { s.deliverWith(ctx, j, nil) }

// deliverWith records file (when the file was just stored) with a fresh
// token in one change, emails the link and completes the job. The token
// exists in clear only in memory and in the email; a crash before the
// email means a new token on the next try.
func (s *Service) deliverWith(ctx context.Context, j *job.Job, file store.Set) {
	token, digest := newToken()
	now := s.now()
	expires := now.Add(s.cfg.DownloadExpiry)
	set := store.Set{"download_token": digest, "download_expires_at": expires}
	ev := store.EventInput{Actor: job.ActorSystem, Type: "token_issued", Message: "download token issued",
		Data: map[string]any{"expires_at": expires.Format(time.RFC3339)}}
	if file != nil {
		for k, v := range file {
			set[k] = v
		}
		ev.Type, ev.Message = "file_stored", "upscaled file stored; download token issued"
		ev.Data["width"], ev.Data["height"], ev.Data["path"] = file["output_width"], file["output_height"], file["upscaled_file_path"]
		if c, ok := file["credits_used"]; ok {
			ev.Data["credits"] = c
		}
	}
	if _, err := s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing}, Set: set, Event: ev}); err != nil {
		if file != nil {
			s.files.Delete(file["upscaled_file_path"].(string))
		}
		if !errors.Is(err, job.ErrConflict) {
			s.log.Error("record file and token", "job", j.JobID, "err", err)
		}
		return
	}
	sent := false
	if j.Email != "" {
		if err := s.mail.SendDelivery(ctx, s.delivery(j, token, expires)); err != nil {
			s.countMailErr(err)
			s.deliveryProblem(ctx, j, "sending the delivery email failed", err)
			return
		}
		sent = true
	}
	msg := "download ready and email sent"
	if !sent {
		msg = "download ready; the job has no email address to send it to"
	}
	_, err := s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing}, To: job.StatusCompleted,
		Set: store.Set{"completed_at": now, "email_sent": sent, "last_error": nil, "due_at": expires,
			"lease_owner": nil, "lease_expires_at": nil},
		Event: store.EventInput{Actor: job.ActorSystem, Type: "completed", Message: msg}})
	if err != nil && !errors.Is(err, job.ErrConflict) {
		s.log.Error("complete job", "job", j.JobID, "err", err)
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
func (s *Service) deliveryProblem(ctx context.Context, j *job.Job, what string, err error) {
	if errors.Is(err, storage.ErrUnsupportedType) || errors.Is(err, storage.ErrTooLarge) || (isUpscaleErr(err) && !upscale.IsTransient(err)) {
		s.Fail(ctx, j.JobID, what+": "+describeErr(err), job.ActorSystem)
		return
	}
	wait := backoff(j.EmailAttempts + 1)
	_, aerr := s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusProcessing},
		Set: store.Set{"last_error": what + ": " + describeErr(err), "email_attempts": j.EmailAttempts + 1,
			"due_at": s.now().Add(wait), "lease_owner": nil, "lease_expires_at": nil},
		Event: store.EventInput{Actor: job.ActorSystem, Type: "delivery_retry", Message: what + "; will retry: " + describeErr(err)}})
	if aerr != nil {
		s.log.Error("record delivery problem", "job", j.JobID, "err", aerr)
	}
}

func isUpscaleErr(err error) bool {
	var e *upscale.Error
	return errors.As(err, &e)
}
