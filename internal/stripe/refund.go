package stripe

import (
	"context"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
)

// maxMetaValue is Stripe's limit on a metadata value, in characters.
const maxMetaValue = 500

// RefundInput asks for a refund of (part of) a job's payment.
type RefundInput struct {
	PaymentIntentID string
	Amount          int64 // minor units; 0 refunds whatever is left
	// Reason is our free text, kept in metadata "reason" (cut to 500
	// characters); Stripe's own reason is always "requested_by_customer".
	Reason string
	JobID  string
	Actor  string
	// LocalID is our refund history row, kept in metadata "smi_refund_id" so
	// a webhook that reports the refund before we recorded Stripe's id
	// still finds the row instead of counting the refund twice.
	LocalID string
	// IdempotencyKey makes a retried refund return the first refund instead
	// of refunding twice. Callers should always set it.
	IdempotencyKey string
}

// Refund is a Stripe refund as the job services see it.
type Refund struct {
	ID              string
	Amount          int64
	Currency        string
	Status          string // "pending", "requires_action", "succeeded", "failed" or "canceled"
	PaymentIntentID string
	ChargeID        string
	Reason          string // our metadata "reason"; empty for dashboard refunds
	FailureReason   string
	Metadata        map[string]string
	Created         time.Time
}

// CreateRefund refunds in.Amount (or the rest) of a PaymentIntent.
func (c *Client) CreateRefund(ctx context.Context, in RefundInput) (Refund, error) {
	if in.PaymentIntentID == "" {
		return Refund{}, invalid("refund needs a payment intent id")
	}
	if in.Amount < 0 {
		return Refund{}, invalid("refund amount must not be negative, got %d", in.Amount)
	}
	p := &stripego.RefundParams{
		PaymentIntent: stripego.String(in.PaymentIntentID),
		Reason:        stripego.String(string(stripego.RefundReasonRequestedByCustomer)),
		Metadata:      map[string]string{MetaSource: SourceValue},
	}
	p.Context = ctx
	if in.Amount > 0 {
		p.Amount = stripego.Int64(in.Amount)
	}
	// Stripe treats an empty metadata value as "delete", so only send what we have.
	for k, v := range map[string]string{MetaJobID: in.JobID, MetaActor: in.Actor, MetaReason: in.Reason, MetaLocalRefund: in.LocalID} {
		if v != "" {
			p.Metadata[k] = truncate(v, maxMetaValue)
		}
	}
	if in.IdempotencyKey != "" {
		p.SetIdempotencyKey(in.IdempotencyKey)
	}
	r, err := c.api.Refunds.New(p)
	if err != nil {
		return Refund{}, c.wrapErr(err)
	}
	return refundFrom(r), nil
}

// ListRefunds returns every refund of a PaymentIntent, newest first,
// including ones made in the Stripe dashboard.
func (c *Client) ListRefunds(ctx context.Context, paymentIntentID string) ([]Refund, error) {
	if paymentIntentID == "" {
		return nil, invalid("listing refunds needs a payment intent id")
	}
	p := &stripego.RefundListParams{PaymentIntent: stripego.String(paymentIntentID)}
	p.Context = ctx
	p.Limit = stripego.Int64(100)
	var out []Refund
	it := c.api.Refunds.List(p)
	for it.Next() {
		out = append(out, refundFrom(it.Refund()))
	}
	if err := it.Err(); err != nil {
		return nil, c.wrapErr(err)
	}
	return out, nil
}

func refundFrom(r *stripego.Refund) Refund {
	out := Refund{
		ID:            r.ID,
		Amount:        r.Amount,
		Currency:      string(r.Currency),
		Status:        string(r.Status),
		Reason:        r.Metadata[MetaReason],
		FailureReason: string(r.FailureReason),
		Metadata:      r.Metadata,
		Created:       unixTime(r.Created),
	}
	if r.PaymentIntent != nil {
		out.PaymentIntentID = r.PaymentIntent.ID
	}
	if r.Charge != nil {
		out.ChargeID = r.Charge.ID
	}
	return out
}

// truncate cuts s to at most n characters (runes), never splitting one.
func truncate(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
