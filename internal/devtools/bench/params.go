package bench

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Params are the values the cases search and filter for, read from the
// seeded data so every one of them exists.
type Params struct {
	Rows       int
	Email      string // a customer's whole address
	JobPrefix  string // the first 8 characters of a job's UUID
	PostID     int64
	WeekFrom   time.Time // a week in the middle of the range, inclusive
	WeekTo     time.Time // inclusive, one second before the next week
	Status     string    // the status the status cases filter on
	ExportFrom time.Time // created_from that selects about 10,000 rows
	PageIDs    []string  // the job ids of one page in the middle of the table
}

// ExportSmall is how many rows the small export selects.
const ExportSmall = 10_000

// params picks the cases' values: the job in the middle of the table
// gives the email, UUID prefix and post id; the middle of the date range
// gives the week.
func (b *Bench) params(ctx context.Context) (*Params, error) {
	p := &Params{Status: "completed"}
	if err := b.raw.GetContext(ctx, &p.Rows, "SELECT COUNT(*) FROM wp_smi_jobs"); err != nil {
		return nil, err
	}
	var mid struct {
		Email  string `db:"email"`
		JobID  string `db:"job_id"`
		PostID int64  `db:"post_id"`
	}
	if err := b.raw.GetContext(ctx, &mid, "SELECT email, job_id, post_id FROM wp_smi_jobs WHERE id >= (SELECT (MIN(id) + MAX(id)) DIV 2 FROM wp_smi_jobs) ORDER BY id LIMIT 1"); err != nil {
		return nil, fmt.Errorf("benchmark: pick a job: %w", err)
	}
	p.Email, p.JobPrefix, p.PostID = mid.Email, mid.JobID[:8], mid.PostID
	var lo, hi time.Time
	if err := b.raw.QueryRowxContext(ctx, "SELECT MIN(created_at), MAX(created_at) FROM wp_smi_jobs").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	p.WeekFrom = lo.Add(hi.Sub(lo) / 2).Truncate(24 * time.Hour)
	p.WeekTo = p.WeekFrom.Add(7*24*time.Hour - time.Second)
	if err := b.raw.SelectContext(ctx, &p.PageIDs, "SELECT job_id FROM wp_smi_jobs WHERE id >= (SELECT (MIN(id) + MAX(id)) DIV 2 FROM wp_smi_jobs) ORDER BY id LIMIT ?", b.cfg.PerPage); err != nil {
		return nil, err
	}
	if err := b.raw.GetContext(ctx, &p.ExportFrom, "SELECT created_at FROM wp_smi_jobs ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?", ExportSmall-1); err != nil {
		return nil, err
	}
	return p, nil
}

// perPage is a GET /v1/jobs query with per_page and the given pairs.
func perPage(pp int, kv ...string) url.Values {
	v := url.Values{"per_page": {strconv.Itoa(pp)}}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// localWeek is the parameters' week as a site in Athens (+02:00) sends
// it: local midnight to the last second of the seventh local day.
func (p *Params) localWeek() (from, to time.Time) {
	athens := time.FixedZone("+02:00", 2*3600)
	from = time.Date(p.WeekFrom.Year(), p.WeekFrom.Month(), p.WeekFrom.Day(), 0, 0, 0, 0, athens)
	return from, from.AddDate(0, 0, 7).Add(-time.Second)
}
