package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// duePaid inserts n paid pending jobs, due now.
func duePaid(t *testing.T, db *store.DB, n int) {
	t.Helper()
	now := db.Now()
	var jobs []*job.Job
	for range n {
		price := job.Money(50)
		jobs = append(jobs, &job.Job{JobID: uuid.NewString(), ImageURL: "https://shop.example/a.png", Resolution: "4x",
			Email: "a@example.com", PostID: 1, Status: job.StatusPending, PaymentStatus: job.PaymentPaid, Currency: "usd",
			AmountCharged: &price, PaidAt: &now, DueAt: &now, CreatedAt: now, UpdatedAt: now})
	}
	if err := db.InsertBulk(context.Background(), jobs, store.EventInput{Type: "seeded", Message: "test"}); err != nil {
		t.Fatal(err)
	}
}

// Workers claiming in batches at once never take the same job, and every
// claimed job carries its claim event, a new fence and the counters.
func TestClaimBatchTakesEachJobOnce(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	duePaid(t, db, 30)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := db.ClaimBatch(ctx, "w", time.Minute, 8, store.EventInput{Type: "submitting", Message: "claimed"})
				if err != nil {
					t.Error(err)
					return
				}
				if len(jobs) == 0 {
					// SKIP LOCKED answers nothing while another claim holds
					// the locks its scan took (it may lock more rows than it
					// returns); a worker is done only when nothing is due.
					if due, err := db.AnyDue(ctx); err != nil || !due {
						return
					}
					time.Sleep(5 * time.Millisecond)
					continue
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.JobID]++
					if j.Status != job.StatusProcessing || j.Fence != 1 || j.Attempts != 1 {
						t.Errorf("claimed job: status %s fence %d attempts %d", j.Status, j.Fence, j.Attempts)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 30 {
		t.Fatalf("%d jobs claimed, want 30", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("job %s claimed %d times", id, n)
		}
		got, _ := db.Get(ctx, id)
		if got.Status != job.StatusProcessing || got.Fence != 1 || got.LeaseOwner == nil || *got.LeaseOwner != "w" {
			t.Errorf("row after the claim: %+v", got)
		}
		evs, _ := db.Events(ctx, id)
		if last := evs[len(evs)-1]; last.Type != "submitting" || last.ToStatus == nil || *last.ToStatus != job.StatusProcessing {
			t.Errorf("last event %+v", last)
		}
	}
	c, _ := db.Counts(ctx)
	if c.ByStatus[job.StatusProcessing] != 30 || c.ByStatus[job.StatusPending] != 0 {
		t.Errorf("counters: %v", c.ByStatus)
	}
}

// Writes of many holders at once are committed together, each only while
// its holder holds the job: a stale holder is refused and changes
// nothing, a job whose payment status moved meanwhile is still completed,
// and the counters agree with the rows.
func TestGroupedFencedWrites(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	duePaid(t, db, 24)
	jobs, err := db.ClaimBatch(ctx, "w", time.Minute, 24, store.EventInput{Type: "submitting", Message: "claimed"})
	if err != nil || len(jobs) != 24 {
		t.Fatalf("claimed %d: %v", len(jobs), err)
	}
	stale := store.HolderOf(jobs[0])
	stale.Fence--
	// The payment of jobs[1] is disputed after its worker read it.
	if _, err := db.Apply(ctx, store.Change{JobID: jobs[1].JobID, Set: store.Set{"payment_status": job.PaymentDisputed}}); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := store.HolderOf(j)
			if i == 0 {
				h = stale
			}
			if err := db.RecordSubmission(ctx, h, store.Submission{UpsamplerJobID: "up-" + j.JobID[:8], PollAt: db.Now()},
				store.EventInput{Type: "submitted", Message: "sent"}); err != nil {
				errs[i] = err
				return
			}
			errs[i] = db.Complete(ctx, h, true, nil, db.Now().Add(time.Hour), store.EventInput{Type: "completed", Message: "done"})
		}()
	}
	wg.Wait()
	if !errors.Is(errs[0], job.ErrStale) {
		t.Errorf("stale holder: %v, want stale", errs[0])
	}
	for i, err := range errs[1:] {
		if err != nil {
			t.Errorf("holder %d: %v", i+1, err)
		}
	}
	if got, _ := db.Get(ctx, jobs[0].JobID); got.Status != job.StatusProcessing || got.UpsamplerJobID != nil {
		t.Errorf("the stale holder's job changed: %s %v", got.Status, got.UpsamplerJobID)
	}
	for _, j := range jobs[1:] {
		got, _ := db.Get(ctx, j.JobID)
		if got.Status != job.StatusCompleted || got.UpsamplerJobID == nil || got.LeaseOwner != nil {
			t.Errorf("job %s: %s, upscale %v, lease %v", j.JobID, got.Status, got.UpsamplerJobID, got.LeaseOwner)
		}
		evs, _ := db.Events(ctx, j.JobID)
		if n := len(evs); n < 2 || evs[n-2].Type != "submitted" || evs[n-1].Type != "completed" ||
			evs[n-1].FromStatus == nil || *evs[n-1].FromStatus != job.StatusProcessing {
			t.Errorf("job %s timeline: %+v", j.JobID, evs)
		}
	}
	c, _ := db.Counts(ctx)
	if c.ByStatus[job.StatusCompleted] != 23 || c.ByStatus[job.StatusProcessing] != 1 {
		t.Errorf("status counters: %v", c.ByStatus)
	}
	if c.ByPaymentStatus[job.PaymentPaid] != 23 || c.ByPaymentStatus[job.PaymentDisputed] != 1 {
		t.Errorf("payment counters: %v", c.ByPaymentStatus)
	}
	done := int64(len(pageAll(t, db, store.ListQuery{Filter: store.Filter{Statuses: []job.Status{job.StatusCompleted},
		PaymentStatuses: []job.PaymentStatus{job.PaymentDisputed}}, OrderBy: "created_at", PerPage: 100})))
	if done != 1 {
		t.Errorf("%d completed disputed jobs, want 1", done)
	}
}

// A job claimed but never sent goes back to the queue as it was.
func TestUnclaim(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	duePaid(t, db, 1)
	j, err := db.Claim(ctx, "w", time.Minute, store.EventInput{Type: "submitting", Message: "claimed"})
	if err != nil || j == nil {
		t.Fatalf("claim: %v %v", j, err)
	}
	if err := db.Unclaim(ctx, store.HolderOf(j), j.Attempts, store.EventInput{Type: "unclaimed", Message: "back"}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Get(ctx, j.JobID)
	if got.Status != job.StatusPending || got.Attempts != 0 || got.LeaseOwner != nil || got.DueAt == nil {
		t.Fatalf("after unclaim: %s attempts %d lease %v due %v", got.Status, got.Attempts, got.LeaseOwner, got.DueAt)
	}
	again, err := db.Claim(ctx, "w2", time.Minute, store.EventInput{Type: "submitting", Message: "claimed"})
	if err != nil || again == nil || again.JobID != j.JobID || again.Fence != j.Fence+1 {
		t.Fatalf("claim again: %+v %v", again, err)
	}
}
