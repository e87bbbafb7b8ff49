package mail

import (
	"context"
	"fmt"
	"strings"
)

// RefundNotice tells a customer that (part of) their payment was refunded:
// a failed job's automatic refund, or one an admin made.
type RefundNotice struct {
	To, JobID string
	// Amount is what was refunded, in the currency's minor units (cents).
	Amount int64
	// Currency is the ISO 4217 code as Stripe gives it, e.g. "usd".
	Currency string
	// Reason is the refund's recorded reason. For a manual refund it is the
	// admin's words and the customer reads them; an automatic refund's
	// reason is internal and the customer reads customer wording instead.
	Reason string
	// Manual marks a refund an admin made (refund_manual.* templates);
	// otherwise the job failed and was refunded (refund.* templates).
	Manual bool
}

// failedJobWording is what a customer reads about a failed job's refund,
// whatever internal reason the pipeline recorded.
const failedJobWording = "Our upscaling service could not finish your image, so you have not been charged for it."

// customerWording maps internal refund reasons to what a customer reads.
var customerWording = map[string]string{
	"automatic refund: processing failed": failedJobWording,
}

// CustomerReason is the refund reason as the customer reads it: an admin's
// words as written; for anything automatic, customer wording, never an
// internal message.
func CustomerReason(manual bool, reason string) string {
	reason = strings.TrimSpace(reason)
	if manual {
		return reason
	}
	if w, ok := customerWording[strings.ToLower(reason)]; ok {
		return w
	}
	return failedJobWording
}

// SendRefund mails the customer how much was refunded and why, as an HTML
// part and a plain-text part, with the amount in the site's locale.
func (m *Mailer) SendRefund(ctx context.Context, r RefundNotice) error {
	if err := checkJobID(r.JobID); err != nil {
		return fmt.Errorf("mail: refund: %w", err)
	}
	if r.Amount <= 0 {
		return fmt.Errorf("mail: refund for job %s: amount %d must be positive", r.JobID, r.Amount)
	}
	info := m.cfg.Site.Info(ctx)
	amount, err := info.Money(r.Amount, r.Currency)
	if err != nil {
		return fmt.Errorf("mail: refund for job %s: %w", r.JobID, err)
	}
	name, subject := "refund", m.cfg.RefundSubject
	if r.Manual {
		name, subject = "refund_manual", m.cfg.ManualRefundSubject
	}
	return m.send(ctx, letter{
		kind: name, to: r.To, jobID: r.JobID, subject: subject, name: name, info: info,
		data: refundView{shopView: shop(info), JobID: r.JobID, Amount: amount, Reason: CustomerReason(r.Manual, r.Reason)},
	})
}
