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
	// A copy of the database (a staging site made from a dump) has the
	// same installation id and numbers its next refund as the original
	// does: refunds of different jobs still send different keys.
	other := &job.Job{JobID: "k", StripePaymentIntentID: &pi}
	inst := store.Installation{ID: "aaaa", RefundKeysV2From: 1, RefundKeysV3From: 5}
	if x, y := stripeRefundInput(rf, j, inst).IdempotencyKey, stripeRefundInput(rf, other, inst).IdempotencyKey; x == y {
		t.Fatalf("refund #7 of two jobs in two copies of one database: both send %q", x)
	}
	if v2 := stripeRefundInput(store.Refund{ID: 4, Amount: 100}, j, inst).IdempotencyKey; v2 != "smi-refund-aaaa-4" {
		t.Fatalf("a refund reserved before the v3 keys is sent with %q, not its v2 key", v2)
	}
}
