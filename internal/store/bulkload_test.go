package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// The bulk load gives the same jobs, events, counters and indexes as
// inserting them one batch at a time.
func TestBulkLoadMatchesInserts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, all := seeded(t, 2500)
	db := storetest.New(t)
	g := seed.New(42, 2500, anchor)
	n, err := db.BulkLoad(ctx, g.Next, store.EventInput{Actor: job.ActorSystem, Type: "seeded", Message: "seeded"}, store.BulkLoadConfig{Chunk: 1000})
	if err != nil || n != len(all) {
		t.Fatalf("loaded %d, err %v", n, err)
	}
	lq := store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 500}
	want, got := pageAll(t, ref, lq), pageAll(t, db, lq)
	if len(got) != len(want) {
		t.Fatalf("%d jobs, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := *want[i], *got[i]
		w.ID, g.ID = 0, 0
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("job %d differs:\n got %+v\nwant %+v", i, g, w)
		}
	}
	wc, _ := ref.Counts(ctx)
	gc, _ := db.Counts(ctx)
	if !reflect.DeepEqual(wc, gc) {
		t.Fatalf("counts %+v, want %+v", gc, wc)
	}
	from := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	for _, f := range []store.Filter{
		{CreatedFrom: &from},
		{Statuses: []job.Status{job.StatusCompleted}, PaymentStatuses: []job.PaymentStatus{job.PaymentRefunded}},
		{Statuses: []job.Status{job.StatusFailed}, PaymentStatuses: []job.PaymentStatus{job.PaymentPaid}, CreatedFrom: &from},
	} {
		n, est, err := db.Count(ctx, f)
		if err != nil || est || n != countRows(t, db, f) {
			t.Fatalf("%+v: counters %d (est %v, err %v), rows %d", f, n, est, err, countRows(t, db, f))
		}
	}
	// Every index is back: a search by email and by UUID prefix work and
	// the events were written.
	ev, err := db.Events(ctx, all[7].JobID)
	if err != nil || len(ev) != 1 {
		t.Fatalf("events of a loaded job: %v %v", ev, err)
	}
	if a, b := ref.IndexDDL(ctx), db.IndexDDL(ctx); a != b || a == ";" {
		t.Fatalf("indexes after the load %v, want %v", b, a)
	}
}
