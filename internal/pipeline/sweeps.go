package pipeline

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
)

// sweepBatch bounds one sweep; the next tick takes the rest.
const sweepBatch = 500

// ExpireTokens records download links past their expiry and, once
// downloads.file_retention has passed since completion, deletes the file.
// Completed jobs keep their next such moment in due_at.
func (s *Service) ExpireTokens(ctx context.Context) (int, error) {
	now := s.now()
	jobs, err := s.st.Due(ctx, job.StatusCompleted, now, sweepBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		var ch store.Change
		expired := j.DownloadExpiresAt != nil && !now.Before(*j.DownloadExpiresAt)
		switch {
		case j.DownloadTokenDigest != nil && j.DownloadExpiresAt != nil && !expired:
			ch = store.Change{Set: store.Set{"due_at": *j.DownloadExpiresAt}}
		case j.DownloadTokenDigest != nil && expired && (j.DueAt == nil || !j.DueAt.After(*j.DownloadExpiresAt)):
			// The first sweep past the expiry. The digest stays: the link
			// then answers "expired" (410) instead of "unknown" (404), and
			// it can never work again since OpenDownload checks the expiry.
			// due_at moves past the expiry, which marks this step done.
			next := now
			if j.CompletedAt != nil {
				next = maxTime(j.CompletedAt.Add(s.cfg.FileRetention), now)
			}
			if !next.After(*j.DownloadExpiresAt) {
				next = j.DownloadExpiresAt.Add(time.Second)
			}
			ch = store.Change{Set: store.Set{"due_at": next},
				Event: store.EventInput{Actor: job.ActorCron, Type: "token_expired", Message: "download link expired"}}
		case j.UpscaledFilePath != nil && (j.CompletedAt == nil || !now.Before(j.CompletedAt.Add(s.cfg.FileRetention))):
			if err := s.files.Delete(*j.UpscaledFilePath); err != nil {
				s.log.Warn("delete expired file", "job", j.JobID, "err", err)
				continue
			}
			ch = store.Change{Set: store.Set{"upscaled_file_path": nil, "file_deleted_at": now, "due_at": nil},
				Event: store.EventInput{Actor: job.ActorCron, Type: "file_deleted", Message: "file deleted after the retention period"}}
		case j.UpscaledFilePath != nil:
			// No live link (revoked by a refund) but a file: it still goes
			// when the retention period ends.
			ch = store.Change{Set: store.Set{"due_at": j.CompletedAt.Add(s.cfg.FileRetention)}}
		default:
			ch = store.Change{Set: store.Set{"due_at": nil}}
		}
		ch.JobID, ch.From = j.JobID, []job.Status{job.StatusCompleted}
		due := j.DueAt
		ch.Check = func(cur *job.Job, _ store.Set) error {
			if cur.DueAt == nil || due == nil || !cur.DueAt.Equal(*due) {
				return errNoChange // a new token was issued meanwhile
			}
			return nil
		}
		if changed, err := s.apply(ctx, ch); err == nil && changed && ch.Event.Type != "" {
			n++
		}
	}
	return n, nil
}

// Abandon marks checkouts never paid within checkout.abandon_after.
func (s *Service) Abandon(ctx context.Context) (int, error) {
	jobs, err := s.st.CreatedBefore(ctx, job.StatusAwaitingPayment, s.now().Add(-s.cfg.AbandonAfter), sweepBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		changed, err := s.st.Abandon(ctx, j.JobID, false, store.EventInput{Actor: job.ActorCron, Type: "abandoned",
			Message: "checkout not paid within " + s.cfg.AbandonAfter.String()})
		if err == nil && changed {
			n++
		}
	}
	return n, nil
}

// RetryRefunds sends again the refunds Stripe never answered, with the
// same idempotency key, so Stripe makes each at most once.
func (s *Service) RetryRefunds(ctx context.Context) (int, error) {
	rs, err := s.st.StalePendingRefunds(ctx, s.cfg.Now().Add(-time.Minute), sweepBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rf := range rs {
		j, err := s.st.Get(ctx, rf.JobID)
		if err != nil || j.StripePaymentIntentID == nil {
			continue
		}
		if made, err := s.refundMadeAtStripe(ctx, rf, *j.StripePaymentIntentID); err != nil || made {
			if made {
				n++
			}
			continue
		}
		if _, err := s.sendRefund(ctx, rf, j, rf.Source == "auto", true); err == nil {
			n++
		}
	}
	return n, nil
}

// refundMadeAtStripe looks in Stripe's refund list of the PaymentIntent
// for the refund of reservation rf (its metadata names the row) before it
// is sent again, and records it when it is there. The idempotency key
// alone would not do: Stripe forgets keys after a day, so a retry after a
// longer outage (of Stripe, or of this daemon) would make the refund twice.
func (s *Service) refundMadeAtStripe(ctx context.Context, rf store.Refund, pi string) (bool, error) {
	list, err := s.pay.ListRefunds(ctx, pi)
	if err != nil {
		return false, err // Stripe still unreachable: the next run tries again
	}
	local := strconv.FormatInt(rf.ID, 10)
	if !slices.ContainsFunc(list, func(r stripe.Refund) bool { return r.Metadata[stripe.MetaLocalRefund] == local }) {
		return false, nil
	}
	if _, err = s.syncRefunds(ctx, rf.JobID, list, pi, store.EventInput{Actor: job.ActorCron, Type: "refund_recorded", Message: "refund found at Stripe before sending it again"}); err != nil {
		return false, err
	}
	if rf.Source == "auto" {
		// The customer was not told: the answer that would have told them never came.
		if j, err := s.st.Get(ctx, rf.JobID); err == nil {
			s.tellRefund(ctx, rf, j)
		}
	}
	return true, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Purge deletes old abandoned and failed jobs when retention is configured
// (RetainAbandoned, RetainFailed > 0); with both at 0, the default, it
// deletes nothing. A job's stored file goes first, then its rows.
func (s *Service) Purge(ctx context.Context) (int, error) {
	total := 0
	for _, r := range []struct {
		status job.Status
		col    string
		after  time.Duration
	}{{job.StatusAbandoned, "created_at", s.cfg.RetainAbandoned}, {job.StatusFailed, "failed_at", s.cfg.RetainFailed}} {
		if r.after <= 0 {
			continue
		}
		jobs, err := s.st.PurgeCandidates(ctx, r.status, r.col, s.now().Add(-r.after), sweepBatch)
		if err != nil {
			return total, err
		}
		for _, j := range jobs {
			if j.UpscaledFilePath != nil {
				if err := s.files.Delete(*j.UpscaledFilePath); err != nil {
					s.log.Warn("delete a purged job's file", "job", j.JobID, "err", err)
				}
			}
		}
		n, err := s.st.Purge(ctx, r.status, jobs)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// NotifyStuck emails the owner once about each job processing past the
// upscale timeout (notify.stuck).
func (s *Service) NotifyStuck(ctx context.Context) (int, error) { return s.notifyStuck(ctx) }
