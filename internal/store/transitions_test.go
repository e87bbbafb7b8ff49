package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// The store refuses every status move the lifecycle table does not allow,
// and every override the override table does not allow, with a typed
// error, and leaves the row as it was.
func TestStoreRefusesMovesOutsideTheTables(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 300)
	ctx := context.Background()
	byStatus := map[job.Status][]*job.Job{}
	for _, j := range all {
		byStatus[j.Status] = append(byStatus[j.Status], j)
	}
	refused, allowed := 0, 0
	for _, override := range []bool{false, true} {
		for _, from := range job.Statuses {
			for _, to := range job.Statuses {
				if from == to {
					continue
				}
				ok := job.CanTransition(from, to)
				if override {
					ok = job.CanOverride(from, to)
				}
				if len(byStatus[from]) == 0 {
					t.Fatalf("no seeded job is %s", from)
				}
				j := byStatus[from][0]
				if ok {
					allowed++
					continue
				}
				before, _ := db.Get(ctx, j.JobID)
				_, err := db.Apply(ctx, store.Change{JobID: j.JobID, To: to, Override: override, Event: store.EventInput{Type: "test", Message: "move"}})
				if !job.IsTransitionRefused(err) || job.ErrorCode(err) != job.EConflict {
					t.Errorf("%s → %s (override %v): %v, want a refused transition", from, to, override, err)
					continue
				}
				after, _ := db.Get(ctx, j.JobID)
				if after.Status != before.Status || !after.UpdatedAt.Equal(before.UpdatedAt) {
					t.Errorf("%s → %s refused but the row changed", from, to)
				}
				refused++
			}
		}
	}
	if refused < 20 || allowed < 10 {
		t.Fatalf("refused %d, allowed %d: the tables look empty", refused, allowed)
	}
}

// A write carrying an old fence is refused as stale and changes nothing;
// a claim moves the fence on.
func TestFencedWrites(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 100)
	ctx := context.Background()
	var j *job.Job
	for _, x := range all {
		if x.Status == job.StatusProcessing {
			j, _ = db.Get(ctx, x.JobID)
			break
		}
	}
	if j == nil {
		t.Fatal("no processing job seeded")
	}
	h := store.HolderOf(j)
	h2, err := db.ClaimResult(ctx, h, "finisher-1", j.CreatedAt.Add(1e15), true)
	if err != nil {
		t.Fatalf("first claim: %v", err)
	}
	if h2.Fence != h.Fence+1 {
		t.Fatalf("fence %d after claim, want %d", h2.Fence, h.Fence+1)
	}
	if _, err := db.ClaimResult(ctx, h, "finisher-2", j.CreatedAt.Add(1e15), true); !errors.Is(err, job.ErrStale) {
		t.Fatalf("second claim with the old fence: %v, want stale", err)
	}
	if err := db.StoreResult(ctx, h, store.StoredFile{Path: "x/stale.png", Width: 1, Height: 1}, store.DeliveryToken{Digest: "d", Seq: h.Fence}, store.EventInput{}); !errors.Is(err, job.ErrStale) {
		t.Fatalf("stale store: %v", err)
	}
	if got, _ := db.Get(ctx, j.JobID); got.UpscaledFilePath != nil {
		t.Fatal("a stale writer recorded its file")
	}
	if err := db.StoreResult(ctx, h2, store.StoredFile{Path: "x/mine.png", Width: 1, Height: 1}, store.DeliveryToken{Digest: "d2", Seq: h2.Fence}, store.EventInput{}); err != nil {
		t.Fatalf("holder's store: %v", err)
	}
}
