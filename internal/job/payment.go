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

// ForeignPaymentIntent says why a Stripe report about PaymentIntent pi (a
// refund, a dispute, a fraud warning) may not change j, or "" when it may:
// pi must be the payment recorded for j, or none recorded yet (those
// reports can come before the payment event). A job id in the metadata
// of another payment of the account does not make that payment the job's.
func ForeignPaymentIntent(j *Job, pi string) string {
	if j.StripePaymentIntentID == nil || *j.StripePaymentIntentID == "" || *j.StripePaymentIntentID == pi {
		return ""
	}
	return fmt.Sprintf("PaymentIntent %s is not the payment recorded for this job (%s)", pi, *j.StripePaymentIntentID)
}

// Waiting reports whether j still waits for its money (or was abandoned
// by the clock just before it came): only then does a payment move it.
func Waiting(j *Job) bool { return j.Status == StatusAwaitingPayment || j.Status == StatusAbandoned }

// PaidTakenBack says why a payment that arrives for a waiting job must
// not make it, or "" when it may: its money was already refunded in full
// or disputed (those events can come first). Such a job fails, not made,
// just as it would had the payment come first. A partial refund does not
// stop it.
func PaidTakenBack(j *Job) string {
	switch j.PaymentStatus {
	case PaymentRefunded:
		return "refunded before it was processed: not upscaled"
	case PaymentDisputed:
		return "the payment is disputed: not made"
	}
	return ""
}

// disputeRank orders a dispute's states as Stripe moves them: awaiting
// the merchant's answer, then under review, then closed.
var disputeRank = map[string]int{
	"warning_needs_response": 1, "needs_response": 1,
	"warning_under_review": 2, "under_review": 2,
	"warning_closed": 3, "won": 3, "lost": 3,
}

// DisputeStateIsOlder reports whether state next of a dispute is older
// than the state cur already recorded (events arrive in any order): an
// older state only goes on the timeline.
func DisputeStateIsOlder(cur, next string) bool {
	return disputeRank[next] < disputeRank[cur]
}
