package e2e_test

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reportFigures is the daemon's /v1/reports answer, as much as the step checks.
type reportFigures struct {
	From, To, TZ string
	Totals       map[string]int64
	Days         []struct {
		Date    string
		Revenue int64
	}
	TopByRevenue []struct {
		PostID int64 `json:"post_id"`
	} `json:"top_by_revenue"`
}

// seeTheMoney opens Sell My Images > Reports and the dashboard and checks
// that the figures shown are the daemon's over the same local days.
func seeTheMoney(t *testing.T, e *env) {
	b, st := e.b, e.st
	b.open(st.SiteURL+"/wp-admin/admin.php?page=smi-reports", "#smi-report-totals")
	from := attr(b, "#smi-from", "value")
	to := attr(b, "#smi-to", "value")
	tz := attr(b, "form.smi-reports-range", "data-tz")
	var rep reportFigures
	if err := st.Daemon(e.ctx, "GET", "/v1/reports", url.Values{"from": {from}, "to": {to}, "tz": {tz}}, nil, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals["orders"] == 0 {
		t.Fatalf("the daemon has no orders from %s to %s (%s): nothing to compare", from, to, tz)
	}
	for _, k := range []string{"orders", "revenue", "refunds", "cost", "margin"} {
		shown := eval[string](b, fmt.Sprintf(`document.querySelector('#smi-report-totals li[data-figure=%q]').dataset.value`, k))
		if shown != fmt.Sprint(rep.Totals[k]) {
			t.Errorf("Reports %s total shows %s, the daemon says %d", k, shown, rep.Totals[k])
		}
	}
	// The revenue total as people read it: the decimal of the minor units.
	if got, want := b.text(`#smi-report-totals li[data-figure="revenue"] strong`), fmt.Sprintf("%d.%02d", rep.Totals["revenue"]/100, rep.Totals["revenue"]%100); !strings.Contains(strings.ReplaceAll(got, ",", ""), want) {
		t.Errorf("revenue total reads %q, want it to contain %s", got, want)
	}
	bars := eval[[]string](b, `[...document.querySelectorAll('svg.smi-chart rect')].map(r => r.dataset.date + '=' + r.dataset.revenue)`)
	if len(bars) != len(rep.Days) {
		t.Fatalf("chart has %d bars, the daemon %d days", len(bars), len(rep.Days))
	}
	for i, d := range rep.Days {
		if want := fmt.Sprintf("%s=%d", d.Date, d.Revenue); bars[i] != want {
			t.Errorf("bar %d is %s, the daemon says %s", i, bars[i], want)
		}
	}
	posts := eval[[]string](b, `[...document.querySelectorAll('#smi-top-revenue tbody tr')].map(r => r.dataset.post)`)
	if len(posts) != len(rep.TopByRevenue) || len(posts) == 0 {
		t.Fatalf("top posts by revenue: %v, the daemon lists %d", posts, len(rep.TopByRevenue))
	}
	for i, p := range rep.TopByRevenue {
		if posts[i] != fmt.Sprint(p.PostID) {
			t.Errorf("top post %d is %s, the daemon says %d", i, posts[i], p.PostID)
		}
	}
	b.screenshot(e.root, "reports.png")

	b.open(st.SiteURL+"/wp-admin/index.php", "#smi-widget-figures")
	var week reportFigures
	if err := st.Daemon(e.ctx, "GET", "/v1/reports", url.Values{"from": {shiftDate(t, to, -6)}, "to": {to}, "tz": {tz}}, nil, &week); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"orders", "revenue", "refunds", "margin"} {
		shown := eval[string](b, fmt.Sprintf(`document.querySelector('#smi-widget-figures li[data-figure=%q]').dataset.value`, k))
		if shown != fmt.Sprint(week.Totals[k]) {
			t.Errorf("dashboard %s shows %s, the daemon's last 7 days %d", k, shown, week.Totals[k])
		}
	}
	// Until the daemon knows attention=1 (400), the widget says it cannot count.
	// Jobs still being retried by the earlier steps may fail again while the
	// page loads, so the widget's count is the daemon's at some moment
	// between the two asks around the page load.
	attentionNow := func() (int64, error) {
		var page struct{ Total int64 }
		err := st.Daemon(e.ctx, "GET", "/v1/jobs", url.Values{"attention": {"1"}, "per_page": {"1"}}, nil, &page)
		return page.Total, err
	}
	before, errBefore := attentionNow()
	b.open(st.SiteURL+"/wp-admin/index.php", "#smi-widget-figures")
	attention := b.text(".smi-widget-attention")
	after, err := attentionNow()
	b.screenshot(e.root, "dashboard.png")
	if err = errors.Join(errBefore, err); err != nil {
		if !strings.Contains(attention, "cannot count") {
			t.Errorf("the daemon refuses attention=1 (%v) but the widget says %q", err, attention)
		}
	} else if got, _ := strconv.ParseInt(attr(b, ".smi-widget-attention", "data-count"), 10, 64); got < min(before, after) || got > max(before, after) {
		t.Errorf("widget counts %d jobs needing attention, the daemon %d before the page and %d after", got, before, after)
	}
	t.Logf("dashboard: %s", attention)
}

// shiftDate moves a YYYY-MM-DD date by days.
func shiftDate(t *testing.T, date string, days int) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, days).Format(time.DateOnly)
}
