package stripe

import (
	"cmp"
	"context"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
)

// Metadata keys we put on every object we create, so webhooks and the
// Stripe dashboard lead back to the job.
const (
	MetaJobID  = "job_id"
	MetaSource = "source"
	MetaReason = "reason"
	MetaActor  = "actor"
	// MetaLocalRefund is our refund history row id.
	MetaLocalRefund = "smi_refund_id"
	// SourceValue marks objects created by this daemon.
	SourceValue = "sell-my-images"
)

// CheckoutInput describes the one-item Checkout Session for a job.
type CheckoutInput struct {
	JobID       string
	Amount      int64  // minor units, > 0
	Currency    string // the client's default when empty
	ProductName string
	Description string // optional
	Email       string // optional; prefills customer_email
	SuccessURL  string
	CancelURL   string
	ExpiresAt   time.Time // optional; Stripe allows 30 minutes to 24 hours ahead
	// IdempotencyKey makes a retried create return the first session;
	// stripe-go makes one up per call when empty.
	IdempotencyKey string
}

// Session is the part of a Checkout Session the job services use.
type Session struct {
	ID                string
	URL               string // where to send the buyer; empty once complete
	PaymentIntentID   string // empty until the buyer pays
	PaymentStatus     string // "paid", "unpaid" or "no_payment_required"
	Status            string // "open", "complete" or "expired"
	AmountTotal       int64
	Currency          string
	CustomerEmail     string // what the buyer typed, else what we prefilled
	ClientReferenceID string
	ExpiresAt         time.Time
	Metadata          map[string]string
}

// JobID is the job the session pays for: metadata first, then the client
// reference id (both are set by CreateCheckoutSession).
func (s Session) JobID() string { return cmp.Or(s.Metadata[MetaJobID], s.ClientReferenceID) }

// CreateCheckoutSession opens a payment-mode Checkout Session for one job.
func (c *Client) CreateCheckoutSession(ctx context.Context, in CheckoutInput) (Session, error) {
	if err := in.validate(); err != nil {
		return Session{}, err
	}
	meta := map[string]string{MetaJobID: in.JobID, MetaSource: SourceValue}
	product := &stripego.CheckoutSessionLineItemPriceDataProductDataParams{
		Name: stripego.String(in.ProductName),
	}
	if in.Description != "" {
		product.Description = stripego.String(in.Description)
	}
	p := &stripego.CheckoutSessionParams{
		Mode:              stripego.String(string(stripego.CheckoutSessionModePayment)),
		ClientReferenceID: stripego.String(in.JobID),
		SuccessURL:        stripego.String(in.SuccessURL),
		CancelURL:         stripego.String(in.CancelURL),
		LineItems: []*stripego.CheckoutSessionLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(cmp.Or(in.Currency, c.currency))),
				UnitAmount:  stripego.Int64(in.Amount),
				ProductData: product,
			},
		}},
		Metadata: meta,
		// Copied onto the PaymentIntent so charge and refund events, which
		// never see the session, still name the job.
		PaymentIntentData: &stripego.CheckoutSessionPaymentIntentDataParams{
			Metadata: map[string]string{MetaJobID: in.JobID, MetaSource: SourceValue},
		},
	}
	p.Context = ctx
	if in.Email != "" {
		p.CustomerEmail = stripego.String(in.Email)
	}
	if !in.ExpiresAt.IsZero() {
		p.ExpiresAt = stripego.Int64(in.ExpiresAt.Unix())
	}
	if in.IdempotencyKey != "" {
		p.SetIdempotencyKey(in.IdempotencyKey)
	}
	s, err := c.api.CheckoutSessions.New(p)
	if err != nil {
		return Session{}, c.wrapErr(err)
	}
	return sessionFrom(s), nil
}

// GetCheckoutSession fetches a session with its PaymentIntent expanded.
func (c *Client) GetCheckoutSession(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, invalid("checkout session id is required")
	}
	p := &stripego.CheckoutSessionParams{}
	p.Context = ctx
	p.AddExpand("payment_intent")
	s, err := c.api.CheckoutSessions.Get(id, p)
	if err != nil {
		return Session{}, c.wrapErr(err)
	}
	return sessionFrom(s), nil
}

func (in CheckoutInput) validate() error {
	switch {
	case in.JobID == "":
		return invalid("checkout needs a job id")
	case in.Amount <= 0:
		return invalid("checkout amount must be positive, got %d", in.Amount)
	case in.ProductName == "":
		return invalid("checkout needs a product name")
	case in.SuccessURL == "" || in.CancelURL == "":
		return invalid("checkout needs success and cancel URLs")
	}
	return nil
}

func sessionFrom(s *stripego.CheckoutSession) Session {
	out := Session{
		ID:                s.ID,
		URL:               s.URL,
		PaymentStatus:     string(s.PaymentStatus),
		Status:            string(s.Status),
		AmountTotal:       s.AmountTotal,
		Currency:          string(s.Currency),
		CustomerEmail:     s.CustomerEmail,
		ClientReferenceID: s.ClientReferenceID,
		ExpiresAt:         unixTime(s.ExpiresAt),
		Metadata:          s.Metadata,
	}
	if s.PaymentIntent != nil {
		out.PaymentIntentID = s.PaymentIntent.ID
	}
	if s.CustomerDetails != nil && s.CustomerDetails.Email != "" {
		out.CustomerEmail = s.CustomerDetails.Email
	}
	return out
}

// unixTime maps Stripe's 0-for-unset timestamps to the zero time.
func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
