package bench

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

// ScaleHeading starts the ten-million-job section of docs/benchmarks.md.
const ScaleHeading = "## Ten million jobs"

// ScaleResult is one case timed through the store and over HTTP.
type ScaleResult struct {
	Name         string
	Daemon, HTTP Timing
	Rows         int
	Total        int64
	Exact        bool
}

// ScaleResults is what RunScale measured.
type ScaleResults struct {
	Date    time.Time
	Machine Machine
	Rows    int
	Cases   []ScaleResult
	Export  ExportSize
}

// RunScale times the Jobs screen's requests on the daemon alone (no old
// plugin beside it): page 1, the last page, status views, searches,
// counts, and the full CSV export with its peak RSS.
func (b *Bench) RunScale(ctx context.Context) (*ScaleResults, error) {
	p, err := b.params(ctx)
	if err != nil {
		return nil, err
	}
	pp := b.cfg.PerPage
	res := &ScaleResults{Date: time.Now().UTC(), Machine: b.machine(ctx), Rows: p.Rows}
	newest := func(f store.Filter) store.ListQuery {
		return store.ListQuery{Filter: f, OrderBy: "created_at", Desc: true, PerPage: pp, Page: 1}
	}
	q := func(s string) store.Filter {
		sr, _ := jobfilter.ParseSearch(s)
		return store.Filter{Search: sr}
	}
	done := store.Filter{Statuses: []job.Status{job.StatusCompleted}}
	failed := store.Filter{Statuses: []job.Status{job.StatusFailed}}
	lfrom, lto := p.localWeek()
	week := store.Filter{Statuses: []job.Status{job.StatusCompleted}, PaymentStatuses: []job.PaymentStatus{job.PaymentPaid}, CreatedFrom: &lfrom, CreatedTo: &lto}
	at := func(lq store.ListQuery, mod func(*store.ListQuery)) store.ListQuery { mod(&lq); return lq }
	v := func(kv ...string) url.Values { return perPage(pp, kv...) }
	completedTotal, _, err := b.store.Count(ctx, done)
	if err != nil {
		return nil, err
	}
	deep := min(50000, int(completedTotal)/pp/2)
	cases := []struct {
		name string
		lq   *store.ListQuery
		http url.Values
		fn   func(context.Context) error
	}{
		{name: "page 1, unfiltered", lq: ptr(newest(store.Filter{})), http: v()},
		{name: "last page, unfiltered (position=last)", lq: ptr(at(newest(store.Filter{}), func(l *store.ListQuery) { l.Last = true })), http: v("position", "last")},
		{name: "status view completed, page 1", lq: ptr(newest(done)), http: v("status", "completed")},
		{name: "status view failed, page 1", lq: ptr(newest(failed)), http: v("status", "failed")},
		{name: "status view completed, last page", lq: ptr(at(newest(done), func(l *store.ListQuery) { l.Last = true })), http: v("status", "completed", "position", "last")},
		{name: fmt.Sprintf("status view completed, page %d by number", deep), lq: ptr(at(newest(done), func(l *store.ListQuery) { l.Page = deep })), http: v("status", "completed", "page", strconv.Itoa(deep))},
		{name: "completed, paid, a site-local week (+02:00)", lq: ptr(newest(week)), http: v("status", "completed", "payment_status", "paid", "created_from", lfrom.Format(time.RFC3339), "created_to", lto.Format(time.RFC3339))},
		{name: "search: exact email", lq: ptr(newest(q(p.Email))), http: v("q", p.Email)},
		{name: "email prefix (" + p.Email[:2] + ")", lq: ptr(newest(store.Filter{Email: p.Email[:2], EmailPrefix: true})), http: v("email", p.Email[:2])},
		{name: "search: job UUID", lq: ptr(newest(q(p.PageIDs[0]))), http: v("q", p.PageIDs[0])},
		{name: "search: job UUID prefix (8 chars)", lq: ptr(newest(q(p.JobPrefix))), http: v("q", p.JobPrefix)},
		{name: "search: post or attachment id", lq: ptr(newest(q(strconv.FormatInt(p.PostID, 10)))), http: v("q", strconv.FormatInt(p.PostID, 10))},
		{name: fmt.Sprintf("live refresh, %d rows by id", len(p.PageIDs)), lq: ptr(newest(store.Filter{JobIDs: p.PageIDs})), http: v("ids", strings.Join(p.PageIDs, ","))},
		{name: "counts: every status and payment status", fn: func(ctx context.Context) error { _, err := b.store.Counts(ctx); return err }},
		{name: "counts: status views for a site-local week", fn: func(ctx context.Context) error {
			_, err := b.store.CountsFor(ctx, store.Filter{CreatedFrom: &lfrom, CreatedTo: &lto})
			return err
		}},
	}
	srv, err := b.startServer(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		r := ScaleResult{Name: c.name}
		fn := c.fn
		if c.lq != nil {
			lq := *c.lq
			fn = func(ctx context.Context) error {
				pg, err := b.store.List(ctx, lq)
				if err == nil {
					r.Rows, r.Total, r.Exact = len(pg.Jobs), pg.Total, pg.TotalExact
				}
				return err
			}
		}
		sides := []struct {
			fn func(context.Context) error
			t  *Timing
		}{{fn, &r.Daemon}}
		if c.http != nil {
			hv := c.http
			sides = append(sides, struct {
				fn func(context.Context) error
				t  *Timing
			}{func(ctx context.Context) error { _, err := srv.get(ctx, "/v1/jobs", hv); return err }, &r.HTTP})
		}
		if err := timeSides(ctx, b.cfg.Runs, sides); err != nil {
			srv.stop()
			return nil, fmt.Errorf("benchmark: %s: %w", c.name, err)
		}
		b.logf("  %-50s store %9s  HTTP %9s  rows %d total %d exact %v", c.name, MS(r.Daemon.Median()), MS(r.HTTP.Median()), r.Rows, r.Total, r.Exact)
		res.Cases = append(res.Cases, r)
	}
	srv.stop()
	b.logf("exporting every job…")
	if res.Export, err = b.exportSize(ctx, nil); err != nil {
		return nil, err
	}
	res.Machine.LoadAvgEnd = LoadAvg()
	return res, nil
}

func ptr[T any](v T) *T { return &v }

// timeSides gives each side an untimed warm-up, then times them in turn.
func timeSides(ctx context.Context, runs int, sides []struct {
	fn func(context.Context) error
	t  *Timing
}) error {
	for _, s := range sides {
		if _, err := timeOnce(ctx, s.fn); err != nil {
			return err
		}
	}
	for range runs {
		for _, s := range sides {
			d, err := timeOnce(ctx, s.fn)
			if err != nil {
				return err
			}
			s.t.Runs = append(s.t.Runs, d)
		}
	}
	return nil
}

// Markdown renders the ten-million-job section.
func (r *ScaleResults) Markdown(invocation string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := r.Machine
	w("%s\n\nRun on %s with `%s`, on data seeded by `smid seed --jobs %d --until %s`.\n\n", ScaleHeading, r.Date.Format("2006-01-02 15:04 UTC"), invocation, r.Rows, SeedAnchor.Format(time.DateOnly))
	if m.Tree != "" {
		w("- Code: `%s`.\n", m.Tree)
	}
	w("- Machine: %d CPUs (%s), %s RAM, load average %s when the run began and %s when it ended; MariaDB %s, InnoDB buffer pool %s (the tables are many times larger); %s.\n",
		m.CPUs, m.CPUModel, m.RAM, m.LoadAvg, m.LoadAvgEnd, m.MariaDB, m.BufferPool, m.Go)
	for _, t := range m.Tables {
		w("- `%s`: %d indexes counting the primary key, %.1f GiB data + %.1f GiB indexes.\n", t.Name, t.IndexCount, float64(t.Data)/(1<<30), float64(t.Index)/(1<<30))
	}
	w("\n**store** is the store call `GET /v1/jobs` makes (page and total); **HTTP** the same request to a `smid serve` over loopback. One warm-up, then %d runs each; medians and p95. The published anchor: WooCommerce's orders screen takes 30–60 s at 10 million orders.\n\n", len(r.Cases[0].Daemon.Runs))
	w("| case | store median | store p95 | HTTP median | rows | total | exact |\n|---|--:|--:|--:|--:|--:|---|\n")
	for _, c := range r.Cases {
		rows, total, exact := "—", "—", "—"
		if c.HTTP.Runs != nil {
			rows, total, exact = strconv.Itoa(c.Rows), Thousands(int(c.Total)), fmt.Sprint(c.Exact)
		}
		w("| %s | %s | %s | %s | %s | %s | %s |\n", c.Name, MS(c.Daemon.Median()), MS(c.Daemon.P95()), MS(c.HTTP.Median()), rows, total, exact)
	}
	e := r.Export
	w("\n**Export** of every job, `GET /v1/jobs/export.csv` (newest first) on a fresh `smid serve`: %s rows in %s, %s rows/s, peak RSS (`VmHWM`) %.1f MiB.\n",
		Thousands(e.Rows), (time.Duration(float64(e.Rows) / e.SmidRate() * float64(time.Second))).Round(time.Second), Thousands(int(e.SmidRate())), float64(e.MaxRSS())/(1<<20))
	return b.String()
}
