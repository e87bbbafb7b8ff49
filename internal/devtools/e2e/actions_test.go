package e2e_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

// openAndRefund checks that the details screen shows the payment and that a
// partial refund with a reason lands in the history.
func openAndRefund(t *testing.T, e *env) {
	b, admin := e.b, e.admin
	id := e.bought.Job.JobID
	b.open(admin, "#smi-job-"+id)
	b.click("#smi-job-" + id + " a.smi-job-link")
	if h := b.text("#smi-job-details h1"); h != "Job "+id[:8] {
		t.Fatalf("details heading %q", h)
	}
	if s := b.text("#smi-job-summary"); !strings.Contains(s, id) || !strings.Contains(s, buyer) {
		t.Fatalf("summary %q", s)
	}
	if b.text("#smi-amount-charged") != "$0.50" || b.text("#smi-refund-remaining") != "$0.50" || b.count("#smi-token-state.smi-token-active") != 1 || b.text("#smi-download-count") != "1" {
		t.Fatalf("before the refund: charged %q, remaining %q, token %q, downloads %q", b.text("#smi-amount-charged"),
			b.text("#smi-refund-remaining"), attr(b, "#smi-token-state", "class"), b.text("#smi-download-count"))
	}
	if !strings.Contains(b.text("#smi-refund-history"), "No refunds") {
		t.Fatalf("refund history before any refund: %q", b.text("#smi-refund-history"))
	}
	b.do("fill in the refund", chromedp.SetValue(chromedp.ID("smi-refund-amount-input"), refundIn),
		chromedp.SendKeys(chromedp.ID("smi-refund-reason"), refundWhy))
	b.click("#smi-refund-form [type=submit]")
	if d := b.lastDialog(); !strings.Contains(d, "0.20 USD") {
		t.Fatalf("the refund was confirmed with %q", d)
	}
	if n := b.text(".smi-notice-success"); !strings.Contains(n, "Refund of $0.20 sent to Stripe") || !strings.Contains(n, "Still refundable: $0.30") {
		t.Fatalf("after the refund the notice says %q (errors: %q)", n, b.text("#smi-job-details"))
	}
	hist := b.text("#smi-refund-history tr.smi-refund")
	if b.count("#smi-refund-history tr.smi-refund") != 1 || !strings.Contains(hist, "$0.20") || !strings.Contains(hist, refundWhy) || !strings.Contains(hist, "admin") {
		t.Fatalf("refund history row %q", hist)
	}
	if b.text("#smi-refund-amount") != "$0.20" || b.text("#smi-refund-remaining") != "$0.30" {
		t.Fatalf("refunded %q, remaining %q", b.text("#smi-refund-amount"), b.text("#smi-refund-remaining"))
	}
	// "Notify the customer" is ticked by default: the buyer is told, in the
	// admin's words and the shop's money.
	if _, err := e.st.WaitMail(e.ctx, buyer, 30*time.Second, func(m e2e.Mail) bool {
		return strings.Contains(m.Text, refundWhy) && strings.Contains(m.Text, "$0.20")
	}); err != nil {
		t.Fatalf("the customer was not told of the refund: %v", err)
	}
}

// regenerateTokenAndDownload checks that a new link is shown once, emailed,
// and serves the file; the old link stops working.
func regenerateTokenAndDownload(t *testing.T, e *env) {
	b, st, ctx, admin, root := e.b, e.st, e.ctx, e.admin, e.root
	id := e.bought.Job.JobID
	b.open(admin+"&job="+id, "#smi-token-form")
	if !eval[bool](b, `document.getElementById('smi-token-send-email').checked`) {
		t.Fatal("email the new link is not ticked by default")
	}
	b.do("a link for a week", chromedp.SetValue(chromedp.ID("smi-token-expiry"), "168"))
	asked := time.Now()
	b.click("#smi-token-form [type=submit]")
	link := attr(b, "#smi-new-download-link", "value")
	if !regexp.MustCompile(`^`+regexp.QuoteMeta(st.SiteURL)+`/smi-download/[0-9a-f]{64}$`).MatchString(link) || link == e.firstLink {
		t.Fatalf("new download link %q (old %q)", link, e.firstLink)
	}
	if n := b.text(".smi-notice-success"); !strings.Contains(n, "emailed to the customer") {
		t.Fatalf("notice %q", n)
	}
	var d struct {
		Download struct {
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"download"`
	}
	if err := st.Daemon(ctx, http.MethodGet, "/v1/jobs/"+id, nil, nil, &d); err != nil {
		t.Fatal(err)
	}
	if w := asked.Add(168 * time.Hour); d.Download.ExpiresAt.Before(w.Add(-time.Minute)) || d.Download.ExpiresAt.After(w.Add(2*time.Minute)) {
		t.Fatalf("the new link expires %s, want a week after %s", d.Download.ExpiresAt, asked)
	}
	b.screenshot(root, "job-detail.png")
	wantPNG(t, link, 4*srcW, 4*srcH)
	if code := status(t, e.firstLink); code != http.StatusNotFound && code != http.StatusGone {
		t.Fatalf("the old link still answers %d", code)
	}
	if _, err := st.WaitMail(ctx, buyer, 30*time.Second, func(m e2e.Mail) bool { return m.DownloadLink() == link }); err != nil {
		t.Fatal(err)
	}
	b.open(admin+"&job="+id, "#smi-download-count")
	if b.text("#smi-download-count") != "2" {
		t.Fatalf("downloads %q after two", b.text("#smi-download-count"))
	}
}

// timelineAndNote checks that the timeline reads newest first, in words,
// that a private note lands on top of it, and that the download log shows
// the downloads the daemon recorded.
func timelineAndNote(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	id := e.bought.Job.JobID
	b.open(admin+"&job="+id, "#smi-note-form")
	note := fmt.Sprintf("E2E: called the customer & \"sent\" a voucher %d", time.Now().Unix())
	b.do("write a note", chromedp.SendKeys(chromedp.ID("smi-note-text"), note))
	b.click("#smi-note-submit")
	if n := b.text(".smi-notice-success"); !strings.Contains(n, "Note added") {
		t.Fatalf("after the note the notice says %q", n)
	}
	type item struct {
		Type, Label, Message, At string
	}
	items := eval[[]item](b, `Array.from(document.querySelectorAll('#smi-event-timeline li.smi-event')).map(li => ({
		Type: li.dataset.type, Label: li.querySelector('.smi-event-label').textContent,
		Message: li.querySelector('.smi-event-message').textContent, At: li.querySelector('time').getAttribute('datetime')}))`)
	if len(items) < 3 || items[0].Type != "note" || items[0].Message != note || items[0].Label != "Note" {
		t.Fatalf("the timeline starts with %+v, want the note %q", items[:min(2, len(items))], note)
	}
	for i := 1; i < len(items); i++ {
		a, _ := time.Parse(time.RFC3339Nano, items[i-1].At)
		c, _ := time.Parse(time.RFC3339Nano, items[i].At)
		if a.Before(c) {
			t.Fatalf("the timeline is not newest first: %s before %s", items[i-1].At, items[i].At)
		}
		if items[i].Label == items[i].Type && strings.Contains(items[i].Type, "_") {
			t.Logf("event type %q has no label", items[i].Type)
		}
	}
	d, err := st.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Events, func(ev e2e.Event) bool {
		return ev.Type == "note" && ev.Message == note && strings.HasPrefix(ev.Actor, "wp:1:")
	}) {
		t.Fatalf("the daemon has no note by the admin: %+v", d.Events)
	}
	downloads := 0
	for _, ev := range d.Events {
		if ev.Type == "downloaded" {
			downloads++
		}
	}
	if rows := b.count("#smi-download-log tr.smi-download"); rows != downloads || downloads == 0 {
		t.Fatalf("the download log shows %d rows, the daemon recorded %d downloads", rows, downloads)
	}
	if ip := b.text("#smi-download-log tr.smi-download code"); ip != "127.0.0.1" {
		t.Fatalf("the download log shows IP %q", ip)
	}
}

// bulkRetryFailed runs Retry on every failed job of a page: the paid ones
// are queued again, the refunded ones refused with the reason.
func bulkRetryFailed(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	b.open(admin+"&status=failed", "#smi-jobs-table")
	rs := b.rows()
	var retryable, refunded int
	for _, r := range rs {
		if r.Payment == "refunded" {
			refunded++
		} else {
			retryable++
		}
	}
	b.do("select every row and Retry", chromedp.Click(chromedp.ID("cb-select-all-1"), chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("bulk-action-selector-top"), "retry"))
	if n := b.count(`#smi-jobs-table input[name="job_ids[]"]:checked`); n != len(rs) {
		t.Fatalf("%d of %d rows selected", n, len(rs))
	}
	b.click("#doaction")
	if d := b.lastDialog(); !strings.Contains(d, fmt.Sprintf("Retry upscaling for %d job(s)", len(rs))) {
		t.Fatalf("the bulk retry was confirmed with %q", d)
	}
	notice := b.text(".smi-notice")
	t.Logf("%d failed jobs (%d refunded): %s", len(rs), refunded, notice)
	if retryable > 0 && !strings.Contains(notice, fmt.Sprintf("%d job", retryable)) {
		t.Fatalf("notice %q does not count %d retried jobs", notice, retryable)
	}
	if refunded > 0 && (b.count("ul.smi-batch-errors li") != refunded || !strings.Contains(notice, "refunded")) {
		t.Fatalf("notice %q should list the %d refunded jobs that cannot be retried", notice, refunded)
	}
	for _, r := range rs {
		if r.Payment == "refunded" {
			continue
		}
		d, err := st.Job(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(d.Events, func(e e2e.Event) bool { return strings.HasPrefix(e.Actor, "wp:1:") && e.Type == "requeued" }) {
			t.Fatalf("job %s has no requeued event by the admin: %+v", r.ID, d.Events)
		}
	}
}

// abandonUnpaidInOneBatch checks that "Apply to all" runs one daemon batch
// over the whole filter, with its progress shown until done.
func abandonUnpaidInOneBatch(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	// A few more visitors who never paid, so the filter has more jobs
	// than one page and "Apply to all" is offered.
	p, err := st.AddProduct(ctx, "e2e-photo", "E2E photo", srcW, srcH)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := st.CheckoutREST(ctx, p, "8x", fmt.Sprintf("e2e-visitor%d@example.com", i)); err != nil {
			t.Fatal(err)
		}
	}
	filter := url.Values{"status": {"awaiting_payment"}}
	want, err := st.Jobs(ctx, filter)
	if err != nil || want.Total <= 25 {
		t.Fatalf("%d jobs await payment (%v); the test needs more than a page", want.Total, err)
	}
	abandoned, err := st.Jobs(ctx, url.Values{"status": {"abandoned"}})
	if err != nil {
		t.Fatal(err)
	}
	b.open(admin+"&"+filter.Encode(), "#smi-apply-all")
	b.do("choose Set status", chromedp.SetValue(chromedp.ID("bulk-action-selector-top"), "set_status"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('bulk-action-selector-top').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.ID("smi-bulk-reason")),
		chromedp.SetValue(chromedp.ID("smi-bulk-status"), "abandoned"),
		chromedp.Click(chromedp.ID("smi-apply-all"), chromedp.NodeVisible))
	// Enter in the reason is Apply, with its confirmation: not the search
	// that the form's first button (the search box's) would submit.
	b.follow("type the reason and press Enter", chromedp.SendKeys(chromedp.ID("smi-bulk-reason"), "E2E: these visitors never paid"+kb.Enter))
	if d := b.lastDialog(); !strings.Contains(d, fmt.Sprintf("Set the status of %d job(s) to \"Abandoned\"", want.Total)) {
		t.Fatalf("the batch was confirmed with %q; %d jobs match", d, want.Total)
	}
	if n := b.text(".smi-notice-success"); !strings.Contains(n, "The batch was started") {
		t.Fatalf("notice %q", n)
	}
	done := b.waitText("#smi-batch-progress", "Batch finished", time.Minute)
	t.Logf("%s", done)
	if !strings.Contains(done, fmt.Sprintf("%d of %d done, 0 failed", want.Total, want.Total)) {
		var batch struct {
			Errors []struct {
				JobID   string `json:"job_id"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		_ = st.Daemon(ctx, http.MethodGet, "/v1/batches/"+query(t, b.location()).Get("smi_batch"), nil, nil, &batch)
		t.Fatalf("progress %q for the %d jobs of the filter; the daemon's errors: %+v", done, want.Total, batch.Errors[:min(3, len(batch.Errors))])
	}
	b.open(admin, "#smi-view-abandoned")
	if n := b.count("#smi-view-awaiting_payment"); n != 0 {
		t.Fatalf("an empty Awaiting payment view is still shown (%q)", b.text("#smi-view-awaiting_payment"))
	}
	if got := b.text("#smi-view-abandoned .count"); got != fmt.Sprintf("(%d)", abandoned.Total+want.Total) {
		t.Fatalf("Abandoned view says %s, want (%d)", got, abandoned.Total+want.Total)
	}
}

// exportCSV checks that the export keeps the filter and holds every matching job.
func exportCSV(t *testing.T, e *env) {
	b, st, ctx, admin := e.b, e.st, e.ctx, e.admin
	b.open(admin+"&status=completed", "#smi-export-csv")
	href := attr(b, "#smi-export-csv", "href")
	if !strings.Contains(href, "status=completed") {
		t.Fatalf("export link %s does not keep the filter", href)
	}
	type answer struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	// Response.text() strips a leading BOM, so the body is decoded with
	// ignoreBOM to keep the bytes the spreadsheet app will see.
	a := eval[answer](b, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(r => r.arrayBuffer().then(buf => ({
		status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
		body: new TextDecoder('utf-8', {ignoreBOM: true}).decode(buf)})))`, href))
	if a.Status != 200 || !strings.HasPrefix(a.Type, "text/csv") || !strings.Contains(a.Disposition, "smi-jobs-") {
		t.Fatalf("export answered %d %q %q: %.300s", a.Status, a.Type, a.Disposition, a.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want, err := st.Jobs(ctx, url.Values{"status": {"completed"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != want.Total {
		t.Fatalf("CSV has %d rows, the daemon %d completed jobs", len(recs)-1, want.Total)
	}
	// The screen asks for human headers with their stable keys, "Status
	// (status)", behind a UTF-8 BOM for spreadsheet apps.
	if !strings.HasPrefix(a.Body, "\ufeff") {
		t.Fatal("the export has no UTF-8 BOM")
	}
	keys := make([]string, len(recs[0]))
	for i, h := range recs[0] {
		if open := strings.LastIndex(h, " ("); open >= 0 && strings.HasSuffix(h, ")") {
			h = h[open+2 : len(h)-1]
		}
		keys[i] = h
	}
	col := slices.Index(keys, "status")
	if col < 0 || !slices.Contains(keys, "job_id") || recs[0][col] == "status" {
		t.Fatalf("CSV header %v: want labelled columns with their keys", recs[0])
	}
	for _, r := range recs[1:] {
		if r[col] != "completed" {
			t.Fatalf("CSV row %v in a completed export", r)
		}
	}
}
