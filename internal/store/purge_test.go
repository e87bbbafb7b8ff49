package store_test

import (
	"context"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

func TestPurgeRemovesRowsAndCounts(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 600)
	ctx := context.Background()
	before, _ := db.Counts(ctx)
	cutoff := anchor.AddDate(0, -6, 0)
	want := 0
	for _, j := range all {
		if j.Status == job.StatusAbandoned && j.CreatedAt.Before(cutoff) {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no old abandoned jobs in the seed; the test tests nothing")
	}
	cands, err := db.PurgeCandidates(ctx, job.StatusAbandoned, "created_at", cutoff, 1000)
	if err != nil || len(cands) != want {
		t.Fatalf("candidates %d, want %d (%v)", len(cands), want, err)
	}
	n, err := db.Purge(ctx, job.StatusAbandoned, cands)
	if err != nil || n != want {
		t.Fatalf("purged %d, want %d (%v)", n, want, err)
	}
	after, _ := db.Counts(ctx)
	if after.Total != before.Total-int64(want) || after.ByStatus[job.StatusAbandoned] != before.ByStatus[job.StatusAbandoned]-int64(want) {
		t.Fatalf("counters not moved: %d → %d", before.Total, after.Total)
	}
	if _, err := db.Get(ctx, cands[0].JobID); err != job.ErrJobNotFound {
		t.Fatalf("purged job still there: %v", err)
	}
	if evs, _ := db.Events(ctx, cands[0].JobID); len(evs) != 0 {
		t.Fatalf("events of a purged job remain: %d", len(evs))
	}
	if n, _, _ := db.Count(ctx, storeFilterStatus(job.StatusAbandoned)); n != after.ByStatus[job.StatusAbandoned] {
		t.Fatalf("counter %d disagrees with the table %d", after.ByStatus[job.StatusAbandoned], n)
	}
	// A second purge of the same jobs deletes nothing.
	if n, err := db.Purge(ctx, job.StatusAbandoned, cands); err != nil || n != 0 {
		t.Fatalf("re-purge: %d %v", n, err)
	}
}

// The retention purge never deletes a job whose money is not settled (a
// refund waiting for Stripe, a charge kept), and never the refund history.
func TestPurgeKeepsUnsettledJobsAndTheMoneyTrail(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 600)
	ctx := context.Background()
	cutoff := anchor.AddDate(0, -1, 0)
	var failed []*job.Job
	for _, j := range all {
		if j.Status == job.StatusFailed && j.FailedAt != nil && j.FailedAt.Before(cutoff) {
			failed = append(failed, j)
		}
	}
	if len(failed) < 3 {
		t.Fatalf("only %d old failed jobs seeded", len(failed))
	}
	charged := job.Money(500)
	for i, j := range failed[:3] {
		pi := "pi_purge_" + j.JobID[:8]
		if _, err := db.Apply(ctx, store.Change{JobID: j.JobID, Set: store.Set{"payment_status": job.PaymentPaid,
			"amount_charged": &charged, "stripe_payment_intent_id": pi}}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			continue // paid, never refunded: money held
		}
		rf, _, _, err := db.ReserveRefund(ctx, store.RefundRequest{JobID: j.JobID, Reason: "test", Actor: job.ActorSystem, Source: "auto"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 { // refunded in full: settled
			if _, err := db.FinishRefund(ctx, j.JobID, store.RefundOutcome{LocalID: rf.ID, Stripe: &store.StripeRefund{ID: "re_" + j.JobID[:8],
				Amount: charged, Status: "succeeded"}}, store.SyncOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cands, err := db.PurgeCandidates(ctx, job.StatusFailed, "failed_at", cutoff, 1000)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, c := range cands {
		in[c.JobID] = true
	}
	if in[failed[0].JobID] || in[failed[1].JobID] || !in[failed[2].JobID] {
		t.Fatalf("candidates: pending refund %v, money held %v, refunded %v; want false, false, true",
			in[failed[0].JobID], in[failed[1].JobID], in[failed[2].JobID])
	}
	// Even when asked to, Purge keeps the unsettled ones.
	if _, err := db.Purge(ctx, job.StatusFailed, failed[:3]); err != nil {
		t.Fatal(err)
	}
	for _, j := range failed[:2] {
		if _, err := db.Get(ctx, j.JobID); err != nil {
			t.Fatalf("unsettled job %s purged: %v", j.JobID, err)
		}
	}
	if _, err := db.Get(ctx, failed[2].JobID); err != job.ErrJobNotFound {
		t.Fatalf("settled job kept: %v", err)
	}
	if rs, _ := db.Refunds(ctx, failed[2].JobID); len(rs) != 1 || rs[0].Status != "succeeded" {
		t.Fatalf("the refund history of a purged job is gone: %+v", rs)
	}
}
