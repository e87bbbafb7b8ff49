package stripe

import (
	"context"

	stripego "github.com/stripe/stripe-go/v76"
)

// PaymentIntent is the part of a PaymentIntent reconciliation needs.
type PaymentIntent struct {
	ID             string
	Status         string // "succeeded" once the money is taken
	Amount         int64
	AmountReceived int64
	Currency       string
	LatestChargeID string
	Metadata       map[string]string
}

// GetPaymentIntent fetches a PaymentIntent by id.
func (c *Client) GetPaymentIntent(ctx context.Context, id string) (PaymentIntent, error) {
	if id == "" {
		return PaymentIntent{}, invalid("payment intent id is required")
	}
	p := &stripego.PaymentIntentParams{}
	p.Context = ctx
	pi, err := c.api.PaymentIntents.Get(id, p)
	if err != nil {
		return PaymentIntent{}, c.wrapErr(err)
	}
	out := PaymentIntent{
		ID:             pi.ID,
		Status:         string(pi.Status),
		Amount:         pi.Amount,
		AmountReceived: pi.AmountReceived,
		Currency:       string(pi.Currency),
		Metadata:       pi.Metadata,
	}
	if pi.LatestCharge != nil {
		out.LatestChargeID = pi.LatestCharge.ID
	}
	return out, nil
}
