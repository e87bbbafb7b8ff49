package store_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

var anchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// seeded returns a store holding n generated jobs and the jobs themselves,
// as the reference the queries are checked against.
func seeded(t *testing.T, n int, opts ...storetest.Options) (*store.DB, []*job.Job) {
	t.Helper()
	db := storetest.New(t, opts...)
	g := seed.New(42, n, anchor)
	var all []*job.Job
	for j := g.Next(); j != nil; j = g.Next() {
		all = append(all, j)
	}
	for i := 0; i < len(all); i += 2000 {
		if err := db.InsertBulk(context.Background(), all[i:min(i+2000, len(all))], store.EventInput{Actor: job.ActorSystem, Type: "seeded", Message: "seeded"}); err != nil {
			t.Fatal(err)
		}
	}
	return db, all
}

func ids(js []*job.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.JobID
	}
	return out
}

// reference filters and sorts in Go what the store should return.
func reference(all []*job.Job, keep func(*job.Job) bool) []*job.Job {
	var out []*job.Job
	for _, j := range all {
		if keep(j) {
			out = append(out, j)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { // created_at desc, then insertion (id) desc
		if !out[a].CreatedAt.Equal(out[b].CreatedAt) {
			return out[a].CreatedAt.After(out[b].CreatedAt)
		}
		return a > b
	})
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 3000)
	ctx := context.Background()
	some := all[1234]
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 7, 23, 59, 59, 0, time.UTC)
	domain := some.Email[strings.Index(some.Email, "@")+1:]
	cases := []struct {
		name string
		f    store.Filter
		keep func(*job.Job) bool
	}{
		{"all", store.Filter{}, func(*job.Job) bool { return true }},
		{"status", store.Filter{Statuses: []job.Status{job.StatusFailed}}, func(j *job.Job) bool { return j.Status == job.StatusFailed }},
		{"two statuses", store.Filter{Statuses: []job.Status{job.StatusPending, job.StatusProcessing}}, func(j *job.Job) bool {
			return j.Status == job.StatusPending || j.Status == job.StatusProcessing
		}},
		{"payment", store.Filter{PaymentStatuses: []job.PaymentStatus{job.PaymentPartiallyRefunded}}, func(j *job.Job) bool { return j.PaymentStatus == job.PaymentPartiallyRefunded }},
		{"status and payment", store.Filter{Statuses: []job.Status{job.StatusCompleted}, PaymentStatuses: []job.PaymentStatus{job.PaymentRefunded}}, func(j *job.Job) bool {
			return j.Status == job.StatusCompleted && j.PaymentStatus == job.PaymentRefunded
		}},
		{"week with status", store.Filter{Statuses: []job.Status{job.StatusCompleted}, CreatedFrom: &from, CreatedTo: &to}, func(j *job.Job) bool {
			return j.Status == job.StatusCompleted && !j.CreatedAt.Before(from) && !j.CreatedAt.After(to)
		}},
		{"week", store.Filter{CreatedFrom: &from, CreatedTo: &to}, func(j *job.Job) bool {
			return !j.CreatedAt.Before(from) && !j.CreatedAt.After(to)
		}},
		{"week with payment", store.Filter{PaymentStatuses: []job.PaymentStatus{job.PaymentPaid}, CreatedFrom: &from, CreatedTo: &to}, func(j *job.Job) bool {
			return j.PaymentStatus == job.PaymentPaid && !j.CreatedAt.Before(from) && !j.CreatedAt.After(to)
		}},
		{"since a day, two statuses", store.Filter{Statuses: []job.Status{job.StatusFailed, job.StatusAbandoned}, CreatedFrom: &from}, func(j *job.Job) bool {
			return (j.Status == job.StatusFailed || j.Status == job.StatusAbandoned) && !j.CreatedAt.Before(from)
		}},
		{"email", store.Filter{Email: some.Email}, func(j *job.Job) bool { return j.Email == some.Email }},
		{"post", store.Filter{PostID: &some.PostID}, func(j *job.Job) bool { return j.PostID == some.PostID }},
		{"attachment", store.Filter{AttachmentID: some.AttachmentID}, func(j *job.Job) bool { return *j.AttachmentID == *some.AttachmentID }},
		{"q uuid", mustQ(t, some.JobID), func(j *job.Job) bool { return j.JobID == some.JobID }},
		{"q uuid prefix", mustQ(t, some.JobID[:8]), func(j *job.Job) bool { return strings.HasPrefix(j.JobID, some.JobID[:8]) }},
		{"q email", mustQ(t, strings.ToUpper(some.Email[:1])+some.Email[1:]), func(j *job.Job) bool { return strings.EqualFold(j.Email, some.Email) }},
		{"q email prefix", mustQ(t, some.Email[:4]), func(j *job.Job) bool { return strings.HasPrefix(j.Email, some.Email[:4]) }},
		{"q domain", mustQ(t, "@"+domain), func(j *job.Job) bool { return strings.HasSuffix(j.Email, "@"+domain) }},
		{"q post or attachment id", mustQ(t, "150"), func(j *job.Job) bool { return j.PostID == 150 || *j.AttachmentID == 150 }},
		{"combination", store.Filter{Statuses: []job.Status{job.StatusCompleted}, PostID: &some.PostID, Search: mustQ(t, "@"+domain).Search}, func(j *job.Job) bool {
			return j.Status == job.StatusCompleted && j.PostID == some.PostID && strings.HasSuffix(j.Email, "@"+domain)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := reference(all, c.keep)
			if len(want) == 0 && c.name != "status and payment" {
				t.Fatalf("reference selected nothing; the case tests nothing")
			}
			got := pageAll(t, db, store.ListQuery{Filter: c.f, OrderBy: "created_at", Desc: true, PerPage: 500})
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("got %d jobs, want %d (first got %v)", len(got), len(want), ids(got)[:min(3, len(got))])
			}
			total, capped, err := db.Count(ctx, c.f)
			if err != nil || capped || total != int64(len(want)) {
				t.Fatalf("count = %d capped=%v err=%v, want %d", total, capped, err, len(want))
			}
		})
	}
}

func mustQ(t *testing.T, q string) store.Filter {
	s, err := jobfilter.ParseSearch(q)
	if err != nil {
		t.Fatal(err)
	}
	return store.Filter{Search: s}
}

// pageAll walks every page by cursor.
func pageAll(t *testing.T, db *store.DB, lq store.ListQuery) []*job.Job {
	t.Helper()
	var out []*job.Job
	for range 10000 {
		p, err := db.List(context.Background(), lq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Jobs...)
		if p.NextCursor == "" {
			return out
		}
		lq.Cursor = p.NextCursor
	}
	t.Fatal("paging did not end")
	return nil
}

func TestSortOrders(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 2500)
	for _, col := range store.OrderBy {
		for _, desc := range []bool{true, false} {
			lq := store.ListQuery{OrderBy: col, Desc: desc, PerPage: 97}
			byCursor := pageAll(t, db, lq)
			if len(byCursor) != len(all) {
				t.Fatalf("%s desc=%v: cursor paging returned %d of %d", col, desc, len(byCursor), len(all))
			}
			if dup := firstDuplicate(byCursor); dup != "" {
				t.Fatalf("%s desc=%v: %s repeated", col, desc, dup)
			}
			var byPage []*job.Job
			for page := 1; ; page++ {
				lq.Page = page
				p, err := db.List(context.Background(), lq)
				if err != nil {
					t.Fatal(err)
				}
				byPage = append(byPage, p.Jobs...)
				if len(p.Jobs) < lq.PerPage {
					break
				}
			}
			if !slices.Equal(ids(byCursor), ids(byPage)) {
				t.Fatalf("%s desc=%v: page numbers and cursors disagree", col, desc)
			}
			if col == "email" {
				// The collation (utf8mb4_unicode_ci) decides email order, not
				// byte order; check what does not depend on it: equal emails
				// come together.
				if !grouped(byCursor) {
					t.Fatalf("email desc=%v: equal emails not contiguous", desc)
				}
			} else if !sorted(byCursor, col, desc) {
				t.Fatalf("%s desc=%v: not sorted", col, desc)
			}
		}
	}
}

func grouped(js []*job.Job) bool {
	done := map[string]bool{}
	for i, j := range js {
		e := strings.ToLower(j.Email)
		if i > 0 && strings.ToLower(js[i-1].Email) != e {
			done[strings.ToLower(js[i-1].Email)] = true
		}
		if done[e] {
			return false
		}
	}
	return true
}

func firstDuplicate(js []*job.Job) string {
	seen := map[string]bool{}
	for _, j := range js {
		if seen[j.JobID] {
			return j.JobID
		}
		seen[j.JobID] = true
	}
	return ""
}

func sortKey(j *job.Job, col string) (string, bool) {
	switch col {
	case "created_at":
		return j.CreatedAt.Format(time.RFC3339), true
	case "paid_at":
		if j.PaidAt == nil {
			return "", false
		}
		return j.PaidAt.Format(time.RFC3339), true
	case "completed_at":
		if j.CompletedAt == nil {
			return "", false
		}
		return j.CompletedAt.Format(time.RFC3339), true
	case "amount_charged":
		if j.AmountCharged == nil {
			return "", false
		}
		return strings.Repeat("0", 12-len(j.AmountCharged.Decimal())) + j.AmountCharged.Decimal(), true
	case "status":
		return string(j.Status), true
	case "payment_status":
		return string(j.PaymentStatus), true
	case "email":
		return strings.ToLower(j.Email), true
	}
	return "", false
}

// sorted checks the primary sort key; NULLs first ascending, last descending.
func sorted(js []*job.Job, col string, desc bool) bool {
	for i := 1; i < len(js); i++ {
		a, aok := sortKey(js[i-1], col)
		b, bok := sortKey(js[i], col)
		switch {
		case !aok && !bok:
		case !aok:
			if desc {
				return false
			}
		case !bok:
			if !desc {
				return false
			}
		case desc && a < b, !desc && a > b:
			return false
		}
	}
	return true
}

func TestPagingWithInsertsMeanwhile(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 10000)
	ctx := context.Background()
	lq := store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 250}
	var got []*job.Job
	g := seed.New(7, 400, anchor.AddDate(0, 1, 0)) // newer jobs arrive while we page
	for {
		p, err := db.List(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Jobs...)
		var batch []*job.Job
		for range 10 {
			if j := g.Next(); j != nil {
				batch = append(batch, j)
			}
		}
		if err := db.InsertBulk(ctx, batch, store.EventInput{Type: "seeded", Message: "seeded"}); err != nil {
			t.Fatal(err)
		}
		if p.NextCursor == "" {
			break
		}
		lq.Cursor = p.NextCursor
	}
	// Rows inserted meanwhile may or may not show (they land on pages
	// already read or still to come); every original row must show exactly
	// once and in order.
	if dup := firstDuplicate(got); dup != "" {
		t.Fatalf("%s repeated while paging", dup)
	}
	orig := map[string]bool{}
	for _, j := range all {
		orig[j.JobID] = true
	}
	var seen []*job.Job
	for _, j := range got {
		if orig[j.JobID] {
			seen = append(seen, j)
		}
	}
	want := reference(all, func(*job.Job) bool { return true })
	if !slices.Equal(ids(seen), ids(want)) {
		t.Fatalf("paging 10,000 rows while inserting: saw %d original rows, want %d", len(seen), len(want))
	}
	if len(got) == len(seen) {
		t.Fatal("no inserted row landed on a later page; the test did not interleave")
	}
}

func TestPrevCursorWalksBack(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t, 600)
	ctx := context.Background()
	lq := store.ListQuery{OrderBy: "amount_charged", Desc: true, PerPage: 50}
	var pages [][]string
	for {
		p, err := db.List(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, ids(p.Jobs))
		if p.NextCursor == "" {
			// walk back from the last page
			for i := len(pages) - 2; i >= 0; i-- {
				lq.Cursor = p.PrevCursor
				if p, err = db.List(ctx, lq); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(p.Jobs), pages[i]) {
					t.Fatalf("prev page %d differs", i)
				}
			}
			if p.PrevCursor != "" {
				t.Fatal("first page reached by prev must have no prev_cursor")
			}
			return
		}
		lq.Cursor = p.NextCursor
	}
}

func TestTotalsExactOrEstimated(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 3000)
	ctx := context.Background()
	q, _ := jobfilter.ParseSearch("@example.com")
	n := len(reference(all, func(j *job.Job) bool { return strings.HasSuffix(j.Email, "@example.com") }))
	total, estimate, err := db.Count(ctx, store.Filter{Search: q})
	if err != nil || estimate || total != int64(n) {
		t.Fatalf("domain count %d estimate=%v, want exact %d", total, estimate, n)
	}
	// Past the exact-count limit the total is an estimate, near the truth
	// and never a cap below it.
	db.SetCountLimit(50)
	total, estimate, err = db.Count(ctx, store.Filter{Search: q})
	if err != nil || !estimate || total < 51 || total < int64(n)/2 || total > int64(n)*2 {
		t.Fatalf("domain estimate %d estimate=%v, want about %d", total, estimate, n)
	}
	// The next request gets the full count made in the background.
	db.WaitRefined()
	total, estimate, _ = db.Count(ctx, store.Filter{Search: q})
	if !estimate || total != int64(n) {
		t.Fatalf("refined domain total %d (estimate=%v), want %d", total, estimate, n)
	}
	done := []job.Status{job.StatusCompleted}
	want := len(reference(all, func(j *job.Job) bool {
		return j.Status == job.StatusCompleted && strings.HasSuffix(j.Email, "@example.com")
	}))
	total, estimate, _ = db.Count(ctx, store.Filter{Statuses: done, Search: q})
	if !estimate || total < int64(want)/2 || total > int64(want)*2 {
		t.Fatalf("status and domain estimate %d (estimate=%v), want about %d", total, estimate, want)
	}
	// Statuses, payments and dates stay exact whatever the limit.
	from := anchor.AddDate(0, -7, 0).Add(90 * time.Minute)
	total, estimate, _ = db.Count(ctx, store.Filter{Statuses: done, CreatedFrom: &from})
	want = len(reference(all, func(j *job.Job) bool { return j.Status == job.StatusCompleted && !j.CreatedAt.Before(from) }))
	if estimate || total != int64(want) || want <= 50 {
		t.Fatalf("status since a time: %d estimate=%v, want exact %d", total, estimate, want)
	}
	total, estimate, _ = db.Count(ctx, store.Filter{})
	if estimate || total != 3000 {
		t.Fatalf("unfiltered total must be exact: %d", total)
	}
}

func storeFilterStatus(s job.Status) store.Filter {
	return store.Filter{Statuses: []job.Status{s}, CreatedFrom: &time.Time{}}
}

// A deep page reached by cursor reads about a page of rows, filtered or
// not: never every row before it.
func TestCursorPageReadsAPage(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t, 6000)
	ctx := context.Background()
	for _, f := range []store.Filter{{}, {Statuses: []job.Status{job.StatusCompleted}}} {
		lq := store.ListQuery{Filter: f, OrderBy: "created_at", Desc: true, PerPage: 20}
		for range 60 {
			p, err := db.List(ctx, lq)
			if err != nil {
				t.Fatal(err)
			}
			if p.NextCursor == "" {
				t.Fatalf("filter %+v ran out of pages before page 60", f)
			}
			lq.Cursor = p.NextCursor
		}
		read, err := db.RowsRead(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		if read > 100 {
			t.Errorf("page 61 by cursor, filter %+v: MariaDB read %.0f rows for 20", f, read)
		}
	}
}
