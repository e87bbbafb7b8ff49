package store_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

// Every filter the Jobs screen sends, parsed from its query string as the
// API does, selects exactly the reference rows, with an exact total.
func TestScreenFilters(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 3000)
	ctx := context.Background()
	some, other := all[1234], all[2345]
	prefix := some.Email[:5]
	// Site-local day bounds: Athens (+02:00) and Kathmandu (+05:45).
	athens := time.FixedZone("athens", 2*3600)
	ktm := time.FixedZone("ktm", 5*3600+45*60)
	aFrom, aTo := time.Date(2026, 3, 1, 0, 0, 0, 0, athens), time.Date(2026, 3, 7, 23, 59, 59, 0, athens)
	kFrom, kTo := time.Date(2026, 2, 10, 0, 0, 0, 0, ktm), time.Date(2026, 2, 10, 23, 59, 59, 0, ktm)
	in := func(j *job.Job, from, to time.Time) bool { return !j.CreatedAt.Before(from) && !j.CreatedAt.After(to) }
	ids3 := []int64{some.PostID, other.PostID, *all[10].AttachmentID}
	cases := []struct {
		name  string
		query url.Values
		keep  func(*job.Job) bool
	}{
		{"post_ids, post or attachment", url.Values{"post_ids": {fmt.Sprintf("%d,%d,%d", ids3[0], ids3[1], ids3[2])}}, func(j *job.Job) bool {
			return slices.Contains(ids3, j.PostID) || slices.Contains(ids3, *j.AttachmentID)
		}},
		{"post_ids with status", url.Values{"post_ids": {fmt.Sprint(some.PostID)}, "status": {"completed"}}, func(j *job.Job) bool {
			return j.PostID == some.PostID && j.Status == job.StatusCompleted
		}},
		{"email prefix", url.Values{"email": {prefix}}, func(j *job.Job) bool { return strings.HasPrefix(j.Email, prefix) }},
		{"email prefix is literal", url.Values{"email": {some.Email[:3] + "%"}}, func(j *job.Job) bool { return false }},
		{"email whole address", url.Values{"email": {some.Email}}, func(j *job.Job) bool { return j.Email == some.Email }},
		{"ids", url.Values{"ids": {some.JobID + "," + strings.ToUpper(other.JobID)}}, func(j *job.Job) bool {
			return j.JobID == some.JobID || j.JobID == other.JobID
		}},
		{"site-local week (+02:00)", url.Values{"created_from": {aFrom.Format(time.RFC3339)}, "created_to": {aTo.Format(time.RFC3339)}}, func(j *job.Job) bool {
			return in(j, aFrom, aTo)
		}},
		{"site-local week, '+' sent unescaped", url.Values{"created_from": {strings.Replace(aFrom.Format(time.RFC3339), "+", " ", 1)}, "status": {"completed"}}, func(j *job.Job) bool {
			return !j.CreatedAt.Before(aFrom) && j.Status == job.StatusCompleted
		}},
		{"site-local day (+05:45), status and payment", url.Values{"created_from": {kFrom.Format(time.RFC3339)}, "created_to": {kTo.Format(time.RFC3339)},
			"status": {"completed,failed"}, "payment_status": {"paid,refunded"}}, func(j *job.Job) bool {
			return in(j, kFrom, kTo) && (j.Status == job.StatusCompleted || j.Status == job.StatusFailed) &&
				(j.PaymentStatus == job.PaymentPaid || j.PaymentStatus == job.PaymentRefunded)
		}},
		{"status and payment, no dates", url.Values{"status": {"completed"}, "payment_status": {"partially_refunded"}}, func(j *job.Job) bool {
			return j.Status == job.StatusCompleted && j.PaymentStatus == job.PaymentPartiallyRefunded
		}},
		{"status and payment, whole UTC days", url.Values{"status": {"failed"}, "payment_status": {"refunded"}, "created_from": {"2026-01-01"}, "created_to": {"2026-06-30"}}, func(j *job.Job) bool {
			return j.Status == job.StatusFailed && j.PaymentStatus == job.PaymentRefunded && in(j, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC))
		}},
		{"within one UTC day", url.Values{"created_from": {"2026-04-02T06:00:00Z"}, "created_to": {"2026-04-02T18:00:00Z"}}, func(j *job.Job) bool {
			return in(j, time.Date(2026, 4, 2, 6, 0, 0, 0, time.UTC), time.Date(2026, 4, 2, 18, 0, 0, 0, time.UTC))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := jobfilter.Parse(c.query)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(all, c.keep)
			if len(want) == 0 && c.name != "email prefix is literal" {
				t.Fatal("reference selected nothing; the case tests nothing")
			}
			got := pageAll(t, db, store.ListQuery{Filter: f, OrderBy: "created_at", Desc: true, PerPage: 40})
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("got %d jobs, want %d", len(got), len(want))
			}
			total, estimate, err := db.Count(ctx, f)
			if err != nil || estimate || total != int64(len(want)) {
				t.Fatalf("count = %d estimate=%v err=%v, want exact %d", total, estimate, err, len(want))
			}
		})
	}
}

// A typed page number shows the same rows as walking there page by page,
// whichever path it takes (day counters, backwards from the end, or
// skipping from the start), with an exact total.
func TestPageNumbers(t *testing.T) {
	t.Parallel()
	db, _ := seeded(t, 3000)
	ctx := context.Background()
	athens := time.FixedZone("athens", 2*3600)
	from := time.Date(2025, 12, 20, 0, 0, 0, 0, athens)
	to := time.Date(2026, 8, 9, 23, 59, 59, 0, athens)
	cases := []struct {
		name string
		lq   store.ListQuery
	}{
		{"newest first", store.ListQuery{OrderBy: "created_at", Desc: true}},
		{"oldest first", store.ListQuery{OrderBy: "created_at"}},
		{"completed view", store.ListQuery{Filter: store.Filter{Statuses: []job.Status{job.StatusCompleted}}, OrderBy: "created_at", Desc: true}},
		{"status, payment and local dates", store.ListQuery{Filter: store.Filter{Statuses: []job.Status{job.StatusCompleted, job.StatusFailed},
			PaymentStatuses: []job.PaymentStatus{job.PaymentPaid, job.PaymentRefunded}, CreatedFrom: &from, CreatedTo: &to}, OrderBy: "created_at", Desc: true}},
		{"by amount", store.ListQuery{OrderBy: "amount_charged", Desc: true}},
		{"by email ascending, paid", store.ListQuery{Filter: store.Filter{PaymentStatuses: []job.PaymentStatus{job.PaymentPaid}}, OrderBy: "email"}},
		{"domain search", store.ListQuery{Filter: mustQ(t, "@example.com"), OrderBy: "created_at", Desc: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lq := c.lq
			lq.PerPage = 17
			walk := pageAll(t, db, lq)
			pages := (len(walk) + lq.PerPage - 1) / lq.PerPage
			if pages < 5 {
				t.Fatalf("only %d pages; the case tests nothing", pages)
			}
			for _, n := range []int{2, 3, pages / 2, pages - 1, pages, pages + 1} {
				lq.Page = n
				p, err := db.List(ctx, lq)
				if err != nil {
					t.Fatal(err)
				}
				lo, hi := min((n-1)*lq.PerPage, len(walk)), min(n*lq.PerPage, len(walk))
				if !slices.Equal(ids(p.Jobs), ids(walk[lo:hi])) {
					t.Fatalf("page %d of %d: got %d rows %v, want %v", n, pages, len(p.Jobs), ids(p.Jobs)[:min(2, len(p.Jobs))], ids(walk[lo:hi])[:min(2, hi-lo)])
				}
				if !p.TotalExact || p.Total != int64(len(walk)) {
					t.Fatalf("page %d: total %d exact=%v, want %d", n, p.Total, p.TotalExact, len(walk))
				}
				if n < pages && p.NextCursor == "" || n >= pages && p.NextCursor != "" || n <= pages && p.PrevCursor == "" {
					t.Fatalf("page %d of %d: next %q prev %q", n, pages, p.NextCursor, p.PrevCursor)
				}
				if n < pages { // the next link goes on from here
					next, err := db.List(ctx, store.ListQuery{Filter: lq.Filter, OrderBy: lq.OrderBy, Desc: lq.Desc, PerPage: lq.PerPage, Cursor: p.NextCursor})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids(next.Jobs), ids(walk[hi:min(hi+lq.PerPage, len(walk))])) {
						t.Fatalf("page %d's next cursor leads elsewhere", n)
					}
				}
			}
		})
	}
}

// The last page is the final rows in display order; its previous cursor
// walks back to the first row.
func TestLastPage(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 1000)
	ctx := context.Background()
	for _, lq := range []store.ListQuery{
		{OrderBy: "created_at", Desc: true},
		{Filter: store.Filter{Statuses: []job.Status{job.StatusFailed}}, OrderBy: "amount_charged"},
		{Filter: mustQ(t, strconv.FormatInt(all[500].PostID, 10)), OrderBy: "created_at", Desc: true},
	} {
		lq.PerPage = 7
		walk := pageAll(t, db, lq)
		lq.Last = true
		p, err := db.List(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		want := walk[max(0, len(walk)-lq.PerPage):]
		if !slices.Equal(ids(p.Jobs), ids(want)) || p.NextCursor != "" {
			t.Fatalf("%v: last page %v next=%q, want %v", lq.Filter, ids(p.Jobs), p.NextCursor, ids(want))
		}
		if p.Page != int(p.TotalPages) {
			t.Fatalf("last page says page %d of %d", p.Page, p.TotalPages)
		}
		back := slices.Clone(p.Jobs)
		for c := p.PrevCursor; c != ""; {
			q := lq
			q.Last, q.Cursor = false, c
			pp, err := db.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			back = append(slices.Clone(pp.Jobs), back...)
			c = pp.PrevCursor
		}
		if !slices.Equal(ids(back), ids(walk)) {
			t.Fatalf("%v: walking back from the last page gave %d rows, want %d", lq.Filter, len(back), len(walk))
		}
	}
}

// ids= returns exactly the jobs named, whatever the page size.
func TestListByIDs(t *testing.T) {
	t.Parallel()
	db, all := seeded(t, 500)
	var want []string
	for i := 0; i < 500; i += 5 {
		want = append(want, all[i].JobID)
	}
	p, err := db.List(context.Background(), store.ListQuery{Filter: store.Filter{JobIDs: want}, OrderBy: "created_at", Desc: true, PerPage: 20})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(p.Jobs)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || p.Total != int64(len(want)) || !p.TotalExact || p.NextCursor != "" {
		t.Fatalf("got %d jobs (total %d), want %d", len(got), p.Total, len(want))
	}
}
