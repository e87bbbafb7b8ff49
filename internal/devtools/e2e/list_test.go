package e2e_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// logInAndList checks that the admin logs in and sees the newest job first,
// the counts and the daemon's first page.
func logInAndList(t *testing.T, e *env) {
	b, st, ctx, admin, root := e.b, e.st, e.ctx, e.admin, e.root
	id := e.bought.Job.JobID
	b.open(st.SiteURL+"/wp-login.php", "#user_login")
	b.do("fill in the login form", chromedp.SendKeys(chromedp.ID("user_login"), "admin"),
		chromedp.SendKeys(chromedp.ID("user_pass"), st.AdminPassword))
	b.click("#wp-submit")
	if l := b.location(); !strings.Contains(l, "/wp-admin/") {
		t.Fatalf("after logging in the browser is at %s", l)
	}
	b.open(admin, "#smi-jobs-table")
	all, err := st.Jobs(ctx, url.Values{"per_page": {"25"}})
	if err != nil {
		t.Fatal(err)
	}
	rs := b.rows()
	if len(rs) != 25 || b.items() != seeded+1 || all.Total != seeded+1 {
		t.Fatalf("list shows %d rows of %d items; the daemon has %d jobs", len(rs), b.items(), all.Total)
	}
	if rs[0].ID != id || rs[0].Status != "completed" || !strings.Contains(rs[0].Badge, "smi-status-completed") || rs[0].Email != buyer {
		t.Fatalf("the newest row is %+v, want the job just bought (%s, completed)", rs[0], id)
	}
	if !slices.Equal(ids(rs), ids2(all.Jobs)) {
		t.Fatalf("rows %v, daemon's first page %v", ids(rs), ids2(all.Jobs))
	}
	if got := b.text("#smi-view-all .count"); got != fmt.Sprintf("(%d)", seeded+1) {
		t.Fatalf("All view count %q", got)
	}
	b.screenshot(root, "jobs-list.png")
}

// filterByStatusAndDates checks that the status filter and a calendar month
// show what the daemon counts, and only that.
func filterByStatusAndDates(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	b.open(admin, "#smi-filter-status")
	b.do("choose failed", chromedp.SetValue(chromedp.ID("smi-filter-status"), "failed"))
	b.click("#smi-filter-submit")
	want, err := st.Jobs(ctx, url.Values{"status": {"failed"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.location(), "status=failed") || b.items() != want.Total || want.Total == 0 {
		t.Fatalf("failed filter: %s shows %d items, daemon %d", b.location(), b.items(), want.Total)
	}
	for _, r := range b.rows() {
		if r.Status != "failed" || !strings.Contains(r.Badge, "smi-status-failed") {
			t.Fatalf("row %+v in the failed view", r)
		}
	}
	if !strings.Contains(attr(b, "#smi-view-failed", "class"), "current") {
		t.Fatal("the Failed view is not marked current")
	}

	// A calendar month three months back, with the status filter reset.
	month := time.Now().UTC().AddDate(0, -3, 0)
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, -1)
	b.open(admin, "#smi-filter-created-from")
	b.do("pick the dates", chromedp.SetValue(chromedp.ID("smi-filter-created-from"), from.Format("2006-01-02")),
		chromedp.SetValue(chromedp.ID("smi-filter-created-to"), to.Format("2006-01-02")))
	b.click("#smi-filter-submit")
	want, err = st.Jobs(ctx, url.Values{"created_from": {from.Format("2006-01-02")}, "created_to": {to.Format("2006-01-02")}})
	if err != nil {
		t.Fatal(err)
	}
	if b.items() != want.Total || want.Total == 0 || want.Total >= seeded {
		t.Fatalf("%s…%s shows %d items, daemon %d", from.Format("2006-01-02"), to.Format("2006-01-02"), b.items(), want.Total)
	}
	for _, r := range b.rows() {
		c, err := time.Parse(time.RFC3339, r.Created)
		if err != nil || c.Before(from) || !c.Before(to.AddDate(0, 0, 1)) {
			t.Fatalf("row %s created %q is outside %s…%s", r.ID, r.Created, from, to)
		}
	}
}

// searchByEmailAndID checks that search finds a customer's jobs by email and
// one job by its ID prefix.
func searchByEmailAndID(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	b.open(admin+"&paged=3", "#smi-jobs-search-input")
	rs := b.rows()
	email, other := rs[0].Email, rs[1].ID
	b.do("search the email", chromedp.SetValue(chromedp.ID("smi-jobs-search-input"), email))
	b.click("#search-submit")
	want, err := st.Jobs(ctx, url.Values{"q": {email}})
	if err != nil {
		t.Fatal(err)
	}
	got := b.rows()
	if len(got) == 0 || b.items() != want.Total {
		t.Fatalf("search %s: %d rows, %d items; daemon %d", email, len(got), b.items(), want.Total)
	}
	for _, r := range got {
		if !strings.EqualFold(r.Email, email) {
			t.Fatalf("search %s shows %+v", email, r)
		}
	}
	b.open(admin, "#smi-jobs-search-input")
	b.do("search the id", chromedp.SetValue(chromedp.ID("smi-jobs-search-input"), other[:8]))
	b.click("#search-submit")
	if got := b.rows(); len(got) != 1 || got[0].ID != other {
		t.Fatalf("search %s: rows %v, want only %s", other[:8], ids(got), other)
	}
}

// sortAndPage checks that a column header sorts both ways and the pager
// shows the daemon's second page.
func sortAndPage(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	b.open(admin, "#smi-jobs-table")
	for range 2 { // the first click sorts, the second reverses
		b.click("#smi-jobs-table thead th.column-amount_charged a")
		q := query(t, b.location())
		if q.Get("orderby") != "amount_charged" || q.Get("order") == "" {
			t.Fatalf("after sorting the URL is %s", b.location())
		}
		want, err := st.Jobs(ctx, url.Values{"orderby": {"amount_charged"}, "order": {q.Get("order")}, "per_page": {"25"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.rows(); !slices.Equal(ids(got), ids2(want.Jobs)) {
			t.Fatalf("sorted by amount %s: rows %v, daemon %v", q.Get("order"), ids(got), ids2(want.Jobs))
		}
	}
	b.open(admin, "#smi-jobs-table")
	b.click(".tablenav.top a.next-page")
	want, err := st.Jobs(ctx, url.Values{"page": {"2"}, "per_page": {"25"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.rows(); query(t, b.location()).Get("paged") != "2" || !slices.Equal(ids(got), ids2(want.Jobs)) {
		t.Fatalf("page 2 (%s): rows %v, daemon %v", b.location(), ids(got), ids2(want.Jobs))
	}
	if got := b.text(".tablenav.top .total-pages"); got != strconv.Itoa(want.TotalPages) {
		t.Fatalf("total pages %q, daemon %d", got, want.TotalPages)
	}
}
