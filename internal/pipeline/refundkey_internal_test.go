package pipeline

import (
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// Two installations on one Stripe account (a site and its staging copy)
// never send the same idempotency key for their refund #7; a refund
// reserved before the upgrade keeps the key it may already have been sent with.
func TestRefundIdempotencyKeysPerInstallation(t *testing.T) {
	pi := "pi_1"
	j := &job.Job{JobID: "j", StripePaymentIntentID: &pi}
	rf := store.Refund{ID: 7, Amount: 100}
	a := stripeRefundInput(rf, j, store.Installation{ID: "aaaa", RefundKeysV2From: 1}).IdempotencyKey
	b := stripeRefundInput(rf, j, store.Installation{ID: "bbbb", RefundKeysV2From: 1}).IdempotencyKey
	if a == b {
		t.Fatalf("both installations send %q", a)
	}
	old := stripeRefundInput(rf, j, store.Installation{ID: "aaaa", RefundKeysV2From: 8}).IdempotencyKey
	if old != "smi-refund-7" {
		t.Fatalf("a refund reserved before the upgrade is sent with %q, not the key it was first sent with", old)
	}
}
