package e2e_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// viewsAndColumns checks the list's views against the daemon's counts (a
// status with no jobs has no view; "Needs attention" lists exactly the
// daemon's attention jobs) and that Screen Options column choices persist.
func viewsAndColumns(t *testing.T, e *env) {
	b, st, admin := e.b, e.st, e.admin
	b.open(admin, "#smi-jobs-table")
	var stats struct {
		ByStatus  map[string]int64 `json:"by_status"`
		Attention int64
	}
	if err := st.Daemon(e.ctx, "GET", "/v1/stats", nil, nil, &stats); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"awaiting_payment", "pending", "processing", "completed", "failed", "abandoned"} {
		shown := b.count("ul.subsubsub li."+s) == 1
		if shown != (stats.ByStatus[s] > 0) {
			t.Errorf("the %s view is shown: %v; the daemon counts %d such jobs", s, shown, stats.ByStatus[s])
		}
	}
	if stats.Attention == 0 {
		t.Fatal("no job needs attention after the failing jobs of the earlier steps: nothing to check")
	}
	// Jobs retried by earlier steps may still change, so the list must hold
	// the daemon's count at some moment between the asks around the click.
	attention := func() int64 {
		var page struct{ Total int64 }
		if err := st.Daemon(e.ctx, "GET", "/v1/jobs", url.Values{"attention": {"1"}, "per_page": {"1"}}, nil, &page); err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	before := attention()
	b.click("ul.subsubsub li.attention a")
	after := attention()
	if n := int64(b.items()); n < min(before, after) || n > max(before, after) {
		t.Errorf("Needs attention lists %d jobs, the daemon %d before the click and %d after", n, before, after)
	}
	b.screenshot(e.root, "attention.png")

	// Less-used columns start hidden; the admin's choice is kept.
	hidden := func(col string) bool {
		return eval[bool](b, fmt.Sprintf(`document.querySelector('#smi-jobs-table thead th#%s').classList.contains('hidden')`, col))
	}
	if !hidden("resolution") || hidden("post") {
		t.Fatalf("by default resolution hidden %v, post hidden %v", hidden("resolution"), hidden("post"))
	}
	// Each tick is saved by its own AJAX request (two at once may land in
	// either order), so one column at a time, reloading until it holds.
	flip := func(col string, wantHidden bool) {
		b.do("open Screen Options and tick "+col, chromedp.Click(chromedp.ID("show-settings-link")),
			chromedp.WaitVisible(chromedp.ID(col+"-hide")), chromedp.Click(chromedp.ID(col+"-hide")))
		// WordPress saves the tick with jQuery.post; a reload before that
		// request is sent would cancel it and the choice would never land.
		for wait := time.Now().Add(5 * time.Second); time.Now().Before(wait) && !eval[bool](b, `!window.jQuery || jQuery.active === 0`); {
			time.Sleep(100 * time.Millisecond)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			b.open(admin, "#smi-jobs-table")
			if hidden(col) == wantHidden {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after a reload %s hidden is %v: the Screen Options choice was not kept", col, hidden(col))
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	flip("post", true)
	flip("resolution", false)
	if !hidden("post") {
		t.Fatal("showing resolution brought the post column back")
	}
	if n := b.count("#smi-jobs-table tbody td.column-post.hidden"); n != len(b.rows()) {
		t.Errorf("%d post cells hidden of %d rows", n, len(b.rows()))
	}
	flip("post", false) // as it was, for whoever runs next
	flip("resolution", true)
}
