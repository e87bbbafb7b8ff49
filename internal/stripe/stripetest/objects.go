package stripetest

// These are the Fake's objects in Stripe's JSON shape, trimmed to the fields
// our code reads plus a few for realism. Pass them to EventJSON to build
// webhook events that match the Fake's state.

// Session is a Checkout Session.
type Session struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"` // "checkout.session"
	Mode              string            `json:"mode"`
	URL               *string           `json:"url"` // null once complete
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	PaymentIntent     *string           `json:"payment_intent"` // null until paid
	AmountTotal       int64             `json:"amount_total"`
	Currency          string            `json:"currency"`
	CustomerEmail     *string           `json:"customer_email"`
	ClientReferenceID *string           `json:"client_reference_id"`
	SuccessURL        string            `json:"success_url"`
	CancelURL         string            `json:"cancel_url"`
	ExpiresAt         int64             `json:"expires_at"`
	Created           int64             `json:"created"`
	Livemode          bool              `json:"livemode"`
	Metadata          map[string]string `json:"metadata"`
}

// PaymentIntent is a PaymentIntent.
type PaymentIntent struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"` // "payment_intent"
	Amount         int64             `json:"amount"`
	AmountReceived int64             `json:"amount_received"`
	Currency       string            `json:"currency"`
	Status         string            `json:"status"`
	LatestCharge   *string           `json:"latest_charge"`
	Created        int64             `json:"created"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
}

// Refund is a refund.
type Refund struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"` // "refund"
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Status        string            `json:"status"`
	PaymentIntent string            `json:"payment_intent"`
	Charge        string            `json:"charge"`
	Reason        *string           `json:"reason"` // Stripe's enum, not our metadata reason
	FailureReason *string           `json:"failure_reason"`
	Created       int64             `json:"created"`
	Metadata      map[string]string `json:"metadata"`
}

// Charge is the charge behind a PaymentIntent, with its refunds listed (as
// API versions before 2022-11-15 did, and as charge.refunded events did).
type Charge struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"` // "charge"
	Amount         int64             `json:"amount"`
	AmountCaptured int64             `json:"amount_captured"`
	AmountRefunded int64             `json:"amount_refunded"`
	Currency       string            `json:"currency"`
	PaymentIntent  string            `json:"payment_intent"`
	Paid           bool              `json:"paid"`
	Status         string            `json:"status"`
	Refunded       bool              `json:"refunded"`
	Disputed       bool              `json:"disputed"`
	Created        int64             `json:"created"`
	Metadata       map[string]string `json:"metadata"`
	Refunds        List[Refund]      `json:"refunds"`
}

// List is Stripe's list envelope.
type List[T any] struct {
	Object  string `json:"object"` // "list"
	Data    []T    `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

func ptr[T any](v T) *T { return &v }
