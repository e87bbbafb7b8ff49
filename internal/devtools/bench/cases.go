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

// Target is what a case must reach.
type Target int

// The targets.
const (
	TargetNone  Target = iota // reported, no target
	TargetList                // at least 20× the old plugin
	TargetDeep                // page 5,000: at least 50×
	TargetExact               // exact searches: at least 100×
	TargetFlat                // any page: at most 1.3× the daemon's page 1 (of the same view when Versus names it)
	TargetNear                // at most 1.2× the daemon's time for the case named in Versus
)

// Factor is the speed-up the target asks for (the slowdown bound for
// TargetFlat and TargetNear).
func (t Target) Factor() float64 {
	return [...]float64{0, 20, 50, 100, 1.3, 1.2}[t]
}

// relative reports whether the target compares the daemon with itself.
func (t Target) relative() bool { return t == TargetFlat || t == TargetNear }

func (t Target) String() string {
	switch t {
	case TargetNone:
		return "—"
	case TargetFlat:
		return "≤ 1.3× its page 1"
	case TargetNear:
		return "≤ 1.2× its filter"
	}
	return fmt.Sprintf("≥ %.0f×", t.Factor())
}

// Case is one thing the Jobs page does, as the daemon does it and as the old
// plugin did it.
type Case struct {
	Name   string
	Target Target
	// Versus names the case a TargetNear or TargetFlat case is held to
	// (TargetFlat: the unfiltered page 1 when empty).
	Versus string
	Daemon func(context.Context) error
	// HTTP is the same request to GET /v1/jobs; nil when not timed there.
	HTTP   url.Values
	Legacy func(context.Context) error
}

// cases builds every case from the chosen parameters. Cursors are fetched
// here, once, by asking for the page before by number.
func (b *Bench) cases(ctx context.Context, p *Params) ([]Case, error) {
	pp := b.cfg.PerPage
	status := []job.Status{job.Status(p.Status)}
	byStatus := store.Filter{Statuses: status}
	newest := func(f store.Filter, page int) store.ListQuery {
		return store.ListQuery{Filter: f, OrderBy: "created_at", Desc: true, PerPage: pp, Page: page}
	}
	lastOf := func(f store.Filter) store.ListQuery { lq := newest(f, 0); lq.Last = true; return lq }
	vals := func(kv ...string) url.Values { return perPage(pp, kv...) }
	statusRows, _, err := b.store.Count(ctx, byStatus)
	if err != nil {
		return nil, err
	}
	// Page 5,000 where the status view has that many pages (1,000,000
	// jobs), else three quarters of the way down.
	deep := min(5000, int(statusRows)/pp*3/4)
	last := (p.Rows + pp - 1) / pp
	deepCursor, err := b.cursorFor(ctx, newest(byStatus, deep-1))
	if err != nil {
		return nil, err
	}
	lastCursor, err := b.cursorFor(ctx, newest(store.Filter{}, last-1))
	if err != nil {
		return nil, err
	}
	withCursor := func(lq store.ListQuery, c string) store.ListQuery { lq.Cursor = c; return lq }
	post := strconv.FormatInt(p.PostID, 10)
	searches := map[string]store.Filter{}
	for _, q := range []string{p.Email, p.JobPrefix, post} {
		s, err := jobfilter.ParseSearch(q)
		if err != nil {
			return nil, fmt.Errorf("benchmark: search %q: %w", q, err)
		}
		searches[q] = store.Filter{Search: s}
	}
	search := func(q string) store.Filter { return searches[q] }
	week := store.Filter{Statuses: status, CreatedFrom: &p.WeekFrom, CreatedTo: &p.WeekTo}
	wfrom, wto := p.WeekFrom.Format(time.RFC3339), p.WeekTo.Format(time.RFC3339)
	// The screen's date filter sends site-local day bounds: Athens, +02:00.
	lfrom, lto := p.localWeek()
	paid := []job.PaymentStatus{job.PaymentPaid}
	localWeek := store.Filter{Statuses: status, PaymentStatuses: paid, CreatedFrom: &lfrom, CreatedTo: &lto}
	statusWhere, statusArgs := " WHERE status = ?", []any{p.Status}
	newestFirst := "created_at DESC"
	emailW, emailA := legacySearch(p.Email)
	prefW, prefA := legacySearch(p.JobPrefix)
	statusPages := (int(statusRows) + pp - 1) / pp
	prefixQ := p.Email[:2]

	return []Case{
		{Name: "page 1, unfiltered", Target: TargetList,
			Daemon: b.list(newest(store.Filter{}, 1)), HTTP: vals(),
			Legacy: b.legacyPage("", nil, newestFirst, 0)},
		{Name: "page 1, status=" + p.Status, Target: TargetList,
			Daemon: b.list(newest(byStatus, 1)), HTTP: vals("status", p.Status),
			Legacy: b.legacyPage(statusWhere, statusArgs, newestFirst, 0)},
		{Name: fmt.Sprintf("page %d, status=%s, by page number", deep, p.Status), Target: TargetFlat, Versus: "page 1, status=" + p.Status,
			Daemon: b.list(newest(byStatus, deep)), HTTP: vals("status", p.Status, "page", strconv.Itoa(deep)),
			Legacy: b.legacyPage(statusWhere, statusArgs, newestFirst, (deep-1)*pp)},
		{Name: fmt.Sprintf("page %d, status=%s, by cursor", deep, p.Status), Target: TargetFlat, Versus: "page 1, status=" + p.Status,
			Daemon: b.list(withCursor(newest(byStatus, 0), deepCursor)), HTTP: vals("status", p.Status, "cursor", deepCursor),
			Legacy: b.legacyPage(statusWhere, statusArgs, newestFirst, (deep-1)*pp)},
		{Name: fmt.Sprintf("last page (%d), status=%s, position=last", statusPages, p.Status), Target: TargetFlat, Versus: "page 1, status=" + p.Status,
			Daemon: b.list(lastOf(byStatus)), HTTP: vals("status", p.Status, "position", "last"),
			Legacy: b.legacyPage(statusWhere, statusArgs, newestFirst, (statusPages-1)*pp)},
		{Name: "search: exact email", Target: TargetExact,
			Daemon: b.list(newest(search(p.Email), 1)), HTTP: vals("q", p.Email),
			Legacy: b.legacyPage(emailW, emailA, newestFirst, 0)},
		{Name: "search: job UUID prefix (8 chars)", Target: TargetExact,
			Daemon: b.list(newest(search(p.JobPrefix), 1)), HTTP: vals("q", p.JobPrefix),
			Legacy: b.legacyPage(prefW, prefA, newestFirst, 0)},
		{Name: "filter post_id (same filter on both sides)", Target: TargetNone,
			Daemon: b.list(newest(store.Filter{PostID: &p.PostID}, 1)), HTTP: vals("post_id", post),
			Legacy: b.legacyPage(" WHERE post_id = ?", []any{p.PostID}, newestFirst, 0)},
		{Name: "search: post id, post or attachment (legacy: its post_id filter)", Target: TargetNear, Versus: "filter post_id (same filter on both sides)",
			Daemon: b.list(newest(search(post), 1)), HTTP: vals("q", post),
			Legacy: b.legacyPage(" WHERE post_id = ?", []any{p.PostID}, newestFirst, 0)},
		{Name: fmt.Sprintf("email prefix %q", prefixQ), Target: TargetList,
			Daemon: b.list(newest(store.Filter{Email: prefixQ, EmailPrefix: true}, 1)), HTTP: vals("email", prefixQ),
			Legacy: b.legacyPage(" WHERE email LIKE ?", []any{prefixQ + "%"}, newestFirst, 0)},
		{Name: "one week, status=" + p.Status, Target: TargetList,
			Daemon: b.list(newest(week, 1)), HTTP: vals("status", p.Status, "created_from", wfrom, "created_to", wto),
			Legacy: b.legacyPage(" WHERE status = ? AND created_at >= ? AND created_at <= ?", []any{p.Status, p.WeekFrom, p.WeekTo}, newestFirst, 0)},
		{Name: "site-local week (+02:00), status=" + p.Status + ", payment=paid", Target: TargetList,
			Daemon: b.list(newest(localWeek, 1)), HTTP: vals("status", p.Status, "payment_status", "paid", "created_from", lfrom.Format(time.RFC3339), "created_to", lto.Format(time.RFC3339)),
			Legacy: b.legacyPage(" WHERE status = ? AND payment_status = ? AND created_at >= ? AND created_at <= ?", []any{p.Status, "paid", lfrom.UTC(), lto.UTC()}, newestFirst, 0)},
		{Name: "sort by amount, page 1", Target: TargetList,
			Daemon: b.list(store.ListQuery{OrderBy: "amount_charged", Desc: true, PerPage: pp, Page: 1}), HTTP: vals("orderby", "amount_charged", "order", "desc"),
			Legacy: b.legacyPage("", nil, "amount_charged DESC", 0)},
		{Name: fmt.Sprintf("live refresh, %d rows by id (legacy: one query a row)", pp), Target: TargetNone,
			Daemon: b.list(store.ListQuery{Filter: store.Filter{JobIDs: p.PageIDs}, OrderBy: "created_at", Desc: true, PerPage: pp}), HTTP: vals("ids", strings.Join(p.PageIDs, ",")),
			Legacy: b.legacyRows(p.PageIDs)},
		{Name: "total for status=" + p.Status, Target: TargetNone,
			Daemon: func(ctx context.Context) error { _, _, err := b.store.Count(ctx, byStatus); return err },
			Legacy: b.legacyQuery("SELECT COUNT(*) FROM "+legacyTable+statusWhere, statusArgs...)},
		{Name: "all status counts", Target: TargetNone,
			Daemon: func(ctx context.Context) error { _, err := b.store.Counts(ctx); return err },
			Legacy: b.legacyQuery("SELECT status, COUNT(*) FROM " + legacyTable + " GROUP BY status")},
		{Name: fmt.Sprintf("page %d (last), unfiltered, by cursor", last), Target: TargetFlat,
			Daemon: b.list(withCursor(newest(store.Filter{}, 0), lastCursor)), HTTP: vals("cursor", lastCursor),
			Legacy: b.legacyPage("", nil, newestFirst, (last-1)*pp)},
		{Name: fmt.Sprintf("page %d (last), unfiltered, position=last", last), Target: TargetFlat,
			Daemon: b.list(lastOf(store.Filter{})), HTTP: vals("position", "last"),
			Legacy: b.legacyPage("", nil, newestFirst, (last-1)*pp)},
	}, nil
}

// list is one Jobs page through the store, exactly what GET /v1/jobs runs
// before it writes JSON: the page query and the total.
func (b *Bench) list(lq store.ListQuery) func(context.Context) error {
	return func(ctx context.Context) error {
		p, err := b.store.List(ctx, lq)
		if err != nil {
			return err
		}
		if len(p.Jobs) == 0 {
			return fmt.Errorf("list %+v: empty page", lq.Filter)
		}
		return nil
	}
}

// cursorFor returns the cursor that leads from page lq.Page to the next.
func (b *Bench) cursorFor(ctx context.Context, lq store.ListQuery) (string, error) {
	p, err := b.store.List(ctx, lq)
	if err != nil {
		return "", err
	}
	if p.NextCursor == "" {
		return "", fmt.Errorf("benchmark: page %d has no next page", lq.Page)
	}
	return p.NextCursor, nil
}
