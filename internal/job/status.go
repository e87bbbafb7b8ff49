// Package job is the domain of Sell My Images: a job's statuses, payment
// statuses, the table of allowed transitions, money and actors. It imports
// nothing of ours; everything else depends on it.
package job

import (
	"fmt"
	"slices"
	"strings"
)

// Status is where a job is in its lifecycle.
type Status string

// The lifecycle, in order.
const (
	StatusAwaitingPayment Status = "awaiting_payment" // Stripe checkout created
	StatusPending         Status = "pending"          // paid, waiting for a worker
	StatusProcessing      Status = "processing"       // being upscaled
	StatusCompleted       Status = "completed"        // file stored, download link issued and emailed (or flagged)
	StatusFailed          Status = "failed"           // not made; the charge is refunded where it still can be
	StatusAbandoned       Status = "abandoned"        // checkout expired or never paid
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusAwaitingPayment, StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusAbandoned}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// PaymentStatus is the state of the job's Stripe payment.
type PaymentStatus string

// Payment statuses.
const (
	PaymentPending           PaymentStatus = "pending"            // checkout open, no money yet
	PaymentPaid              PaymentStatus = "paid"               // Stripe collected the quoted amount
	PaymentFailed            PaymentStatus = "failed"             // a payment attempt failed; nothing collected
	PaymentPartiallyRefunded PaymentStatus = "partially_refunded" // part of the charge went back
	PaymentRefunded          PaymentStatus = "refunded"           // the whole charge went back
	// PaymentDisputed: the customer's bank disputes the charge; the
	// download is revoked until the dispute is won.
	PaymentDisputed PaymentStatus = "disputed"
)

// PaymentStatuses lists every payment status.
var PaymentStatuses = []PaymentStatus{PaymentPending, PaymentPaid, PaymentFailed, PaymentPartiallyRefunded, PaymentRefunded, PaymentDisputed}

// Valid reports whether p is a known payment status.
func (p PaymentStatus) Valid() bool { return slices.Contains(PaymentStatuses, p) }

// Captured reports whether money was taken for the job at some point.
func (p PaymentStatus) Captured() bool {
	return p == PaymentPaid || p == PaymentPartiallyRefunded || p == PaymentRefunded || p == PaymentDisputed
}

// transitions is the one table of moves the pipeline may make. Admin
// overrides have their own, narrower table in override.go.
var transitions = map[Status][]Status{
	StatusAwaitingPayment: {StatusPending, StatusAbandoned, StatusFailed},
	StatusPending:         {StatusProcessing, StatusFailed},
	StatusProcessing:      {StatusCompleted, StatusFailed, StatusPending},
	StatusCompleted:       {StatusPending},
	StatusFailed:          {StatusPending},
	StatusAbandoned:       {StatusPending, StatusFailed},
}

// CanTransition reports whether the pipeline may move a job from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// ParseStatuses parses a comma-separated list of statuses.
func ParseStatuses(s string) ([]Status, error) { return parseList(s, "status", Statuses) }

// ParsePaymentStatuses parses a comma-separated list of payment statuses.
func ParsePaymentStatuses(s string) ([]PaymentStatus, error) {
	return parseList(s, "payment status", PaymentStatuses)
}

// parseList parses a comma-separated list of values, each of which must
// be one of all; what names them in the error.
func parseList[T ~string](s, what string, all []T) ([]T, error) {
	var out []T
	for _, p := range splitList(s) {
		v := T(p)
		if !slices.Contains(all, v) {
			return nil, fmt.Errorf("unknown %s %q (accepted: %s)", what, p, joinStatuses(all))
		}
		out = append(out, v)
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func joinStatuses[T ~string](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}
