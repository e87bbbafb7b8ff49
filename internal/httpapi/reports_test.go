package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

type reportFigures struct {
	Orders, Revenue, Refunds, Cost, Margin int64
}

type postFigures struct {
	PostID int64 `json:"post_id"`
	reportFigures
}

type reportBody struct {
	TZ, From, To string
	Totals       reportFigures
	Days         []struct {
		Date string
		reportFigures
	}
	TopByRevenue []postFigures `json:"top_by_revenue"`
	TopByMargin  []postFigures `json:"top_by_margin"`
}

// plainSum is an independent reading of the rows: SELECT SUM(col) with
// its own WHERE, NULL (no rows) read as zero.
func plainSum(t *testing.T, raw *sql.DB, col, where string, args ...any) int64 {
	t.Helper()
	var s sql.NullString
	if err := raw.QueryRow("SELECT SUM("+col+") FROM wp_smi_jobs WHERE "+where, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	if !s.Valid {
		return 0
	}
	m, err := job.ParseDecimal(s.String)
	if err != nil {
		t.Fatal(err)
	}
	return int64(m)
}

// sums computes every figure by plain SUM queries over the rows matching where.
func sums(t *testing.T, raw *sql.DB, where string, args ...any) reportFigures {
	t.Helper()
	const captured = "payment_status IN ('paid','partially_refunded','refunded') AND "
	f := reportFigures{
		Revenue: plainSum(t, raw, "amount_charged", captured+where, args...),
		Refunds: plainSum(t, raw, "refund_amount", where, args...),
		Cost:    plainSum(t, raw, "amount_cost", "processing_started_at IS NOT NULL AND "+where, args...),
	}
	if err := raw.QueryRow("SELECT COUNT(*) FROM wp_smi_jobs WHERE "+captured+where, args...).Scan(&f.Orders); err != nil {
		t.Fatal(err)
	}
	f.Margin = f.Revenue - f.Refunds - f.Cost
	return f
}

// TestReportEqualsPlainSums checks every figure of /v1/reports against
// plain SQL SUMs over the same rows, on local days of a zone whose range
// crosses a daylight-saving change (Berlin, 25 October 2026: a 25-hour day).
func TestReportEqualsPlainSums(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	db := storetest.Open(t, dsn, storetest.Options{}, true)
	var all []*job.Job
	g := seed.New(7, 6000, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for j := g.Next(); j != nil; j = g.Next() {
		all = append(all, j)
	}
	if err := db.InsertBulk(context.Background(), all, store.EventInput{Type: "seeded", Message: "seeded"}); err != nil {
		t.Fatal(err)
	}
	b := serve(t, db, all)
	raw, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	res, body := b.do("GET", "/v1/reports?from=2026-10-15&to=2026-10-31T23:30:00%2B01:00&tz=Europe/Berlin", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("report: %d %s", res.StatusCode, body)
	}
	var rep reportBody
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if rep.From != "2026-10-15" || rep.To != "2026-10-31" || len(rep.Days) != 17 {
		t.Fatalf("range %s..%s, %d days; want 2026-10-15..2026-10-31, 17 days", rep.From, rep.To, len(rep.Days))
	}
	var nonEmpty int
	for i, d := range rep.Days {
		day := time.Date(2026, 10, 15+i, 0, 0, 0, 0, berlin)
		if d.Date != day.Format(time.DateOnly) {
			t.Fatalf("day %d is %s, want %s", i, d.Date, day.Format(time.DateOnly))
		}
		want := sums(t, raw, "created_at >= ? AND created_at < ?", day.UTC(), day.AddDate(0, 0, 1).UTC())
		if d.reportFigures != want {
			t.Errorf("%s: report %+v, plain SUMs %+v", d.Date, d.reportFigures, want)
		}
		if want.Orders > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 10 {
		t.Fatalf("only %d days with orders: the seed does not exercise the report", nonEmpty)
	}
	from, to := time.Date(2026, 10, 15, 0, 0, 0, 0, berlin).UTC(), time.Date(2026, 11, 1, 0, 0, 0, 0, berlin).UTC()
	if want := sums(t, raw, "created_at >= ? AND created_at < ?", from, to); rep.Totals != want {
		t.Errorf("totals %+v, plain SUMs %+v", rep.Totals, want)
	}

	checkTop := func(name string, top []postFigures, key func(reportFigures) int64) {
		t.Helper()
		if len(top) != 10 {
			t.Fatalf("%s: %d posts, want 10", name, len(top))
		}
		seen := map[int64]bool{}
		for i, p := range top {
			want := sums(t, raw, "post_id = ? AND created_at >= ? AND created_at < ?", p.PostID, from, to)
			if p.reportFigures != want {
				t.Errorf("%s post %d: report %+v, plain SUMs %+v", name, p.PostID, p.reportFigures, want)
			}
			if i > 0 && key(top[i-1].reportFigures) < key(p.reportFigures) {
				t.Errorf("%s not in descending order at %d", name, i)
			}
			seen[p.PostID] = true
		}
		// No post outside the top 10 beats the tenth.
		rows, err := raw.Query("SELECT DISTINCT post_id FROM wp_smi_jobs WHERE created_at >= ? AND created_at < ?", from, to)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		last := key(top[9].reportFigures)
		for _, id := range ids {
			if seen[id] {
				continue
			}
			if v := key(sums(t, raw, "post_id = ? AND created_at >= ? AND created_at < ?", id, from, to)); v > last {
				t.Errorf("%s: post %d has %d, above the tenth's %d", name, id, v, last)
			}
		}
	}
	checkTop("top_by_revenue", rep.TopByRevenue, func(f reportFigures) int64 { return f.Revenue })
	checkTop("top_by_margin", rep.TopByMargin, func(f reportFigures) int64 { return f.Margin })
}

func TestReportParams(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	for _, tc := range []struct {
		query string
		code  int
	}{
		{"", 200},
		{"?tz=Asia/Kathmandu&from=2026-01-01&to=2026-12-31", 200},
		{"?tz=Mars/Olympus", 400},
		{"?from=2026-02-01&to=2026-01-01", 400},
		{"?from=2025-01-01&to=2026-06-01", 400},
		{"?from=yesterday", 400},
		{"?limit=0", 400},
		{"?by=revenue", 400},
	} {
		res, body := b.do("GET", "/v1/reports"+tc.query, nil)
		if res.StatusCode != tc.code {
			t.Errorf("%q: %d %s, want %d", tc.query, res.StatusCode, body, tc.code)
		}
	}
	_, body := b.do("GET", "/v1/reports", nil)
	var rep reportBody
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if len(rep.Days) != 30 || rep.To != "2026-11-01" || rep.TopByRevenue == nil {
		t.Fatalf("default range: %s", body)
	}
}
