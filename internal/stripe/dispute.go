package stripe

// Dispute is a charge.dispute.* event's object: a customer's bank taking
// the money back, pending the merchant's evidence.
type Dispute struct {
	ID              string
	ChargeID        string
	PaymentIntentID string
	Amount          int64
	Currency        string
	Reason          string // fraudulent, product_not_received…
	Status          string // warning_needs_response, needs_response, under_review, won, lost…
}

// Won reports whether the dispute ended in the merchant's favour.
func (d Dispute) Won() bool { return d.Status == "won" || d.Status == "warning_closed" }

// Closed reports whether the dispute is over.
func (d Dispute) Closed() bool {
	return d.Status == "won" || d.Status == "lost" || d.Status == "warning_closed"
}

type wireDispute struct {
	ID            string       `json:"id"`
	Charge        expandableID `json:"charge"`
	PaymentIntent expandableID `json:"payment_intent"`
	Amount        int64        `json:"amount"`
	Currency      string       `json:"currency"`
	Reason        string       `json:"reason"`
	Status        string       `json:"status"`
}

// Dispute decodes data.object of a charge.dispute.* event.
func (e Event) Dispute() (Dispute, error) {
	var w wireDispute
	if err := e.decode("dispute", &w); err != nil {
		return Dispute{}, err
	}
	return Dispute{ID: w.ID, ChargeID: string(w.Charge), PaymentIntentID: string(w.PaymentIntent), Amount: w.Amount,
		Currency: w.Currency, Reason: w.Reason, Status: w.Status}, nil
}

// FraudWarning is a radar.early_fraud_warning.* event's object: the card
// network says the charge is likely fraud, before any dispute.
type FraudWarning struct {
	ID              string
	ChargeID        string
	PaymentIntentID string
	FraudType       string
	Actionable      bool
}

type wireFraudWarning struct {
	ID            string       `json:"id"`
	Charge        expandableID `json:"charge"`
	PaymentIntent expandableID `json:"payment_intent"`
	FraudType     string       `json:"fraud_type"`
	Actionable    bool         `json:"actionable"`
}

// FraudWarning decodes data.object of a radar.early_fraud_warning.* event.
func (e Event) FraudWarning() (FraudWarning, error) {
	var w wireFraudWarning
	if err := e.decode("radar.early_fraud_warning", &w); err != nil {
		return FraudWarning{}, err
	}
	return FraudWarning{ID: w.ID, ChargeID: string(w.Charge), PaymentIntentID: string(w.PaymentIntent), FraudType: w.FraudType,
		Actionable: w.Actionable}, nil
}
