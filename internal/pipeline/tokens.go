package pipeline

import (
	"context"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// TokenResult is a freshly issued download link, shown once.
type TokenResult struct {
	JobID       string     `json:"job_id"`
	DownloadURL string     `json:"download_url"`
	ExpiresAt   time.Time  `json:"expires_at"`
	EmailSent   bool       `json:"email_sent"`
	From        job.Status `json:"-"`
}

// TokenRequest says how to issue a token.
type TokenRequest struct {
	JobID string
	// TTL is how long the link works; 0 means downloads.expiry. Ignored
	// with KeepExpiry.
	TTL time.Duration
	// KeepExpiry resends the current link (resending the email).
	KeepExpiry bool
	SendEmail  bool
	// FromFailed completes a failed job whose file exists (an admin override).
	FromFailed bool
	Actor      job.Actor
	Reason     string
	EventType  string
}

// IssueToken sends or replaces a job's download link. Resending the email
// carries the link the customer already has (it is derived again, not
// replaced). A new link is staged first: it works beside the old one
// until the mail server has accepted the email carrying it, and only then
// replaces it, so no link a customer holds dies before its successor is
// on its way. The job must have its file and must not be fully refunded.
func (s *Service) IssueToken(ctx context.Context, rq TokenRequest) (*TokenResult, error) {
	now := s.now()
	expires := now.Add(s.cfg.DownloadExpiry)
	if rq.TTL > 0 {
		expires = now.Add(rq.TTL)
	}
	cur, err := s.st.Get(ctx, rq.JobID)
	if err != nil {
		return nil, err
	}
	if err := s.tokenAllowed(cur, rq); err != nil {
		return nil, err
	}
	if rq.KeepExpiry && cur.TokenSeq != nil {
		return s.resendLink(ctx, cur, rq)
	}
	var to job.Status
	if rq.FromFailed {
		to = job.StatusCompleted
	}
	staged, err := s.st.StageToken(ctx, store.StageToken{JobID: rq.JobID, From: cur.Status, To: to,
		Expires: func(j *job.Job) time.Time {
			if rq.KeepExpiry && j.DownloadExpiresAt != nil {
				return *j.DownloadExpiresAt
			}
			return expires
		},
		Digest: func(seq int64) string { _, d := s.deliveryToken(rq.JobID, seq); return d },
		Check:  func(j *job.Job) error { return s.tokenAllowed(j, rq) },
		Event: store.EventInput{Actor: rq.Actor, Type: rq.EventType, Message: rq.Reason,
			Data: map[string]any{"send_email": rq.SendEmail}}})
	if err != nil {
		return nil, err
	}
	token, _ := s.deliveryToken(rq.JobID, staged.Seq)
	res := &TokenResult{JobID: rq.JobID, DownloadURL: s.downloadURL(token), ExpiresAt: staged.ExpiresAt, From: cur.Status}
	if rq.SendEmail {
		if err := s.mail.SendDelivery(ctx, s.delivery(staged.Job, token, staged.ExpiresAt)); err != nil {
			s.countMailErr(err)
			// The old link keeps working; the staged one goes.
			if derr := s.st.DropStagedToken(ctx, rq.JobID, staged.Seq, store.EventInput{Actor: rq.Actor, Type: "email_failed",
				Message: "email failed; the new link was withdrawn and the old one still works: " + describeErr(err)}); derr != nil {
				s.quietly("withdraw a staged link", rq.JobID, derr)
			}
			return nil, job.Errorf(job.EBadGateway, "the email failed, so the link was not replaced: %v", describeErr(err))
		}
		res.EmailSent = true
	}
	if err := s.st.PromoteToken(ctx, rq.JobID, staged.Seq, rq.SendEmail, store.EventInput{Actor: rq.Actor, Type: "token_replaced",
		Message: "the new download link replaced the old one", Data: map[string]any{"expires_at": staged.ExpiresAt.Format(time.RFC3339), "email_sent": rq.SendEmail}}); err != nil {
		return res, err
	}
	return res, nil
}

// resendLink emails the link the customer already has again.
func (s *Service) resendLink(ctx context.Context, j *job.Job, rq TokenRequest) (*TokenResult, error) {
	token, _ := s.deliveryToken(j.JobID, *j.TokenSeq)
	res := &TokenResult{JobID: j.JobID, DownloadURL: s.downloadURL(token), ExpiresAt: *j.DownloadExpiresAt, From: j.Status}
	if err := s.mail.SendDelivery(ctx, s.delivery(j, token, *j.DownloadExpiresAt)); err != nil {
		s.countMailErr(err)
		s.note(ctx, j.JobID, store.EventInput{Actor: rq.Actor, Type: "email_failed", Message: "email failed: " + describeErr(err)})
		return nil, job.Errorf(job.EBadGateway, "the email failed: %v", describeErr(err))
	}
	res.EmailSent = true
	if err := s.st.MarkEmailSent(ctx, j.JobID, store.EventInput{Actor: rq.Actor, Type: rq.EventType, Message: rq.Reason + "; delivery email sent to " + j.Email}); err != nil {
		return res, err
	}
	return res, nil
}

// tokenAllowed is the rulebook's verdict on issuing a link for j, with
// the checks only the pipeline can make (the file is really there).
func (s *Service) tokenAllowed(cur *job.Job, rq TokenRequest) error {
	f := s.facts(cur, nil)
	if rq.FromFailed {
		if cur.Status != job.StatusFailed {
			return job.Errorf(job.EConflict, "the job is %s now, no longer failed; reload it", cur.Status)
		}
		if cur.UpscaledFilePath == nil {
			return job.Errorf(job.EConflict, "the job has no stored file (deleted after the retention period, or never made); retry the upscaling instead")
		}
	} else {
		v := job.TokenVerdict(cur, f)
		if rq.KeepExpiry {
			v = job.ResendVerdict(cur, f)
		}
		if !v.Allowed {
			return job.Errorf(job.EConflict, "%s", v.Reason)
		}
	}
	if rq.SendEmail && cur.Email == "" {
		return job.Errorf(job.EConflict, "the job has no email address to send the link to; regenerate the token without send_email and pass the link on")
	}
	file, _, err := s.files.Open(*cur.UpscaledFilePath)
	if err != nil {
		return job.Errorf(job.EConflict, "the job's file is missing on disk; retry the upscaling instead")
	}
	_ = file.Close() // opened only to see it is there
	return nil
}

// facts gathers what the rulebook needs beside the row.
func (s *Service) facts(_ *job.Job, refunds []store.Refund) job.Facts {
	f := job.Facts{Now: s.cfg.Now(), UpscaleTimeout: s.cfg.UpscaleTimeout, RevokeOnFullRefund: s.cfg.RevokeOnFullRefund}
	for _, r := range refunds {
		if job.RefundHoldsMoney(r.Status) {
			f.Refunded += r.Amount
		}
		if r.Status == "pending" && r.StripeRefundID == nil {
			f.RefundInFlight = true
		}
	}
	return f
}
