package job

import (
	"fmt"
	"strings"
)

// CheckoutPayment is what Stripe says a checkout session collected.
type CheckoutPayment struct {
	SessionID     string
	PaymentStatus string // "paid", "unpaid", "no_payment_required"
	AmountTotal   int64
	Currency      string
	PaymentIntent string
	Email         string
}

// PaymentMismatch says why a checkout session may not mark j paid, or ""
// when it may: it must be the very session opened for j at checkout,
// report the money collected (payment_status paid; a free or 100%-off
// session is not a payment), and have collected the quoted amount in the
// quoted currency. Anything else (another session of the account naming
// the job, a coupon, a Payment Link) is not a sale of this job.
func PaymentMismatch(j *Job, p CheckoutPayment) string {
	switch {
	case j.StripeCheckoutSessionID == nil || *j.StripeCheckoutSessionID != p.SessionID:
		return fmt.Sprintf("checkout session %s is not the one opened for this job", p.SessionID)
	case p.PaymentStatus != "paid":
		return fmt.Sprintf("the checkout's payment status is %q, not paid", p.PaymentStatus)
	case j.AmountCharged == nil || int64(*j.AmountCharged) != p.AmountTotal:
		quoted := "nothing"
		if j.AmountCharged != nil {
			quoted = j.AmountCharged.Decimal()
		}
		return fmt.Sprintf("%s was paid but %s was quoted", Money(p.AmountTotal).Decimal(), quoted)
	case !strings.EqualFold(j.Currency, p.Currency):
		return fmt.Sprintf("paid in %s but quoted in %s", strings.ToUpper(p.Currency), strings.ToUpper(j.Currency))
	}
	return ""
}

// Payable reports whether a confirmed payment may still queue j: it must
// be waiting for its money (or abandoned by the clock just before it
// came), and no refund or dispute may have taken the money back first.
func Payable(j *Job) bool {
	if j.Status != StatusAwaitingPayment && j.Status != StatusAbandoned {
		return false
	}
	return j.PaymentStatus != PaymentRefunded && j.PaymentStatus != PaymentPartiallyRefunded && j.PaymentStatus != PaymentDisputed
}
