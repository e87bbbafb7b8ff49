package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

// logInAndList checks that the admin logs in and sees the newest job first,
// the counts and the daemon's first page.
func logInAndList(t *testing.T, e *env) {
	b, st, ctx, admin, root := e.b, e.st, e.ctx, e.admin, e.root
	id := e.bought.Job.JobID
	b.open(st.SiteURL+"/wp-login.php", "#user_login")
	// wp-login.php focuses and selects #user_login 200 ms after load, so
	// keys typed before that land in the wrong field; set the values.
	b.do("fill in the login form", chromedp.SetValue(chromedp.ID("user_login"), "admin"),
		chromedp.SetValue(chromedp.ID("user_pass"), st.AdminPassword))
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
	var stats struct {
		Total   int   `json:"total"`
		Revenue int64 `json:"revenue"`
	}
	if err := st.Daemon(ctx, http.MethodGet, "/v1/stats", nil, nil, &stats); err != nil {
		t.Fatal(err)
	}
	revenue := fmt.Sprintf("$%d.%02d", stats.Revenue/100, stats.Revenue%100)
	// The strip's figures come after the page (its sums read every row).
	b.waitAttr("#smi-summary", "aria-busy", "false", 10*time.Second)
	if b.attr("#smi-summary", "data-error") != "" {
		t.Fatalf("the strip could not load its figures: %q", b.attr("#smi-summary", "title"))
	}
	// Filling it must not move the page under the admin's pointer: it once
	// sat squeezed beside the status views, grew from two lines to four
	// and pushed the table 52 px down, and a click meant for the
	// select-all box landed elsewhere.
	if shifts := b.layoutShifts("#smi-summary"); shifts != "" {
		t.Fatalf("the Jobs page moved after it loaded: %s", shifts)
	}
	if got := b.text("#smi-summary-orders"); got != strconv.Itoa(stats.Total) {
		t.Fatalf("the strip counts %q orders, the daemon %d", got, stats.Total)
	}
	if got := strings.ReplaceAll(b.text("#smi-summary-revenue"), ",", ""); got != revenue {
		t.Fatalf("the strip says revenue %q, the daemon %s", got, revenue)
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

	// A calendar month three months back, with the status filter reset,
	// in the site's time zone: the days are New York's days.
	siteOption(t, e.st, "timezone_string", "America/New_York")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Now().In(ny).AddDate(0, -3, 0)
	from := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, ny)
	to := from.AddDate(0, 1, -1)
	b.open(admin, "#smi-filter-created-from")
	b.do("pick the dates", chromedp.SetValue(chromedp.ID("smi-filter-created-from"), from.Format("2006-01-02")),
		chromedp.SetValue(chromedp.ID("smi-filter-created-to"), to.Format("2006-01-02")))
	b.click("#smi-filter-submit")
	want, err = st.Jobs(ctx, url.Values{"created_from": {from.Format(time.RFC3339)}, "created_to": {to.Add(24*time.Hour - time.Second).Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	if b.items() != want.Total || want.Total == 0 || want.Total >= seeded {
		t.Fatalf("%s…%s shows %d items, daemon %d", from.Format("2006-01-02"), to.Format("2006-01-02"), b.items(), want.Total)
	}
	for _, r := range b.rows() {
		c, err := time.Parse(time.RFC3339, r.Created)
		if err != nil || c.Before(from) || !c.Before(to.AddDate(0, 0, 1)) { // New York's days

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

// sortAndPage checks that a column header sorts both ways, as the daemon
// sorts.
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
}

// pageByCursor checks that next, previous, last and first move by the
// daemon's cursors (never page=N) and show the daemon's pages, and that a
// typed page number jumps there.
func pageByCursor(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	type answer struct {
		Jobs       []e2e.Job `json:"jobs"`
		TotalPages int       `json:"total_pages"`
		PrevCursor string    `json:"prev_cursor"`
	}
	daemon := func(q url.Values) answer {
		t.Helper()
		var a answer
		q.Set("per_page", "25")
		if err := st.Daemon(ctx, http.MethodGet, "/v1/jobs", q, nil, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	page := func(n int) []string { return ids2(daemon(url.Values{"page": {strconv.Itoa(n)}}).Jobs) }
	check := func(what string, n int, want []string, byCursor bool) {
		t.Helper()
		q := query(t, b.location())
		if byCursor && (q.Get("cursor") == "" || q.Get("page") != "smi-jobs") {
			t.Fatalf("%s: the URL %s does not move by cursor", what, b.location())
		}
		if got := b.rows(); !slices.Equal(ids(got), want) {
			t.Fatalf("%s (%s): rows %v, the daemon's %v", what, b.location(), ids(got), want)
		}
		if got := attr(b, "#current-page-selector", "value"); got != strconv.Itoa(n) {
			t.Fatalf("%s: the pager says page %q, want %d", what, got, n)
		}
	}
	b.open(admin, "#smi-jobs-table")
	if b.count(".tablenav.top a.first-page") != 0 || b.count(".tablenav.top a.prev-page") != 0 {
		t.Fatal("page 1 offers a way back")
	}
	b.click(".tablenav.top a.next-page")
	check("next", 2, page(2), true)
	b.click(".tablenav.top a.next-page")
	check("next again", 3, page(3), true)
	b.click(".tablenav.top a.prev-page")
	check("previous", 2, page(2), true)

	// The last page is read backwards from the end: the newest-last rows.
	last := daemon(url.Values{"position": {"last"}})
	b.click(".tablenav.top a.last-page")
	if query(t, b.location()).Get("position") != "last" {
		t.Fatalf("last page URL %s", b.location())
	}
	check("last", last.TotalPages, ids2(last.Jobs), false)
	if b.count(".tablenav.top a.next-page") != 0 || b.count(".tablenav.top a.last-page") != 0 {
		t.Fatal("the last page offers a way forward")
	}
	if got := b.text(".tablenav.top .total-pages"); got != strconv.Itoa(last.TotalPages) {
		t.Fatalf("total pages %q, daemon %d", got, last.TotalPages)
	}
	b.click(".tablenav.top a.prev-page")
	check("previous from the last", last.TotalPages-1, ids2(daemon(url.Values{"cursor": {last.PrevCursor}}).Jobs), true)
	b.click(".tablenav.top a.first-page")
	check("first", 1, page(1), false)

	// A typed page number jumps with page=N.
	b.do("type page 4", chromedp.SetValue(chromedp.ID("current-page-selector"), "4"))
	b.follow("submit page 4", chromedp.Submit(chromedp.ID("current-page-selector")))
	if q := query(t, b.location()); q.Get("paged") != "4" || q.Get("cursor") != "" {
		t.Fatalf("typed page 4: %s", b.location())
	}
	check("typed page", 4, page(4), false)
}

// previewFromTheList checks that Preview opens a dialog with the row's job
// as text, without leaving the list.
func previewFromTheList(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	id := e.bought.Job.JobID
	b.open(admin, "#smi-job-"+id)
	before := b.location()
	// Row actions show on hover; a keyboard user reaches them by focus.
	b.do("preview", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#smi-job-%s .smi-preview').click()`, id)),
		chromedp.WaitVisible(chromedp.CSS("#smi-preview[open]")))
	if h := b.text("#smi-preview-title"); h != "Job "+id[:8] {
		t.Fatalf("preview title %q", h)
	}
	type field struct{ Label, Value string }
	fields := eval[[]field](b, `Array.from(document.querySelectorAll('#smi-preview dt')).map(dt => ({Label: dt.textContent, Value: dt.nextElementSibling.textContent}))`)
	d, err := st.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Job ID": id, "Email": buyer, "Status": "Completed", "Resolution": d.Job.Resolution}
	for _, f := range fields {
		if w, ok := want[f.Label]; ok {
			if f.Value != w {
				t.Fatalf("preview %s = %q, want %q", f.Label, f.Value, w)
			}
			delete(want, f.Label)
		}
	}
	if len(want) > 0 {
		t.Fatalf("preview lacks %v: %+v", want, fields)
	}
	b.screenshot(e.root, "preview.png")
	if href := attr(b, "#smi-preview .smi-preview-open", "href"); !strings.HasSuffix(href, "page=smi-jobs&job="+id) {
		t.Fatalf("preview links to %q", href)
	}
	b.do("close", chromedp.Click(chromedp.CSS("#smi-preview .smi-preview-close"), chromedp.NodeVisible),
		chromedp.WaitNotVisible(chromedp.ID("smi-preview")))
	if b.location() != before {
		t.Fatalf("the preview left the list for %s", b.location())
	}
}
