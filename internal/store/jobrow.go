package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// jobColumns is the explicit column list every job query selects.
const jobColumns = `id, job_id, image_url, resolution, email, post_id, attachment_id, image_width,
	image_height, source_type, upload_file_path, status, upsampler_job_id, upscaled_url,
	upscaled_file_path, stripe_payment_intent_id, stripe_checkout_session_id, payment_status,
	currency, amount_charged, amount_cost, credits_used, download_token, download_expires_at,
	download_count, email_sent, paid_at, processing_started_at, completed_at, failed_at,
	refunded_at, refund_reason, refund_amount, attempts, last_error, due_at, submitted_at, lease_owner, lease_expires_at, email_attempts,
	output_width, output_height, fence, token_seq, next_download_token, next_download_expires_at, next_token_seq, attention_reason, dispute_id, dispute_status, dispute_reason, dispute_amount, created_at, updated_at`

// jobRow mirrors one row as the driver hands it over: NULLs as sql.Null*,
// DECIMAL money as its exact text.
type jobRow struct {
	ID                      int64          `db:"id"`
	JobID                   string         `db:"job_id"`
	ImageURL                string         `db:"image_url"`
	Resolution              string         `db:"resolution"`
	Email                   sql.NullString `db:"email"`
	PostID                  int64          `db:"post_id"`
	AttachmentID            sql.NullInt64  `db:"attachment_id"`
	ImageWidth              sql.NullInt64  `db:"image_width"`
	ImageHeight             sql.NullInt64  `db:"image_height"`
	SourceType              sql.NullString `db:"source_type"`
	UploadFilePath          sql.NullString `db:"upload_file_path"`
	Status                  sql.NullString `db:"status"`
	UpsamplerJobID          sql.NullString `db:"upsampler_job_id"`
	UpscaledURL             sql.NullString `db:"upscaled_url"`
	UpscaledFilePath        sql.NullString `db:"upscaled_file_path"`
	StripePaymentIntentID   sql.NullString `db:"stripe_payment_intent_id"`
	StripeCheckoutSessionID sql.NullString `db:"stripe_checkout_session_id"`
	PaymentStatus           sql.NullString `db:"payment_status"`
	Currency                string         `db:"currency"`
	AmountCharged           sql.NullString `db:"amount_charged"`
	AmountCost              sql.NullString `db:"amount_cost"`
	CreditsUsed             sql.NullInt64  `db:"credits_used"`
	DownloadToken           sql.NullString `db:"download_token"`
	DownloadExpiresAt       sql.NullTime   `db:"download_expires_at"`
	DownloadCount           int            `db:"download_count"`
	EmailSent               sql.NullBool   `db:"email_sent"`
	PaidAt                  sql.NullTime   `db:"paid_at"`
	ProcessingStartedAt     sql.NullTime   `db:"processing_started_at"`
	CompletedAt             sql.NullTime   `db:"completed_at"`
	FailedAt                sql.NullTime   `db:"failed_at"`
	RefundedAt              sql.NullTime   `db:"refunded_at"`
	RefundReason            sql.NullString `db:"refund_reason"`
	RefundAmount            sql.NullString `db:"refund_amount"`
	Attempts                int            `db:"attempts"`
	LastError               sql.NullString `db:"last_error"`
	DueAt                   sql.NullTime   `db:"due_at"`
	SubmittedAt             sql.NullTime   `db:"submitted_at"`
	LeaseOwner              sql.NullString `db:"lease_owner"`
	LeaseExpiresAt          sql.NullTime   `db:"lease_expires_at"`
	EmailAttempts           int            `db:"email_attempts"`
	OutputWidth             sql.NullInt64  `db:"output_width"`
	OutputHeight            sql.NullInt64  `db:"output_height"`
	Fence                   int64          `db:"fence"`
	TokenSeq                sql.NullInt64  `db:"token_seq"`
	NextDownloadToken       sql.NullString `db:"next_download_token"`
	NextDownloadExpiresAt   sql.NullTime   `db:"next_download_expires_at"`
	NextTokenSeq            sql.NullInt64  `db:"next_token_seq"`
	AttentionReason         sql.NullString `db:"attention_reason"`
	DisputeID               sql.NullString `db:"dispute_id"`
	DisputeStatus           sql.NullString `db:"dispute_status"`
	DisputeReason           sql.NullString `db:"dispute_reason"`
	DisputeAmount           sql.NullString `db:"dispute_amount"`
	CreatedAt               sql.NullTime   `db:"created_at"`
	UpdatedAt               sql.NullTime   `db:"updated_at"`
}

func (r *jobRow) toJob() (*job.Job, error) {
	j := &job.Job{
		ID: r.ID, JobID: r.JobID, ImageURL: r.ImageURL, Resolution: job.Resolution(r.Resolution),
		Email: r.Email.String, PostID: r.PostID, AttachmentID: nInt64(r.AttachmentID),
		ImageWidth: nInt(r.ImageWidth), ImageHeight: nInt(r.ImageHeight),
		SourceType: r.SourceType.String, UploadFilePath: nStr(r.UploadFilePath),
		Status: job.Status(r.Status.String), UpsamplerJobID: nStr(r.UpsamplerJobID),
		UpscaledURL: nStr(r.UpscaledURL), UpscaledFilePath: nStr(r.UpscaledFilePath),
		StripePaymentIntentID:   nStr(r.StripePaymentIntentID),
		StripeCheckoutSessionID: nStr(r.StripeCheckoutSessionID),
		PaymentStatus:           job.PaymentStatus(r.PaymentStatus.String), Currency: r.Currency,
		CreditsUsed: nInt(r.CreditsUsed), DownloadTokenDigest: nStr(r.DownloadToken),
		DownloadExpiresAt: nTime(r.DownloadExpiresAt), DownloadCount: r.DownloadCount,
		EmailSent: r.EmailSent.Bool, PaidAt: nTime(r.PaidAt),
		ProcessingStartedAt: nTime(r.ProcessingStartedAt), CompletedAt: nTime(r.CompletedAt),
		FailedAt: nTime(r.FailedAt), RefundedAt: nTime(r.RefundedAt),
		RefundReason: nStr(r.RefundReason), Attempts: r.Attempts, LastError: nStr(r.LastError),
		DueAt: nTime(r.DueAt), SubmittedAt: nTime(r.SubmittedAt), LeaseOwner: nStr(r.LeaseOwner),
		LeaseExpiresAt: nTime(r.LeaseExpiresAt), EmailAttempts: r.EmailAttempts, OutputWidth: nInt(r.OutputWidth),
		OutputHeight: nInt(r.OutputHeight), Fence: r.Fence, TokenSeq: nInt64(r.TokenSeq),
		NextTokenDigest: nStr(r.NextDownloadToken), NextExpiresAt: nTime(r.NextDownloadExpiresAt),
		NextTokenSeq: nInt64(r.NextTokenSeq), AttentionReason: nStr(r.AttentionReason),
		DisputeID: nStr(r.DisputeID), DisputeStatus: nStr(r.DisputeStatus), DisputeReason: nStr(r.DisputeReason),
	}
	if r.CreatedAt.Valid {
		j.CreatedAt = r.CreatedAt.Time.UTC()
	}
	if r.UpdatedAt.Valid {
		j.UpdatedAt = r.UpdatedAt.Time.UTC()
	}
	var err error
	if j.AmountCharged, err = nMoney(r.AmountCharged); err != nil {
		return nil, fmt.Errorf("job %s amount_charged: %w", r.JobID, err)
	}
	if j.AmountCost, err = nMoney(r.AmountCost); err != nil {
		return nil, fmt.Errorf("job %s amount_cost: %w", r.JobID, err)
	}
	if j.DisputeAmount, err = nMoney(r.DisputeAmount); err != nil {
		return nil, fmt.Errorf("job %s dispute_amount: %w", r.JobID, err)
	}
	if j.RefundAmount, err = nMoney(r.RefundAmount); err != nil {
		return nil, fmt.Errorf("job %s refund_amount: %w", r.JobID, err)
	}
	return j, nil
}

func nStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func nInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func nInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

func nTime(v sql.NullTime) *time.Time {
	if !v.Valid {
		return nil
	}
	t := v.Time.UTC()
	return &t
}

func nMoney(v sql.NullString) (*job.Money, error) {
	if !v.Valid {
		return nil, nil
	}
	m, err := job.ParseDecimal(v.String)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// decimal turns optional money into a DECIMAL(10,2) argument.
func decimal(m *job.Money) any {
	if m == nil {
		return nil
	}
	return m.Decimal()
}

// utc strips the location so the driver writes the UTC wall clock.
func utc(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func toJobs(rows []jobRow) ([]*job.Job, error) {
	out := make([]*job.Job, 0, len(rows))
	for i := range rows {
		j, err := rows[i].toJob()
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}
