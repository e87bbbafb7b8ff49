package stripe

import (
	"bytes"
	"encoding/json"
)

// The wire* structs decode webhook objects. They name only the fields we
// read, so fields that change shape between API versions can't break us;
// missing fields decode as zero.

// expandableID reads a field Stripe sends as an id, null, or an expanded
// object with an id.
type expandableID string

// UnmarshalJSON accepts "id", null or {"id": …}.
func (x *expandableID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*x = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*x = expandableID(s)
	default:
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*x = expandableID(o.ID)
	}
	return nil
}

type wireSession struct {
	ID                string            `json:"id"`
	URL               string            `json:"url"`
	PaymentIntent     expandableID      `json:"payment_intent"`
	PaymentStatus     string            `json:"payment_status"`
	Status            string            `json:"status"`
	AmountTotal       int64             `json:"amount_total"`
	Currency          string            `json:"currency"`
	CustomerEmail     string            `json:"customer_email"`
	ClientReferenceID string            `json:"client_reference_id"`
	ExpiresAt         int64             `json:"expires_at"`
	Metadata          map[string]string `json:"metadata"`
	CustomerDetails   *struct {
		Email string `json:"email"`
	} `json:"customer_details"`
}

func (w wireSession) session() Session {
	s := Session{
		ID:                w.ID,
		URL:               w.URL,
		PaymentIntentID:   string(w.PaymentIntent),
		PaymentStatus:     w.PaymentStatus,
		Status:            w.Status,
		AmountTotal:       w.AmountTotal,
		Currency:          w.Currency,
		CustomerEmail:     w.CustomerEmail,
		ClientReferenceID: w.ClientReferenceID,
		ExpiresAt:         unixTime(w.ExpiresAt),
		Metadata:          w.Metadata,
	}
	if w.CustomerDetails != nil && w.CustomerDetails.Email != "" {
		s.CustomerEmail = w.CustomerDetails.Email
	}
	return s
}

type wirePaymentIntent struct {
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	Amount         int64             `json:"amount"`
	AmountReceived int64             `json:"amount_received"`
	Currency       string            `json:"currency"`
	LatestCharge   expandableID      `json:"latest_charge"`
	Metadata       map[string]string `json:"metadata"`
}

func (w wirePaymentIntent) paymentIntent() PaymentIntent {
	return PaymentIntent{
		ID:             w.ID,
		Status:         w.Status,
		Amount:         w.Amount,
		AmountReceived: w.AmountReceived,
		Currency:       w.Currency,
		LatestChargeID: string(w.LatestCharge),
		Metadata:       w.Metadata,
	}
}

type wireRefund struct {
	ID            string            `json:"id"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Status        string            `json:"status"`
	PaymentIntent expandableID      `json:"payment_intent"`
	Charge        expandableID      `json:"charge"`
	FailureReason string            `json:"failure_reason"`
	Metadata      map[string]string `json:"metadata"`
	Created       int64             `json:"created"`
}

func (w wireRefund) refund() Refund {
	return Refund{
		ID:              w.ID,
		Amount:          w.Amount,
		Currency:        w.Currency,
		Status:          w.Status,
		PaymentIntentID: string(w.PaymentIntent),
		ChargeID:        string(w.Charge),
		Reason:          w.Metadata[MetaReason],
		FailureReason:   w.FailureReason,
		Metadata:        w.Metadata,
		Created:         unixTime(w.Created),
	}
}

type wireCharge struct {
	ID             string            `json:"id"`
	Amount         int64             `json:"amount"`
	AmountRefunded int64             `json:"amount_refunded"`
	Currency       string            `json:"currency"`
	PaymentIntent  expandableID      `json:"payment_intent"`
	Refunded       bool              `json:"refunded"`
	Disputed       bool              `json:"disputed"`
	Metadata       map[string]string `json:"metadata"`
	Refunds        *struct {
		Data []wireRefund `json:"data"`
	} `json:"refunds"`
}

func (w wireCharge) charge() Charge {
	c := Charge{
		ID:              w.ID,
		Amount:          w.Amount,
		AmountRefunded:  w.AmountRefunded,
		Currency:        w.Currency,
		PaymentIntentID: string(w.PaymentIntent),
		Refunded:        w.Refunded,
		Disputed:        w.Disputed,
		Metadata:        w.Metadata,
	}
	if w.Refunds != nil {
		for _, r := range w.Refunds.Data {
			c.Refunds = append(c.Refunds, r.refund())
		}
	}
	return c
}
