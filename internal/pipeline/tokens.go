package pipeline

import (
	"context"
	"errors"
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
	// KeepExpiry keeps the current expiry (resending the email).
	KeepExpiry bool
	SendEmail  bool
	// FromFailed completes a failed job whose file exists (an admin override).
	FromFailed bool
	Actor      job.Actor
	Reason     string
	EventType  string
}

// IssueToken replaces a job's download token: the old link stops working
// at once. The job must have its file and must not be fully refunded. The
// new link exists in clear only in the answer and the email.
func (s *Service) IssueToken(ctx context.Context, rq TokenRequest) (*TokenResult, error) {
	token, digest := newToken()
	now := s.now()
	expires := now.Add(max(rq.TTL, 0))
	if rq.TTL == 0 {
		expires = now.Add(s.cfg.DownloadExpiry)
	}
	from := job.StatusCompleted
	var to job.Status
	if rq.FromFailed {
		from, to = job.StatusFailed, job.StatusCompleted
	}
	var email string
	var cur0 *job.Job
	_, err := s.st.Apply(ctx, store.Change{JobID: rq.JobID, To: to,
		Check: func(cur *job.Job, set store.Set) error {
			cur0 = cur
			// Checked here rather than with From, so the refusal says why
			// instead of "the job changed meanwhile".
			if cur.Status != from {
				if rq.FromFailed {
					return job.Errorf(job.EConflict, "the job is %s now, no longer failed; reload it", cur.Status)
				}
				return job.Errorf(job.EConflict, "the job is %s: only a completed job has a download link", cur.Status)
			}
			if s.cfg.RevokeOnFullRefund && cur.DownloadRevoked() {
				return job.Errorf(job.EConflict, "the job was fully refunded; its download stays revoked (retry the upscaling with allow_unpaid to give it away)")
			}
			if cur.UpscaledFilePath == nil {
				return job.Errorf(job.EConflict, "the job has no stored file (deleted after the retention period, or never made); retry the upscaling instead")
			}
			f, _, err := s.files.Open(*cur.UpscaledFilePath)
			if err != nil {
				return job.Errorf(job.EConflict, "the job's file is missing on disk; retry the upscaling instead")
			}
			f.Close()
			if rq.SendEmail && cur.Email == "" {
				// Refused before the token moves: replacing it would break
				// the link the customer has, with no email to bring the new one.
				return job.Errorf(job.EConflict, "the job has no email address to send the link to; regenerate the token without send_email and pass the link on")
			}
			if rq.KeepExpiry {
				if cur.TokenStateAt(s.cfg.Now()) != job.TokenActive {
					return job.Errorf(job.EConflict, "the download link has expired or was revoked; regenerate the token first (it can email the new link)")
				}
				expires = *cur.DownloadExpiresAt
			}
			set["download_token"] = digest
			set["download_expires_at"] = expires
			set["due_at"] = expires
			if rq.FromFailed {
				set["completed_at"] = now
				set["last_error"] = nil
			}
			email = cur.Email
			return nil
		},
		Event: store.EventInput{Actor: rq.Actor, Type: rq.EventType, Message: rq.Reason,
			Data: map[string]any{"expires_at": expires.Format(time.RFC3339), "send_email": rq.SendEmail}}})
	if err != nil {
		return nil, err
	}
	res := &TokenResult{JobID: rq.JobID, DownloadURL: s.downloadURL(token), ExpiresAt: expires}
	if cur0 != nil {
		res.From = cur0.Status
	}
	if rq.SendEmail {
		j, err := s.st.Get(ctx, rq.JobID)
		if err != nil {
			return res, err
		}
		if err := s.mail.SendDelivery(ctx, s.delivery(j, token, expires)); err != nil {
			s.countMailErr(err)
			s.st.AddEvent(ctx, rq.JobID, store.EventInput{Actor: rq.Actor, Type: "email_failed", Message: "email failed: " + describeErr(err)})
			return res, job.Errorf(job.EBadGateway, "the new link was issued but the email failed: %v", describeErr(err))
		}
		res.EmailSent = true
		s.st.Apply(ctx, store.Change{JobID: rq.JobID, Set: store.Set{"email_sent": true},
			Event: store.EventInput{Actor: rq.Actor, Type: "email_sent", Message: "delivery email sent to " + email}})
	}
	return res, nil
}

// ReconcileResult lists what reconciling with Stripe repaired.
type ReconcileResult struct {
	JobID   string   `json:"job_id"`
	Changes []string `json:"changes"`
}

// Reconcile fetches the job's Checkout Session, PaymentIntent and refunds
// from Stripe and repairs the local payment and refund state (a webhook
// that never came).
func (s *Service) Reconcile(ctx context.Context, jobID string, actor job.Actor) (*ReconcileResult, error) {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	res := &ReconcileResult{JobID: jobID, Changes: []string{}}
	pi := ""
	if j.StripePaymentIntentID != nil {
		pi = *j.StripePaymentIntentID
	}
	if j.StripeCheckoutSessionID != nil {
		sess, err := s.pay.GetCheckoutSession(ctx, *j.StripeCheckoutSessionID)
		if err != nil {
			return nil, stripeErr(err)
		}
		if sess.PaymentIntentID != "" {
			pi = sess.PaymentIntentID
		}
		switch {
		case (sess.PaymentStatus == "paid" || sess.PaymentStatus == "no_payment_required") && !j.PaymentStatus.Captured():
			if err := s.markPaid(ctx, jobID, sess, actor); err != nil {
				return nil, err
			}
			res.Changes = append(res.Changes, "payment confirmed by Stripe was recorded; the job is queued")
		case sess.Status == "expired" && j.Status == job.StatusAwaitingPayment:
			changed, err := s.apply(ctx, store.Change{JobID: jobID, From: []job.Status{job.StatusAwaitingPayment}, To: job.StatusAbandoned,
				Event: store.EventInput{Actor: actor, Type: "reconciled", Message: "Stripe says the checkout expired unpaid"}})
			if err != nil {
				return nil, err
			}
			if changed {
				res.Changes = append(res.Changes, "the checkout expired unpaid: job abandoned")
			}
		}
	}
	if pi != "" {
		list, err := s.pay.ListRefunds(ctx, pi)
		if err != nil {
			return nil, stripeErr(err)
		}
		changed, err := s.st.SyncStripeRefunds(ctx, jobID, toStoreRefunds(list), store.SyncOptions{RevokeOnFull: s.cfg.RevokeOnFullRefund,
			Event: store.EventInput{Actor: actor, Type: "reconciled", Message: "refund history brought in line with Stripe"}})
		if err != nil && !errors.Is(err, job.ErrConflict) {
			return nil, err
		}
		if changed {
			res.Changes = append(res.Changes, "refund history brought in line with Stripe")
		}
	}
	if len(res.Changes) == 0 {
		s.st.AddEvent(ctx, jobID, store.EventInput{Actor: actor, Type: "reconciled", Message: "checked with Stripe: nothing to repair"})
	}
	return res, nil
}

// ReconcileRecent reconciles recent jobs whose state looks inconsistent
// with Stripe: awaiting payment for more than ten minutes (a lost
// checkout.session.completed). Cron runs it.
func (s *Service) ReconcileRecent(ctx context.Context) (int, error) {
	now := s.now()
	jobs, err := s.st.CreatedBetween(ctx, []job.Status{job.StatusAwaitingPayment}, now.Add(-48*time.Hour), now.Add(-10*time.Minute), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		r, err := s.Reconcile(ctx, j.JobID, job.ActorCron)
		if err == nil && len(r.Changes) > 0 {
			n++
		}
	}
	return n, nil
}

// FailByAdmin is the processing→failed and pending→failed override: the
// job fails with the admin's reason and is refunded automatically.
func (s *Service) FailByAdmin(ctx context.Context, jobID, reason string, actor job.Actor) error {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if j.Status != job.StatusProcessing && j.Status != job.StatusPending {
		return job.ErrConflict
	}
	s.Fail(ctx, jobID, "marked failed by an admin: "+reason, actor)
	after, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if after.Status != job.StatusFailed {
		return job.ErrConflict
	}
	return nil
}

// ConfirmPaid is the abandoned/awaiting_payment→pending override: it only
// goes through when Stripe confirms the payment.
func (s *Service) ConfirmPaid(ctx context.Context, jobID string, actor job.Actor) error {
	j, err := s.st.Get(ctx, jobID)
	if err != nil {
		return err
	}
	if j.StripeCheckoutSessionID == nil {
		return job.Errorf(job.EConflict, "the job has no Stripe checkout to confirm a payment with")
	}
	sess, err := s.pay.GetCheckoutSession(ctx, *j.StripeCheckoutSessionID)
	if err != nil {
		return stripeErr(err)
	}
	if sess.PaymentStatus != "paid" && sess.PaymentStatus != "no_payment_required" {
		return job.Errorf(job.EConflict, "Stripe does not confirm a payment for this checkout (payment status %q); the job stays %s", sess.PaymentStatus, j.Status)
	}
	if j.PaymentStatus.Captured() {
		// Paid already (abandoned by the clock): just queue it.
		_, err := s.Requeue(ctx, jobID, actor, RequeueOptions{Reason: "payment confirmed with Stripe"})
		return err
	}
	return s.markPaid(ctx, jobID, sess, actor)
}
