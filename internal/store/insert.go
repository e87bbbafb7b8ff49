package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/job"
)

// insertColumns are written by Insert; id and email_domain are the database's.
const insertColumns = `job_id, image_url, resolution, email, post_id, attachment_id, image_width,
	image_height, source_type, status, upsampler_job_id, upscaled_url, upscaled_file_path, stripe_payment_intent_id,
	stripe_checkout_session_id, payment_status, currency, amount_charged, amount_cost,
	credits_used, download_token, download_expires_at, download_count, email_sent, paid_at,
	processing_started_at, completed_at, failed_at, refunded_at, refund_reason, refund_amount,
	attempts, last_error, due_at, submitted_at, output_width, output_height, created_at, updated_at`

var insertColumnCount = strings.Count(insertColumns, ",") + 1

func insertArgs(j *job.Job) []any {
	return []any{
		j.JobID, j.ImageURL, string(j.Resolution), j.Email, j.PostID, j.AttachmentID, j.ImageWidth,
		j.ImageHeight, j.SourceType, string(j.Status), j.UpsamplerJobID, j.UpscaledURL, j.UpscaledFilePath, j.StripePaymentIntentID,
		j.StripeCheckoutSessionID, string(j.PaymentStatus), j.Currency, decimal(j.AmountCharged), decimal(j.AmountCost),
		j.CreditsUsed, j.DownloadTokenDigest, utc(j.DownloadExpiresAt), j.DownloadCount, j.EmailSent, utc(j.PaidAt),
		utc(j.ProcessingStartedAt), utc(j.CompletedAt), utc(j.FailedAt), utc(j.RefundedAt), j.RefundReason, decimal(j.RefundAmount),
		j.Attempts, j.LastError, utc(j.DueAt), utc(j.SubmittedAt), j.OutputWidth, j.OutputHeight, j.CreatedAt.UTC(), j.UpdatedAt.UTC(),
	}
}

// Insert creates a job and its first event in one transaction.
func (s *DB) Insert(ctx context.Context, j *job.Job, ev EventInput) error {
	now := s.Now()
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	fillDefaults(j)
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("INSERT INTO {jobs} ("+insertColumns+") VALUES ("+placeholders(insertColumnCount)+")"), insertArgs(j)...)
		if err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
		j.ID, _ = res.LastInsertId()
		to := j.Status
		if err := s.insertEvent(ctx, tx, j.JobID, now, ev, nil, &to); err != nil {
			return err
		}
		return s.bumpCounts(ctx, tx, slotFor(j.JobID), deltasFor(j.Status, j.PaymentStatus, j.CreatedAt, 1))
	})
}

// InsertBulk writes many jobs with multi-row INSERTs (one transaction per
// call), each with one event saying how it arrived. It is the seeder's
// path: a million rows in well under a minute.
func (s *DB) InsertBulk(ctx context.Context, jobs []*job.Job, ev EventInput) error {
	if len(jobs) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const chunk = 1000
		row := "(" + placeholders(insertColumnCount) + ")"
		// The whole batch moves one counter slot: concurrent bulk writers
		// then rarely wait on each other's counter rows.
		var deltas []countDelta
		for start := 0; start < len(jobs); start += chunk {
			part := jobs[start:min(start+chunk, len(jobs))]
			var b strings.Builder
			b.WriteString("INSERT INTO {jobs} (" + insertColumns + ") VALUES ")
			args := make([]any, 0, len(part)*insertColumnCount)
			var eb strings.Builder
			eb.WriteString("INSERT INTO {events} (job_id, created_at, actor, type, to_status, message) VALUES ")
			eargs := make([]any, 0, len(part)*6)
			for i, j := range part {
				if i > 0 {
					b.WriteString(", ")
					eb.WriteString(", ")
				}
				b.WriteString(row)
				args = append(args, insertArgs(j)...)
				eb.WriteString("(?, ?, ?, ?, ?, ?)")
				eargs = append(eargs, j.JobID, j.CreatedAt.UTC(), string(ev.Actor), ev.Type, string(j.Status), ev.Message)
				deltas = append(deltas, deltasFor(j.Status, j.PaymentStatus, j.CreatedAt, 1)...)
			}
			if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
				return fmt.Errorf("bulk insert jobs: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(eb.String()), eargs...); err != nil {
				return fmt.Errorf("bulk insert events: %w", err)
			}
		}
		return s.bumpCounts(ctx, tx, slotFor(jobs[0].JobID), deltas)
	})
}
