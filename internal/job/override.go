package job

import "slices"

// overrides is the table of manual status moves an admin may make for edge
// cases. Some carry a condition the admin service checks before moving:
//
//	awaiting_payment → abandoned   the visitor never paid
//	awaiting_payment → pending     only when Stripe confirms the payment
//	pending          → failed      the job cannot be processed
//	processing       → failed      the upscale is stuck
//	failed           → completed   only when the file exists; a token is issued
//	abandoned        → pending     only when Stripe confirms the payment
//
// Anything else is refused with a conflict. No override marks a job paid:
// payment state comes from Stripe only.
var overrides = map[Status][]Status{
	StatusAwaitingPayment: {StatusAbandoned, StatusPending},
	StatusPending:         {StatusFailed},
	StatusProcessing:      {StatusFailed},
	StatusFailed:          {StatusCompleted},
	StatusAbandoned:       {StatusPending},
}

// OverrideTargets lists the statuses an admin may move a job to from s.
func OverrideTargets(s Status) []Status {
	out := slices.Clone(overrides[s])
	if out == nil {
		out = []Status{}
	}
	return out
}

// CanOverride reports whether an admin may move a job from one status to another.
func CanOverride(from, to Status) bool { return slices.Contains(overrides[from], to) }

// NeedsStripeConfirmation reports whether an override to `to` may only
// happen once Stripe confirms the payment.
func NeedsStripeConfirmation(from, to Status) bool {
	return to == StatusPending && (from == StatusAbandoned || from == StatusAwaitingPayment)
}
