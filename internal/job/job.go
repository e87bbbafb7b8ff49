package job

import "time"

// Resolution is the upscale factor a customer buys.
type Resolution string

// Resolutions on sale.
const (
	Resolution4x Resolution = "4x"
	Resolution8x Resolution = "8x"
)

// Factor is the integer upscale factor of r, or 0 for an unknown one.
func (r Resolution) Factor() int {
	switch r {
	case Resolution4x:
		return 4
	case Resolution8x:
		return 8
	}
	return 0
}

// Job is one request for a hi-res copy of an image: one row of {prefix}smi_jobs.
// Optional values are pointers; nil means NULL.
type Job struct {
	ID                      int64         `json:"-"`
	JobID                   string        `json:"job_id"`
	ImageURL                string        `json:"image_url"`
	Resolution              Resolution    `json:"resolution"`
	Email                   string        `json:"email"`
	PostID                  int64         `json:"post_id"`
	AttachmentID            *int64        `json:"attachment_id"`
	ImageWidth              *int          `json:"image_width"`
	ImageHeight             *int          `json:"image_height"`
	SourceType              string        `json:"source_type"`
	UploadFilePath          *string       `json:"upload_file_path"`
	Status                  Status        `json:"status"`
	UpsamplerJobID          *string       `json:"upsampler_job_id"`
	UpscaledURL             *string       `json:"upscaled_url"`
	UpscaledFilePath        *string       `json:"upscaled_file_path"`
	StripePaymentIntentID   *string       `json:"stripe_payment_intent_id"`
	StripeCheckoutSessionID *string       `json:"stripe_checkout_session_id"`
	PaymentStatus           PaymentStatus `json:"payment_status"`
	Currency                string        `json:"currency"`
	AmountCharged           *Money        `json:"amount_charged"`
	AmountCost              *Money        `json:"amount_cost"`
	CreditsUsed             *int          `json:"credits_used"`
	DownloadTokenDigest     *string       `json:"-"`
	DownloadExpiresAt       *time.Time    `json:"download_expires_at"`
	DownloadCount           int           `json:"download_count"`
	EmailSent               bool          `json:"email_sent"`
	PaidAt                  *time.Time    `json:"paid_at"`
	ProcessingStartedAt     *time.Time    `json:"processing_started_at"`
	CompletedAt             *time.Time    `json:"completed_at"`
	FailedAt                *time.Time    `json:"failed_at"`
	RefundedAt              *time.Time    `json:"refunded_at"`
	RefundReason            *string       `json:"refund_reason"`
	RefundAmount            *Money        `json:"refund_amount"`
	Attempts                int           `json:"attempts"`
	LastError               *string       `json:"last_error"`
	DueAt                   *time.Time    `json:"due_at"`
	SubmittedAt             *time.Time    `json:"submitted_at"`
	LeaseOwner              *string       `json:"-"`
	LeaseExpiresAt          *time.Time    `json:"lease_expires_at"`
	EmailAttempts           int           `json:"email_attempts"`
	OutputWidth             *int          `json:"output_width"`
	OutputHeight            *int          `json:"output_height"`
	// Fence moves on with every claim of the job; a write carrying an
	// older fence is refused (job.ErrStale).
	Fence int64 `json:"fence"`
	// TokenSeq is what the current download token was derived from (nil
	// for a random or adopted token).
	TokenSeq *int64 `json:"-"`
	// NextTokenDigest is a link being issued: it works alongside the
	// current one until the email carrying it was accepted.
	NextTokenDigest *string    `json:"-"`
	NextExpiresAt   *time.Time `json:"-"`
	NextTokenSeq    *int64     `json:"-"`
	// AttentionReason says why an admin should look at the job beyond
	// what its status shows (a payment that did not match its checkout).
	AttentionReason *string `json:"attention_reason"`
	// The latest dispute of the job's charge.
	DisputeID     *string   `json:"dispute_id"`
	DisputeStatus *string   `json:"dispute_status"`
	DisputeReason *string   `json:"dispute_reason"`
	DisputeAmount *Money    `json:"dispute_amount"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// DownloadRevoked reports whether a full refund took the download away:
// the job was refunded and not made again since (an admin may retry a
// refunded job, giving the work away, and its new link then works).
func (j *Job) DownloadRevoked() bool {
	if j.PaymentStatus != PaymentRefunded {
		return false
	}
	return j.CompletedAt == nil || j.RefundedAt == nil || !j.CompletedAt.After(*j.RefundedAt)
}

// TokenState says whether a job has a usable download token.
type TokenState string

// Token states.
const (
	TokenNone    TokenState = "none"
	TokenActive  TokenState = "active"
	TokenExpired TokenState = "expired"
)

// TokenStateAt is the state of j's download token at now.
func (j *Job) TokenStateAt(now time.Time) TokenState {
	switch {
	case (j.DownloadTokenDigest == nil || *j.DownloadTokenDigest == "") && j.DownloadExpiresAt != nil && !now.Before(*j.DownloadExpiresAt):
		return TokenExpired // cleared by the expiry sweep
	case j.DownloadTokenDigest == nil || *j.DownloadTokenDigest == "":
		return TokenNone
	case j.DownloadExpiresAt != nil && !now.Before(*j.DownloadExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// Event is one row of a job's timeline and audit trail.
type Event struct {
	ID         int64          `json:"id"`
	JobID      string         `json:"job_id"`
	At         time.Time      `json:"at"`
	Actor      Actor          `json:"actor"`
	Type       string         `json:"type"`
	FromStatus *Status        `json:"from_status"`
	ToStatus   *Status        `json:"to_status"`
	Message    string         `json:"message"`
	Data       map[string]any `json:"data,omitempty"`
}
