package mail

import (
	"context"
	"fmt"
)

// RefundNotice tells a customer that their job failed and was refunded.
type RefundNotice struct {
	To, JobID string
	// Amount is what was refunded, in the currency's minor units (cents).
	Amount int64
	// Currency is the ISO 4217 code as Stripe gives it, e.g. "usd".
	Currency string
	// Reason is a customer-facing sentence on what went wrong; optional.
	Reason string
}

type refundView struct {
	JobID, Amount, Reason string
}

// SendRefund mails the customer that processing failed and how much was
// refunded, as an HTML part and a plain-text part.
func (m *Mailer) SendRefund(ctx context.Context, r RefundNotice) error {
	if err := checkJobID(r.JobID); err != nil {
		return fmt.Errorf("mail: refund: %w", err)
	}
	if r.Amount <= 0 {
		return fmt.Errorf("mail: refund for job %s: amount %d must be positive", r.JobID, r.Amount)
	}
	amount, err := formatMoney(r.Amount, r.Currency)
	if err != nil {
		return fmt.Errorf("mail: refund for job %s: %w", r.JobID, err)
	}
	return m.send(ctx, letter{
		kind: "refund", to: r.To, jobID: r.JobID, subject: m.cfg.RefundSubject,
		textName: "refund.txt", htmlName: "refund.html",
		data: refundView{JobID: r.JobID, Amount: amount, Reason: r.Reason},
	})
}
