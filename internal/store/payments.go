package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// The named payment writes: what Stripe's events do to a job.

// ErrPaymentMismatch is returned by MarkPaid when the session does not pay
// for the job (job.PaymentMismatch says why).
var ErrPaymentMismatch = errors.New("the payment does not match the job's checkout")

// MarkPaid records a confirmed payment of the job's own checkout and
// queues the job. queued is false when the job was not waiting for it (a
// repeat, or money refunded before it was known to be paid). A session
// that does not pay for the job changes nothing and returns
// ErrPaymentMismatch wrapped with the reason.
func (s *DB) MarkPaid(ctx context.Context, jobID string, p job.CheckoutPayment, ev EventInput) (queued bool, err error) {
	now := s.Now()
	var mismatch string
	_, err = s.inTxApply(ctx, jobID, func(cur *job.Job, _ job.Money) (Change, error) {
		if mismatch = job.PaymentMismatch(cur, p); mismatch != "" {
			return Change{}, ErrPaymentMismatch
		}
		if !job.Waiting(cur) {
			return Change{}, errNoWrite
		}
		set := Set{"paid_at": now}
		if p.PaymentIntent != "" {
			set["stripe_payment_intent_id"] = p.PaymentIntent
		}
		if cur.Email == "" && p.Email != "" {
			set["email"] = p.Email
		}
		if why := job.PaidTakenBack(cur); why != "" {
			// Refunded or disputed before we heard it was paid: it fails,
			// not made, as it would had the payment come first.
			set["failed_at"], set["due_at"], set["last_error"] = now, nil, why
			ev.Type, ev.Message = "payment_after_refund", "Stripe confirmed the payment after it was refunded or disputed: "+why
			return Change{JobID: jobID, To: job.StatusFailed, Set: set, Event: ev}, nil
		}
		if cur.PaymentStatus != job.PaymentPartiallyRefunded {
			set["payment_status"] = job.PaymentPaid
		}
		set["due_at"] = now
		queued = true
		return Change{JobID: jobID, To: job.StatusPending, Set: set, Event: ev}, nil
	})
	switch {
	case errors.Is(err, ErrPaymentMismatch):
		return false, &job.Error{Code: job.EConflict, Reason: "payment_mismatch", Message: mismatch}
	case errors.Is(err, errNoWrite):
		return false, nil
	case err != nil:
		return false, err
	}
	return queued, nil
}

// errNoWrite is a Check's way of saying the change has nothing to do.
var errNoWrite = errors.New("nothing to write")

// Flag asks an admin to look at the job, with the reason, and records the
// event; it changes nothing else.
func (s *DB) Flag(ctx context.Context, jobID, reason string, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID, Set: Set{"attention_reason": truncate(reason, 255)}, Event: ev})
	return err
}

// Abandon marks a checkout that will never be paid (expired, or its
// delayed payment failed) abandoned; a job paid meanwhile stays.
func (s *DB) Abandon(ctx context.Context, jobID string, paymentFailed bool, ev EventInput) (bool, error) {
	_, err := s.Apply(ctx, Change{JobID: jobID, To: job.StatusAbandoned,
		Check: func(cur *job.Job, set Set) error {
			if cur.PaymentStatus.Captured() || (cur.Status != job.StatusAwaitingPayment && cur.Status != job.StatusAbandoned) {
				return errNoWrite
			}
			if paymentFailed {
				set["payment_status"] = job.PaymentFailed
			} else if cur.Status == job.StatusAbandoned {
				return errNoWrite
			}
			return nil
		}, Event: ev})
	if errors.Is(err, errNoWrite) {
		return false, nil
	}
	return err == nil, err
}

// PaymentAttemptFailed records a failed attempt at paying a job still
// waiting for its money; a later success or refund wins.
func (s *DB) PaymentAttemptFailed(ctx context.Context, jobID, paymentIntent string, ev EventInput) error {
	_, err := s.Apply(ctx, Change{JobID: jobID,
		Check: func(cur *job.Job, set Set) error {
			if cur.PaymentStatus != job.PaymentPending {
				return errNoWrite
			}
			set["payment_status"], set["stripe_payment_intent_id"] = job.PaymentFailed, paymentIntent
			return nil
		}, Event: ev})
	if errors.Is(err, errNoWrite) {
		return nil
	}
	return err
}

// Dispute is a dispute of a job's charge, as Stripe reports it.
type Dispute struct {
	ID, Status, Reason string
	Amount             job.Money
	Won, Closed        bool
}

// RecordDispute records a dispute's state on the job. While it is open or
// lost, the payment is disputed and the download is revoked (expired
// now; the link then says why); a job not yet delivered is failed, not
// made. A won dispute gives the payment back its refund-derived status
// and the link a fresh expiry.
func (s *DB) RecordDispute(ctx context.Context, jobID string, d Dispute, downloadExpiry time.Duration, ev EventInput) error {
	now := s.Now()
	_, err := s.inTxApply(ctx, jobID, func(cur *job.Job, refunded job.Money) (Change, error) {
		set := Set{"dispute_id": d.ID, "dispute_status": d.Status, "dispute_reason": d.Reason, "dispute_amount": &d.Amount}
		ch := Change{JobID: jobID, Set: set, Event: ev}
		if cur.DisputeID != nil && *cur.DisputeID == d.ID && cur.DisputeStatus != nil && job.DisputeStateIsOlder(*cur.DisputeStatus, d.Status) {
			// An older state of the dispute, delivered late: it only goes
			// on the timeline.
			return Change{JobID: jobID, Event: ev}, nil
		}
		if d.Won {
			if cur.PaymentStatus == job.PaymentDisputed {
				set["payment_status"] = job.PaymentAfterRefunds(job.PaymentPaid, cur.AmountCharged, refunded)
			}
			if cur.Status == job.StatusCompleted && cur.DownloadTokenDigest != nil {
				set["download_expires_at"], set["due_at"] = now.Add(downloadExpiry), now.Add(downloadExpiry)
			}
			return ch, nil
		}
		if cur.PaymentStatus.Captured() || cur.PaymentStatus == job.PaymentPending {
			set["payment_status"] = job.PaymentDisputed
		}
		if cur.DownloadExpiresAt == nil || cur.DownloadExpiresAt.After(now) {
			if cur.DownloadTokenDigest != nil {
				set["download_expires_at"] = now
			}
		}
		set["next_download_token"], set["next_download_expires_at"], set["next_token_seq"] = nil, nil, nil
		if cur.Status == job.StatusPending || cur.Status == job.StatusProcessing {
			ch.To = job.StatusFailed
			set["failed_at"], set["due_at"], set["lease_owner"], set["lease_expires_at"] = now, nil, nil, nil
			set["last_error"] = "the payment is disputed: not made"
		}
		return ch, nil
	})
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// inTxApply locks the job, hands it and what its refunds hold to build,
// and applies the change build returns, in one transaction.
func (s *DB) inTxApply(ctx context.Context, jobID string, build func(cur *job.Job, refunded job.Money) (Change, error)) (*job.Job, error) {
	var before *job.Job
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := s.getBy(ctx, tx, "job_id", jobID, true)
		if err != nil {
			return err
		}
		before = cur
		refunded, err := s.refundedLocked(ctx, tx, jobID)
		if err != nil {
			return err
		}
		ch, err := build(cur, refunded)
		if err != nil {
			return err
		}
		return s.applyLocked(ctx, tx, cur, ch, sortedKeys(ch.Set))
	})
	return before, err
}

// PageMark is where a walk through jobs in created_at order stopped; the
// zero mark is the start.
type PageMark struct {
	CreatedAt time.Time
	ID        int64
}

// AwaitingPaymentAfter lists up to limit jobs awaiting payment created in
// [from, to), in created_at order, after mark.
func (s *DB) AwaitingPaymentAfter(ctx context.Context, from, to time.Time, mark PageMark, limit int) ([]*job.Job, error) {
	if mark.CreatedAt.Before(from) {
		mark = PageMark{CreatedAt: from, ID: 0}
	}
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = 'awaiting_payment' AND created_at < ? AND (created_at > ? OR (created_at = ? AND id > ?))
		ORDER BY created_at, id LIMIT ?`), to.UTC(), mark.CreatedAt.UTC(), mark.CreatedAt.UTC(), mark.ID, limit); err != nil {
		return nil, fmt.Errorf("awaiting payment: %w", err)
	}
	return toJobs(rows)
}

// GetByPaymentIntent finds the job paid by a Stripe PaymentIntent.
func (s *DB) GetByPaymentIntent(ctx context.Context, pi string) (*job.Job, error) {
	return s.getBy(ctx, s.db, "stripe_payment_intent_id", pi, false)
}
