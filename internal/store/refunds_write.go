package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// RefundRequest asks to reserve part of a job's charge for a refund.
type RefundRequest struct {
	JobID  string
	Amount job.Money // 0 means whatever is left
	Reason string
	Actor  job.Actor
	Source string // admin or auto
	// IdempotencyKey makes a repeated request answer the first refund.
	IdempotencyKey string
}

// ReserveRefund locks the job, checks the amount against what is left of
// the charge (every refund not failed counts, including ones made in the
// Stripe dashboard and ones still in flight), and records a pending refund
// row. Because the job row is locked, concurrent requests are checked one
// after the other and can never together exceed the charge. A request with
// an idempotency key already used returns that refund with existing=true.
func (s *DB) ReserveRefund(ctx context.Context, rq RefundRequest) (rf Refund, j *job.Job, existing bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := s.getBy(ctx, tx, "job_id", rq.JobID, true)
		if err != nil {
			return err
		}
		j = cur
		rf, existing, err = s.reserveTx(ctx, tx, cur, rq)
		return err
	})
	return rf, j, existing, err
}

// FailAndReserve applies a change (the move to failed) and, in the same
// transaction, reserves the refund of what is left of the charge. A crash
// after it leaves a pending reservation that cron sends; no moment exists
// where the job is failed, still paid and not yet being refunded (when a
// retry could queue it and the refund land after). reserved is nil when
// nothing was captured or it is all refunded.
func (s *DB) FailAndReserve(ctx context.Context, ch Change, rq RefundRequest) (reserved *Refund, after *job.Job, existing bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		reserved, existing = nil, false
		if _, err := s.applyTx(ctx, tx, ch); err != nil {
			return err
		}
		cur, err := s.getBy(ctx, tx, "job_id", ch.JobID, true)
		if err != nil {
			return err
		}
		after = cur
		rf, ex, err := s.reserveTx(ctx, tx, cur, rq)
		if job.ErrorCode(err) == job.EConflict {
			return nil // nothing to refund
		}
		if err != nil {
			return err
		}
		reserved, existing = &rf, ex
		return nil
	})
	return reserved, after, existing, err
}

// reserveTx reserves a refund on a job locked by the caller's transaction.
func (s *DB) reserveTx(ctx context.Context, tx *sqlx.Tx, cur *job.Job, rq RefundRequest) (rf Refund, existing bool, err error) {
	err = func() error {
		if rq.IdempotencyKey != "" {
			var r refundRow
			err := tx.GetContext(ctx, &r, s.q(`SELECT `+refundColumns+` FROM {refunds} WHERE idempotency_key = ?`), rq.IdempotencyKey)
			if err == nil {
				if r.JobID != rq.JobID {
					return job.Invalid("Idempotency-Key", "this idempotency key was used for another job")
				}
				rf, err = r.toRefund()
				existing = true
				return err
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if !cur.PaymentStatus.Captured() || cur.AmountCharged == nil || cur.StripePaymentIntentID == nil {
			return job.Errorf(job.EConflict, "this job has no captured payment to refund (payment status %s)", cur.PaymentStatus)
		}
		refunded, err := s.refundedLocked(ctx, tx, cur.JobID)
		if err != nil {
			return err
		}
		left := *cur.AmountCharged - refunded
		amount := rq.Amount
		if amount == 0 {
			amount = left
		}
		if left <= 0 {
			return job.Errorf(job.EConflict, "this job is already fully refunded")
		}
		if amount > left {
			return &job.Error{Code: job.EInvalid, Param: "amount", Message: fmt.Sprintf("amount %d is more than the %d left to refund", amount, left)}
		}
		now := s.Now()
		var key any
		if rq.IdempotencyKey != "" {
			key = rq.IdempotencyKey
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO {refunds} (job_id, amount, currency, reason, actor, source, status, idempotency_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`), cur.JobID, amount.Decimal(), cur.Currency, rq.Reason, string(rq.Actor), rq.Source, key, now, now)
		if err != nil {
			return fmt.Errorf("reserve refund: %w", err)
		}
		id, _ := res.LastInsertId()
		rf = Refund{ID: id, JobID: cur.JobID, Amount: amount, Currency: cur.Currency, Reason: rq.Reason, Actor: rq.Actor,
			Source: rq.Source, Status: "pending", CreatedAt: now}
		return nil
	}()
	return rf, existing, err
}

func (s *DB) refundedLocked(ctx context.Context, tx *sqlx.Tx, jobID string) (job.Money, error) {
	var sum sql.NullString
	if err := tx.GetContext(ctx, &sum, s.q(`SELECT SUM(amount) FROM {refunds} WHERE job_id = ? AND status IN ('pending','requires_action','succeeded')`), jobID); err != nil {
		return 0, fmt.Errorf("sum refunds: %w", err)
	}
	if !sum.Valid {
		return 0, nil
	}
	return job.ParseDecimal(sum.String)
}

// StripeRefund is a refund as Stripe reports it.
type StripeRefund struct {
	ID      string
	Amount  job.Money
	Status  string
	Reason  string // our metadata reason, if we made it
	LocalID string // our row id from metadata, if we made it
	Failure string
	Created time.Time
}

// RefundOutcome finishes a reserved refund with Stripe's answer.
type RefundOutcome struct {
	LocalID int64
	Stripe  *StripeRefund // nil when Stripe refused
	Error   string        // Stripe's refusal
}

// SyncOptions say what else a refund change does to the job.
type SyncOptions struct {
	RevokeOnFull bool
	Event        EventInput
	// PaymentIntent, when set, is the payment the refunds were listed
	// from: they are recorded only if it is the job's (job.ForeignPaymentIntent),
	// else SyncStripeRefunds refuses with reason "foreign_payment".
	PaymentIntent string
}

// FinishRefund records Stripe's answer to a reserved refund and brings the
// job's refund columns and payment status in line with its history.
func (s *DB) FinishRefund(ctx context.Context, jobID string, out RefundOutcome, opt SyncOptions) (*job.Job, error) {
	var after *job.Job
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := s.getBy(ctx, tx, "job_id", jobID, true)
		if err != nil {
			return err
		}
		now := s.Now()
		if out.Stripe != nil && opt.Event.Type != "" {
			// The same reservation sent twice (one idempotency key used by
			// two requests at once) gets Stripe's one refund back twice:
			// the second answer has nothing left to record.
			var seen int
			if err := tx.GetContext(ctx, &seen, s.q(`SELECT COUNT(*) FROM {events} WHERE job_id = ? AND type = ?
				AND JSON_UNQUOTE(JSON_EXTRACT(data, '$.stripe_refund_id')) = ?`), jobID, opt.Event.Type, out.Stripe.ID); err != nil {
				return fmt.Errorf("finish refund: %w", err)
			}
			if seen > 0 {
				after, err = s.getBy(ctx, tx, "job_id", jobID, false)
				return err
			}
			if opt.Event.Data == nil {
				opt.Event.Data = map[string]any{}
			}
			opt.Event.Data["stripe_refund_id"] = out.Stripe.ID
		}
		if out.Stripe != nil {
			// The webhook may have recorded this Stripe refund first; then
			// our reserved row is the duplicate and goes.
			var other int64
			err := tx.GetContext(ctx, &other, s.q(`SELECT id FROM {refunds} WHERE stripe_refund_id = ? AND id <> ?`), out.Stripe.ID, out.LocalID)
			switch {
			case err == nil:
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE {refunds} r JOIN {refunds} o ON o.id = ? SET r.reason = o.reason, r.actor = o.actor, r.source = o.source WHERE r.id = ?`), out.LocalID, other); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM {refunds} WHERE id = ?`), out.LocalID); err != nil {
					return err
				}
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE {refunds} SET stripe_refund_id = ?, status = ?, error = ?, amount = ?, updated_at = ? WHERE id = ?`),
					out.Stripe.ID, out.Stripe.Status, nullIfEmpty(out.Stripe.Failure), out.Stripe.Amount.Decimal(), now, out.LocalID); err != nil {
					return fmt.Errorf("finish refund: %w", err)
				}
			default:
				return err
			}
		} else if _, err := tx.ExecContext(ctx, s.q(`UPDATE {refunds} SET status = 'failed', error = ?, updated_at = ? WHERE id = ?`), out.Error, now, out.LocalID); err != nil {
			return fmt.Errorf("finish refund: %w", err)
		}
		after, err = s.resyncLocked(ctx, tx, cur, opt)
		return err
	})
	return after, err
}

// SyncStripeRefunds records refunds Stripe knows of (made in its dashboard,
// or ours reported by webhook): new ones are added, known ones updated by
// Stripe id or by our row id in their metadata. It reports whether the
// history changed.
func (s *DB) SyncStripeRefunds(ctx context.Context, jobID string, refunds []StripeRefund, opt SyncOptions) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		cur, err := s.getBy(ctx, tx, "job_id", jobID, true)
		if err != nil {
			return err
		}
		if opt.PaymentIntent != "" {
			if why := job.ForeignPaymentIntent(cur, opt.PaymentIntent); why != "" {
				return &job.Error{Code: job.EConflict, Reason: "foreign_payment", Message: why}
			}
		}
		now := s.Now()
		changed = false
		for _, r := range refunds {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE {refunds} SET status = ?, error = ?, amount = ?, updated_at = ?
				WHERE job_id = ? AND stripe_refund_id = ? AND (status <> ? OR amount <> ?)`),
				r.Status, nullIfEmpty(r.Failure), r.Amount.Decimal(), now, jobID, r.ID, r.Status, r.Amount.Decimal())
			if err != nil {
				return fmt.Errorf("sync refund: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed = true
				continue
			}
			var known int
			if err := tx.GetContext(ctx, &known, s.q(`SELECT COUNT(*) FROM {refunds} WHERE stripe_refund_id = ?`), r.ID); err != nil {
				return err
			}
			if known > 0 {
				continue
			}
			if id, err := strconv.ParseInt(r.LocalID, 10, 64); err == nil && id > 0 {
				res, err := tx.ExecContext(ctx, s.q(`UPDATE {refunds} SET stripe_refund_id = ?, status = ?, error = ?, amount = ?, updated_at = ?
					WHERE id = ? AND job_id = ? AND stripe_refund_id IS NULL`), r.ID, r.Status, nullIfEmpty(r.Failure), r.Amount.Decimal(), now, id, jobID)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					changed = true
					continue
				}
			}
			reason := r.Reason
			if reason == "" {
				reason = "refunded in the Stripe dashboard"
			}
			created := r.Created
			if created.IsZero() {
				created = now
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO {refunds} (job_id, stripe_refund_id, amount, currency, reason, actor, source, status, error, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'stripe', 'stripe', ?, ?, ?, ?)`), jobID, r.ID, r.Amount.Decimal(), cur.Currency, reason, r.Status, nullIfEmpty(r.Failure), created.UTC(), now); err != nil {
				if isMySQLErr(err, 1062) {
					continue // recorded by a concurrent call
				}
				return fmt.Errorf("record stripe refund: %w", err)
			}
			changed = true
		}
		if !changed {
			return nil
		}
		_, err = s.resyncLocked(ctx, tx, cur, opt)
		return err
	})
	return changed, err
}

// resyncLocked derives refund_amount, refunded_at, refund_reason and the
// payment status from the history, revoking the download token on a full
// refund when asked. The history is the truth; the columns mirror it for
// the list, the export and the PHP plugin's old readers.
func (s *DB) resyncLocked(ctx context.Context, tx *sqlx.Tx, cur *job.Job, opt SyncOptions) (*job.Job, error) {
	refunded, err := s.refundedLocked(ctx, tx, cur.JobID)
	if err != nil {
		return nil, err
	}
	var lastReason sql.NullString
	var lastAt sql.NullTime
	_ = tx.QueryRowContext(ctx, s.q(`SELECT reason, created_at FROM {refunds} WHERE job_id = ? AND status IN ('pending','requires_action','succeeded') ORDER BY id DESC LIMIT 1`), cur.JobID).Scan(&lastReason, &lastAt)
	set := Set{}
	ps := job.PaymentAfterRefunds(cur.PaymentStatus, cur.AmountCharged, refunded)
	if !cur.PaymentStatus.Captured() && refunded > 0 {
		// Refunded before we heard it was paid: money was taken, and given
		// back; the late payment event must not make the job.
		ps = job.PaymentAfterRefunds(job.PaymentPaid, cur.AmountCharged, refunded)
	}
	set["payment_status"] = ps
	if refunded > 0 {
		m := refunded
		set["refund_amount"] = &m
		if lastAt.Valid {
			t := lastAt.Time.UTC()
			set["refunded_at"] = &t
		}
		if ps == job.PaymentRefunded && cur.PaymentStatus != job.PaymentRefunded {
			// The moment we learn of the full refund, not Stripe's creation
			// time: a delivery made before we knew is then revoked, and a
			// job an admin makes again afterwards is not.
			t := s.Now()
			set["refunded_at"] = &t
		}
		if lastReason.Valid {
			set["refund_reason"] = lastReason.String
		}
	} else {
		set["refund_amount"], set["refunded_at"], set["refund_reason"] = nil, nil, nil
	}
	now := s.Now()
	if ps == job.PaymentRefunded && opt.RevokeOnFull && cur.DownloadTokenDigest != nil &&
		(cur.DownloadExpiresAt == nil || cur.DownloadExpiresAt.After(now)) {
		// Revoked by expiring it now: the digest stays, so the link can
		// still say why it stopped working (410 refunded, not 404).
		set["download_expires_at"] = now
	}
	ev := opt.Event
	var to job.Status
	if ps == job.PaymentRefunded && cur.PaymentStatus != job.PaymentRefunded && (cur.Status == job.StatusPending || cur.Status == job.StatusProcessing) {
		// Refunded (in the Stripe dashboard, say) before it was delivered:
		// it is not made, so nobody gets a file the shop gave the money
		// back for. A processing job's finisher then finds it failed.
		to = job.StatusFailed
		set["failed_at"], set["due_at"], set["lease_owner"], set["lease_expires_at"] = now, nil, nil, nil
		set["last_error"] = "refunded before it was delivered: not made"
		if cur.Status == job.StatusPending {
			set["last_error"] = "refunded before it was processed: not upscaled"
		}
	}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	ev.Data["refund_total"] = int64(refunded)
	ev.Data["payment_status_before"] = string(cur.PaymentStatus)
	ev.Data["payment_status_after"] = string(ps)
	ch := Change{JobID: cur.JobID, To: to, Set: set, Event: ev}
	if err := s.applyLocked(ctx, tx, cur, ch, sortedKeys(set)); err != nil {
		return nil, err
	}
	return s.getBy(ctx, tx, "job_id", cur.JobID, false)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// StalePendingRefunds lists reservations Stripe never answered (the
// process died or Stripe was unreachable), older than olderThan.
func (s *DB) StalePendingRefunds(ctx context.Context, olderThan time.Time, limit int) ([]Refund, error) {
	var rows []refundRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+refundColumns+` FROM {refunds}
		WHERE status = 'pending' AND stripe_refund_id IS NULL AND updated_at < ? ORDER BY id LIMIT ?`), olderThan.UTC(), limit); err != nil {
		return nil, fmt.Errorf("stale refunds: %w", err)
	}
	return toRefunds(rows)
}
