package job

import (
	"errors"
	"fmt"
	"time"
)

// This file is the rulebook beside the transition tables: what counts as
// refunded, what a payment status becomes after refunds, how much may
// still be refunded, which admin actions apply to a job and which jobs
// need an admin's attention. The store enforces the transitions; the
// services and the API ask these functions, and the plugin shows what the
// API says. Nothing here reads a clock or a database: callers pass Facts.

// RefundHoldsMoney reports whether a refund in this state took money back
// or may still do so. Failed and canceled refunds moved nothing.
func RefundHoldsMoney(state string) bool {
	return state == "pending" || state == "requires_action" || state == "succeeded"
}

// PaymentAfterRefunds is the payment status of a captured charge once
// refunded has been refunded of it. A disputed charge stays disputed: the
// dispute, not a refund, decides where its money goes. A payment never
// captured keeps its status.
func PaymentAfterRefunds(cur PaymentStatus, charged *Money, refunded Money) PaymentStatus {
	if !cur.Captured() || cur == PaymentDisputed || charged == nil {
		return cur
	}
	switch {
	case refunded <= 0:
		return PaymentPaid
	case refunded >= *charged:
		return PaymentRefunded
	}
	return PaymentPartiallyRefunded
}

// Refundable is what may still be refunded of j's charge, given what its
// refund history already holds. Nothing is refundable of a payment that
// was never captured, of one Stripe cannot refund through us (no
// PaymentIntent), or of a disputed one (Stripe refuses refunds of a
// disputed charge; the dispute settles it).
func Refundable(j *Job, refunded Money) Money {
	if !j.PaymentStatus.Captured() || j.PaymentStatus == PaymentDisputed || j.AmountCharged == nil || j.StripePaymentIntentID == nil {
		return 0
	}
	return max(*j.AmountCharged-refunded, 0)
}

// RefundRefusal says why nothing is refundable of j, or "" when something is.
func RefundRefusal(j *Job, refunded Money) string {
	switch {
	case j.PaymentStatus == PaymentDisputed:
		return "the payment is disputed; the dispute decides where the money goes"
	case !j.PaymentStatus.Captured() || j.AmountCharged == nil || j.StripePaymentIntentID == nil:
		return fmt.Sprintf("this job has no captured payment to refund (payment status %s)", j.PaymentStatus)
	case Refundable(j, refunded) <= 0:
		return "this job is already fully refunded"
	}
	return ""
}

// Action is an admin intervention on one job.
type Action string

// The admin actions, in the order the Jobs screen offers them.
const (
	ActionRetry           Action = "retry"
	ActionRegenerateToken Action = "regenerate_token"
	ActionResendEmail     Action = "resend_email"
	ActionRefund          Action = "refund"
	ActionSetStatus       Action = "set_status"
	ActionReconcile       Action = "reconcile"
)

// Actions lists every admin action in display order.
var Actions = []Action{ActionRetry, ActionRegenerateToken, ActionResendEmail, ActionRefund, ActionSetStatus, ActionReconcile}

// Verdict says whether an action applies to a job now, and if not, why.
type Verdict struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
	// Requires names the flags the action needs to go through (force,
	// allow_unpaid): the admin must choose them knowingly.
	Requires []string `json:"requires,omitempty"`
	// Targets are the statuses set_status may move the job to.
	Targets []Status `json:"targets,omitempty"`
}

// Facts are what the rules need to know besides the job row.
type Facts struct {
	Now time.Time
	// Refunded is what the refund history holds (RefundHoldsMoney).
	Refunded Money
	// RefundInFlight: a reserved refund waits for Stripe's answer.
	RefundInFlight bool
	// UpscaleTimeout is how long an upscale may run before it is stuck.
	UpscaleTimeout time.Duration
	// RevokeOnFullRefund: a full refund takes the download away.
	RevokeOnFullRefund bool
}

// UpscaleAlive reports whether a processing job may still finish by
// itself: a worker holds a live lease, an upscale runs within the
// timeout, or its file is stored and only delivery is left.
func UpscaleAlive(j *Job, f Facts) bool {
	if j.Status != StatusProcessing {
		return false
	}
	if j.LeaseExpiresAt != nil && j.LeaseExpiresAt.After(f.Now) {
		return true
	}
	if j.UpsamplerJobID != nil && j.SubmittedAt != nil && f.Now.Sub(*j.SubmittedAt) < f.UpscaleTimeout && j.DueAt != nil {
		return true
	}
	return j.UpscaledFilePath != nil && j.DueAt != nil
}

// RetryVerdict says whether an admin may queue j for upscaling again.
func RetryVerdict(j *Job, f Facts) Verdict {
	v := Verdict{Allowed: true}
	switch {
	case f.RefundInFlight:
		return Verdict{Reason: "a refund of this job is waiting for Stripe's answer; retry once it has settled"}
	case j.Status == StatusPending && j.DueAt != nil:
		return Verdict{Reason: "the job is already queued for upscaling"}
	case UpscaleAlive(j, f):
		v.Requires = append(v.Requires, "force")
		v.Reason = "an upscale is running for this job; retrying starts another"
	}
	if j.PaymentStatus != PaymentPaid && j.PaymentStatus != PaymentPartiallyRefunded {
		v.Requires = append(v.Requires, "allow_unpaid")
		if v.Reason == "" {
			v.Reason = fmt.Sprintf("the job is not paid (payment status %s): the work would be given away", j.PaymentStatus)
		}
	}
	return v
}

// TokenVerdict says whether j's download link may be regenerated.
func TokenVerdict(j *Job, f Facts) Verdict {
	switch {
	case j.Status != StatusCompleted:
		return Verdict{Reason: fmt.Sprintf("the job is %s: only a completed job has a download link", j.Status)}
	case j.PaymentStatus == PaymentDisputed:
		return Verdict{Reason: "the payment is disputed; the download stays revoked until the dispute is won"}
	case f.RevokeOnFullRefund && j.DownloadRevoked():
		return Verdict{Reason: "the job was fully refunded; its download stays revoked (retry the upscaling with allow_unpaid to give it away)"}
	case j.UpscaledFilePath == nil:
		return Verdict{Reason: "the job has no stored file; retry the upscaling instead"}
	}
	return Verdict{Allowed: true}
}

// ResendVerdict says whether the delivery email may be sent again.
func ResendVerdict(j *Job, f Facts) Verdict {
	if v := TokenVerdict(j, f); !v.Allowed {
		return v
	}
	switch {
	case j.Email == "":
		return Verdict{Reason: "the job has no email address to send the link to"}
	case j.TokenStateAt(f.Now) != TokenActive:
		return Verdict{Reason: "the download link has expired or was revoked; regenerate it first (it can email the new link)"}
	}
	return Verdict{Allowed: true}
}

// ActionVerdicts is the verdict on every admin action for j.
func ActionVerdicts(j *Job, f Facts) map[Action]Verdict {
	out := make(map[Action]Verdict, len(Actions))
	out[ActionRetry] = RetryVerdict(j, f)
	out[ActionRegenerateToken] = TokenVerdict(j, f)
	out[ActionResendEmail] = ResendVerdict(j, f)
	if r := RefundRefusal(j, f.Refunded); r != "" {
		out[ActionRefund] = Verdict{Reason: r}
	} else {
		out[ActionRefund] = Verdict{Allowed: true}
	}
	if t := OverrideTargets(j.Status); len(t) > 0 {
		out[ActionSetStatus] = Verdict{Allowed: true, Targets: t}
	} else {
		out[ActionSetStatus] = Verdict{Reason: fmt.Sprintf("no manual status change applies to a %s job", j.Status), Targets: []Status{}}
	}
	if j.StripeCheckoutSessionID != nil || j.StripePaymentIntentID != nil {
		out[ActionReconcile] = Verdict{Allowed: true}
	} else {
		out[ActionReconcile] = Verdict{Reason: "the job has no Stripe checkout to reconcile with"}
	}
	return out
}

// Attention codes: why a job needs an admin.
const (
	AttentionFailed        = "failed"         // the job failed
	AttentionStuck         = "stuck"          // processing for longer than upscaler.timeout
	AttentionEmailNotSent  = "email_not_sent" // completed, but the delivery email did not go out
	AttentionDisputed      = "disputed"       // the customer's bank disputes the charge
	AttentionRefundPending = "refund_pending" // a reserved refund waits for Stripe's answer
	AttentionFlagged       = "flagged"        // something the status does not show: a payment that did not match its checkout, a fraud warning
)

// AttentionCodes lists every attention code.
var AttentionCodes = []string{AttentionFailed, AttentionStuck, AttentionEmailNotSent, AttentionDisputed, AttentionRefundPending, AttentionFlagged}

// Attention lists why j needs an admin; empty when it does not.
func Attention(j *Job, f Facts) []string {
	out := []string{}
	if j.Status == StatusFailed {
		out = append(out, AttentionFailed)
	}
	if j.Status == StatusProcessing && j.ProcessingStartedAt != nil && f.UpscaleTimeout > 0 && f.Now.Sub(*j.ProcessingStartedAt) > f.UpscaleTimeout {
		out = append(out, AttentionStuck)
	}
	if j.Status == StatusCompleted && !j.EmailSent && j.Email != "" {
		out = append(out, AttentionEmailNotSent)
	}
	if j.PaymentStatus == PaymentDisputed {
		out = append(out, AttentionDisputed)
	}
	if f.RefundInFlight {
		out = append(out, AttentionRefundPending)
	}
	if j.AttentionReason != nil {
		out = append(out, AttentionFlagged)
	}
	return out
}

// TransitionRefused is the error of a status move the tables do not allow.
func TransitionRefused(from, to Status, override bool) *Error {
	kind := "the lifecycle"
	if override {
		kind = "the manual override table"
	}
	return &Error{Code: EConflict, Reason: "transition",
		Message: fmt.Sprintf("%s does not allow moving a job from %s to %s", kind, from, to)}
}

// IsTransitionRefused reports whether err is a refused status move.
func IsTransitionRefused(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Reason == "transition"
}

// ErrStale is returned when a write came from an actor that no longer
// holds the job: another worker, poller or callback claimed it since.
// Such a write changes nothing.
var ErrStale = &Error{Code: EConflict, Reason: "stale", Message: "another worker holds this job now"}

// Limits on what an admin may send; the plugin reads them from the API
// instead of keeping copies.
const (
	MaxReasonLen         = 1000 // a refund's or an override's reason
	MaxNoteLen           = 1000 // a private admin note
	MaxIdempotencyKeyLen = 200
	MaxBatchIDs          = 500
	MaxPerPage           = 500
)
