package pipeline

import (
	"context"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/store"
)

// ownerNotifier is the part of the mailer that tells the shop owner about
// sales, failures, disputes and stuck jobs. A Mailer without it tells the
// owner nothing.
type ownerNotifier interface {
	Notifies(ctx context.Context, kind string) bool
	SendOwnerSale(ctx context.Context, n mail.OwnerNotice) error
	SendOwnerFailed(ctx context.Context, n mail.OwnerNotice) error
	SendOwnerDispute(ctx context.Context, n mail.OwnerNotice) error
	SendOwnerStuck(ctx context.Context, n mail.OwnerNotice) error
}

// eventOwnerNotifiedStuck marks a stuck job whose owner has been emailed.
const eventOwnerNotifiedStuck = "owner_notified_stuck"

// ownerNoticeOf is what the owner is told about j.
func ownerNoticeOf(j *job.Job, at time.Time, reason string) mail.OwnerNotice {
	n := mail.OwnerNotice{JobID: j.JobID, CustomerEmail: j.Email, Currency: j.Currency,
		Resolution: string(j.Resolution), PostID: j.PostID, At: at, Reason: reason}
	if j.AmountCharged != nil {
		n.Amount = int64(*j.AmountCharged)
	}
	return n
}

// tellOwner emails the owner about a job in the background, so a slow mail
// server never holds up a Stripe webhook's answer or a worker; Stop waits
// for it. A kind the owner switched off costs nothing.
func (s *Service) tellOwner(ctx context.Context, kind, jobID, reason string) {
	n, ok := s.mail.(ownerNotifier)
	if !ok || !n.Notifies(ctx, kind) {
		return
	}
	send := map[string]func(context.Context, mail.OwnerNotice) error{
		mail.NotifySale: n.SendOwnerSale, mail.NotifyFailed: n.SendOwnerFailed, mail.NotifyDispute: n.SendOwnerDispute,
	}[kind]
	at := s.now()
	s.hintWG.Add(1)
	go func() {
		defer s.hintWG.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		j, err := s.st.Get(ctx, jobID)
		if err == nil {
			err = send(ctx, ownerNoticeOf(j, at, reason))
		}
		if err != nil {
			s.log.WarnContext(ctx, "owner notification not sent", "kind", kind, "job", jobID, "err", err)
		}
	}()
}

// ownerSale tells the owner about a new paid order (notify.sale).
func (s *Service) ownerSale(ctx context.Context, jobID string) {
	s.tellOwner(ctx, mail.NotifySale, jobID, "")
}

// ownerFailed tells the owner a job failed and why (notify.failed).
func (s *Service) ownerFailed(ctx context.Context, jobID, reason string) {
	s.tellOwner(ctx, mail.NotifyFailed, jobID, reason)
}

// NotifyDispute emails the owner that a customer disputed the job's
// payment, when notify.dispute is on; reason is Stripe's dispute reason.
func (s *Service) NotifyDispute(ctx context.Context, jobID, reason string) {
	s.tellOwner(ctx, mail.NotifyDispute, jobID, reason)
}

// notifyStuck emails the owner once about each job processing longer than
// the upscale timeout. The event owner_notified_stuck remembers it, so
// every replica and every later tick skips that job.
func (s *Service) notifyStuck(ctx context.Context) (int, error) {
	n, ok := s.mail.(ownerNotifier)
	if !ok || !n.Notifies(ctx, mail.NotifyStuck) {
		return 0, nil
	}
	jobs, err := s.st.StuckProcessing(ctx, s.now().Add(-s.cfg.UpscaleTimeout), eventOwnerNotifiedStuck, sweepBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, j := range jobs {
		reason := ""
		if j.LastError != nil {
			reason = *j.LastError
		}
		if err := n.SendOwnerStuck(ctx, ownerNoticeOf(j, *j.ProcessingStartedAt, reason)); err != nil {
			s.log.Warn("stuck-job notification not sent; next run tries again", "job", j.JobID, "err", err)
			continue
		}
		sent++
		if err := s.st.AddEvent(ctx, j.JobID, store.EventInput{Actor: job.ActorCron, Type: eventOwnerNotifiedStuck,
			Message: "owner emailed: processing longer than the upscale timeout"}); err != nil {
			return sent, err
		}
	}
	return sent, nil
}
