package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// The attention filter keeps exactly the jobs the rulebook says need an
// admin: failed, stuck, email not sent, disputed, flagged, refund pending.
func TestAttentionFilterMatchesTheRulebook(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 1500)
	ctx := context.Background()
	// Make every kind appear: a flag, a dispute, a refund in flight.
	var paid []*job.Job
	for _, j := range all {
		if j.Status == job.StatusCompleted && j.PaymentStatus == job.PaymentPaid && j.StripePaymentIntentID != nil && j.AmountCharged != nil {
			paid = append(paid, j)
		}
	}
	if len(paid) < 3 {
		t.Fatalf("only %d paid completed jobs seeded", len(paid))
	}
	if err := db.Flag(ctx, paid[0].JobID, "payment not accepted: test", store.EventInput{Type: "payment_mismatch", Message: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, store.Change{JobID: paid[1].JobID, Set: store.Set{"payment_status": job.PaymentDisputed}}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := db.ReserveRefund(ctx, store.RefundRequest{JobID: paid[2].JobID, Reason: "test", Actor: job.ActorSystem, Source: "admin"}); err != nil {
		t.Fatal(err)
	}
	timeout := 15 * time.Minute
	now := anchor.Add(-30 * 24 * time.Hour)
	cutoff := now.Add(-timeout)
	inFlight := map[string]bool{paid[2].JobID: true}

	want := map[string]bool{}
	for _, j0 := range all {
		j, _ := db.Get(ctx, j0.JobID)
		if len(job.Attention(j, job.Facts{Now: now, UpscaleTimeout: timeout, RefundInFlight: inFlight[j.JobID]})) > 0 {
			want[j.JobID] = true
		}
	}
	got := map[string]bool{}
	lq := store.ListQuery{Filter: store.Filter{Attention: true, StuckBefore: &cutoff}, OrderBy: "created_at", PerPage: 500}
	for {
		p, err := db.List(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range p.Jobs {
			got[j.JobID] = true
		}
		if p.NextCursor == "" {
			break
		}
		lq.Cursor = p.NextCursor
	}
	if len(want) < 10 {
		t.Fatalf("only %d jobs need attention in the seed: the test tests little", len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s needs attention but the filter misses it", id)
		}
	}
	for id := range got {
		if !want[id] {
			t.Errorf("%s is in the filter but needs no attention", id)
		}
	}
	for _, id := range []string{paid[0].JobID, paid[1].JobID, paid[2].JobID} {
		if !got[id] {
			t.Errorf("flagged/disputed/refund-pending job %s missing", id)
		}
	}
}
