package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
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
	n, estimate, err := db.Count(ctx, store.Filter{Attention: true, StuckBefore: &cutoff})
	if err != nil || n != int64(len(want)) {
		t.Errorf("count %d (estimate %v, %v), want %d: totals must count the same jobs the list shows", n, estimate, err, len(want))
	}
	for _, id := range []string{paid[0].JobID, paid[1].JobID, paid[2].JobID} {
		if !got[id] {
			t.Errorf("flagged/disputed/refund-pending job %s missing", id)
		}
	}
}

// Past the exact-count bound, the Needs attention total is counted in the
// background once and answers the requests of the next minute, although
// each request's stuck-job bound is a few seconds later than the last.
func TestAttentionTotalCountedOnceAMinute(t *testing.T) {
	t.Parallel()
	at := anchor.Truncate(time.Minute)
	var mu sync.Mutex
	clock := at.Add(5 * time.Second)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	db, all := seeded(t, 1500, storetest.Options{Now: now})
	ctx := context.Background()
	db.SetCountLimit(20)
	f := func(sec int) store.Filter {
		t := at.Add(time.Duration(sec) * time.Second)
		return store.Filter{Attention: true, StuckBefore: &t}
	}
	if _, estimate, err := db.Count(ctx, f(1)); err != nil || !estimate {
		t.Fatalf("first count: estimate=%v err=%v, want an estimate past 20", estimate, err)
	}
	db.WaitRefined()
	counted, estimate, err := db.Count(ctx, f(2))
	if err != nil || !estimate {
		t.Fatalf("second count: estimate=%v err=%v", estimate, err)
	}
	// A job flagged now is not in that count until the minute is over: the
	// answer came from the background count, not from a new one.
	before, err := db.CountExact(ctx, f(40))
	if err != nil || before != counted {
		t.Fatalf("exact count %d (err %v), background count %d", before, err, counted)
	}
	var calm *job.Job
	for _, j0 := range all {
		j, _ := db.Get(ctx, j0.JobID)
		if len(job.Attention(j, job.Facts{Now: at.Add(40 * time.Second), UpscaleTimeout: time.Minute})) == 0 {
			calm = j
			break
		}
	}
	if err := db.Flag(ctx, calm.JobID, "payment not accepted: test", store.EventInput{Type: "payment_mismatch", Message: "test"}); err != nil {
		t.Fatal(err)
	}
	again, _, err := db.Count(ctx, f(40))
	if err != nil || again != counted {
		t.Fatalf("within the minute: %d (err %v), want the background count %d", again, err, counted)
	}
	if exact, err := db.CountExact(ctx, f(40)); err != nil || exact != counted+1 {
		t.Fatalf("exact count %d (err %v), want %d", exact, err, counted+1)
	}
	// A minute on, the old count still answers while a new one runs, then
	// the new one does.
	mu.Lock()
	clock = clock.Add(time.Minute)
	mu.Unlock()
	if stale, estimate, err := db.Count(ctx, f(65)); err != nil || !estimate || stale != counted {
		t.Fatalf("while counting again: %d estimate=%v (err %v), want the last count %d", stale, estimate, err, counted)
	}
	db.WaitRefined()
	if fresh, _, err := db.Count(ctx, f(66)); err != nil || fresh != counted+1 {
		t.Fatalf("after counting again: %d (err %v), want %d", fresh, err, counted+1)
	}
}
