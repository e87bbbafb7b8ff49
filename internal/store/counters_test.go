package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// The counters must agree with the rows after every kind of change.
func TestCountersFollowChanges(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 800)
	ctx := context.Background()
	moved := 0
	for _, j := range all {
		if j.Status != job.StatusAwaitingPayment {
			continue
		}
		if _, err := db.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusAwaitingPayment}, To: job.StatusPending,
			Set: store.Set{"payment_status": job.PaymentPaid}, Event: store.EventInput{Type: "test", Message: "paid"}}); err != nil {
			t.Fatal(err)
		}
		moved++
	}
	if moved == 0 {
		t.Fatal("nothing moved")
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC)
	for _, f := range []store.Filter{
		{Statuses: []job.Status{job.StatusPending}},
		{PaymentStatuses: []job.PaymentStatus{job.PaymentPaid}},
		{Statuses: []job.Status{job.StatusPending}, CreatedFrom: &from, CreatedTo: &to},
		{PaymentStatuses: []job.PaymentStatus{job.PaymentPending}, CreatedFrom: &from},
		{CreatedTo: &to},
	} {
		fromCounters, _, err := db.Count(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		rows := countRows(t, db, f)
		if fromCounters != rows {
			t.Errorf("%+v: counters say %d, rows %d", f, fromCounters, rows)
		}
	}
	st, err := db.CountsFor(ctx, store.Filter{CreatedFrom: &from, CreatedTo: &to})
	if err != nil {
		t.Fatal(err)
	}
	if st.ByStatus[job.StatusPending] != countRows(t, db, store.Filter{Statuses: []job.Status{job.StatusPending}, CreatedFrom: &from, CreatedTo: &to}) {
		t.Errorf("day counts for stats disagree")
	}
}

// countRows counts by walking the list, which reads rows, not counters.
func countRows(t *testing.T, db *store.DB, f store.Filter) int64 {
	t.Helper()
	return int64(len(pageAll(t, db, store.ListQuery{Filter: f, OrderBy: "created_at", Desc: true, PerPage: 500})))
}
