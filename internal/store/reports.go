package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// Figures are the money of a set of jobs, in minor units. The definitions
// are those of Stats: an order is a job whose payment was captured and not
// disputed; revenue is what those orders charged; cost counts jobs that
// reached the upscaler; refunds are the recorded refund amounts; margin is
// revenue - refunds - cost.
type Figures struct {
	Orders  int64     `json:"orders"`
	Revenue job.Money `json:"revenue"`
	Refunds job.Money `json:"refunds"`
	Cost    job.Money `json:"cost"`
	Margin  job.Money `json:"margin"`
}

// Day is one local day of a daily series.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD in the report's zone
	Figures
}

// PostFigures are one post's figures.
type PostFigures struct {
	PostID int64 `json:"post_id"`
	Figures
}

// ReportRange is a half-open range of local days [From, To) in Loc; From
// and To are local midnights.
type ReportRange struct {
	From, To time.Time
	Loc      *time.Location
}

// figureCols are the sums behind Figures, shared by the daily and the
// per-post queries so both add up to the same totals.
const figureCols = `
	SUM(CASE WHEN payment_status IN ('paid','partially_refunded','refunded') THEN 1 ELSE 0 END) AS orders,
	SUM(CASE WHEN payment_status IN ('paid','partially_refunded','refunded') THEN amount_charged ELSE 0 END) AS revenue,
	SUM(COALESCE(refund_amount, 0)) AS refunds,
	SUM(CASE WHEN processing_started_at IS NOT NULL THEN amount_cost ELSE 0 END) AS cost`

// bucketMinutes is the grain the daily query groups by: every zone's
// offset (including +5:45 and +8:45) is a whole number of quarter hours,
// so each bucket falls inside one local day.
const bucketMinutes = 15

// Daily returns one Day per local day of r, days without jobs included.
// It reads the created_at range off the smi_created index and groups by
// quarter hour since r.From in SQL; Go folds the quarters into local days,
// so the database needs no time zone tables.
func (s *DB) Daily(ctx context.Context, r ReportRange) ([]Day, error) {
	from, to := r.From.UTC(), r.To.UTC()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT TIMESTAMPDIFF(MINUTE, ?, created_at) DIV ?, `+figureCols+`
		FROM {jobs} WHERE created_at >= ? AND created_at < ?
		GROUP BY 1`), from, bucketMinutes, from, to)
	if err != nil {
		return nil, fmt.Errorf("daily report: %w", err)
	}
	defer rows.Close()
	var days []Day
	index := map[string]int{}
	for d := r.From; d.Before(r.To); d = d.AddDate(0, 0, 1) {
		k := d.Format(time.DateOnly)
		index[k] = len(days)
		days = append(days, Day{Date: k})
	}
	for rows.Next() {
		var bucket int64
		var f Figures
		if err := scanFigures(rows, &bucket, &f); err != nil {
			return nil, err
		}
		k := from.Add(time.Duration(bucket) * bucketMinutes * time.Minute).In(r.Loc).Format(time.DateOnly)
		i, ok := index[k]
		if !ok {
			return nil, fmt.Errorf("daily report: bucket %d falls outside the range", bucket)
		}
		days[i].add(f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range days {
		days[i].Margin = days[i].Revenue - days[i].Refunds - days[i].Cost
	}
	return days, nil
}

// TopPosts returns the limit posts with the highest revenue (by "revenue")
// or margin (by "margin") over r, ties broken by post ID. It groups the
// range's rows by post in SQL: at most one row per post comes back.
func (s *DB) TopPosts(ctx context.Context, r ReportRange, by string, limit int) ([]PostFigures, error) {
	order := map[string]string{"revenue": "revenue", "margin": "revenue - refunds - cost"}[by]
	if order == "" {
		return nil, job.Invalid("by", "by must be revenue or margin")
	}
	// order is one of two constants above, never input.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT post_id, orders, revenue, refunds, cost FROM (
		SELECT post_id, `+figureCols+`
		FROM {jobs} WHERE created_at >= ? AND created_at < ?
		GROUP BY post_id) p
		ORDER BY `+order+` DESC, post_id LIMIT ?`), r.From.UTC(), r.To.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("top posts: %w", err)
	}
	defer rows.Close()
	var out []PostFigures
	for rows.Next() {
		var p PostFigures
		if err := scanFigures(rows, &p.PostID, &p.Figures); err != nil {
			return nil, err
		}
		p.Margin = p.Revenue - p.Refunds - p.Cost
		out = append(out, p)
	}
	return out, rows.Err()
}

func (d *Day) add(f Figures) {
	d.Orders += f.Orders
	d.Revenue += f.Revenue
	d.Refunds += f.Refunds
	d.Cost += f.Cost
}

// scanFigures reads a key and the figureCols sums, which MySQL computes
// exactly in DECIMAL and hands back as text.
func scanFigures(rows *sql.Rows, key *int64, f *Figures) error {
	var orders sql.NullInt64
	var rev, ref, cost sql.NullString
	if err := rows.Scan(key, &orders, &rev, &ref, &cost); err != nil {
		return err
	}
	f.Orders = orders.Int64
	for _, p := range []struct {
		v   sql.NullString
		dst *job.Money
	}{{rev, &f.Revenue}, {ref, &f.Refunds}, {cost, &f.Cost}} {
		if !p.v.Valid {
			continue
		}
		m, err := job.ParseDecimal(p.v.String)
		if err != nil {
			return err
		}
		*p.dst = m
	}
	return nil
}
