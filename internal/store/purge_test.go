package store_test

import (
	"context"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
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
