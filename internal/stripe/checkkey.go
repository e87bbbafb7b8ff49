package stripe

import (
	"context"

	stripego "github.com/stripe/stripe-go/v76"
)

// CheckKey makes one cheap authenticated read (the newest checkout
// session) to learn whether Stripe accepts the key. It needs only the
// read access to Checkout Sessions the daemon needs anyway.
func (c *Client) CheckKey(ctx context.Context) error {
	params := &stripego.CheckoutSessionListParams{}
	params.Context = ctx
	params.Limit = stripego.Int64(1)
	params.Single = true
	it := c.api.CheckoutSessions.List(params)
	it.Next()
	return c.wrapErr(it.Err())
}
