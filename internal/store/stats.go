package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sellmyimages/smid/internal/job"
)

// Stats are counts and money over a filter (the Jobs page's header).
type Stats struct {
	Counts
	Revenue  job.Money // charged on captured payments
	Cost     job.Money // processing cost of jobs that reached the upscaler
	Refunded job.Money
	Margin   job.Money // revenue - refunded - cost
}

// Stats adds the money sums to the counts. The sums are computed exactly by
// MySQL in DECIMAL and read back as text.
func (s *DB) Stats(ctx context.Context, f Filter) (*Stats, error) {
	c, err := s.CountsFor(ctx, f)
	if err != nil {
		return nil, err
	}
	where, args := f.where()
	var rev, cost, ref sql.NullString
	q := `SELECT
		SUM(CASE WHEN payment_status IN ('paid','partially_refunded','refunded') THEN amount_charged ELSE 0 END),
		SUM(CASE WHEN processing_started_at IS NOT NULL THEN amount_cost ELSE 0 END),
		SUM(COALESCE(refund_amount, 0))
		FROM {jobs}` + where
	if err := s.db.QueryRowContext(ctx, s.q(q), args...).Scan(&rev, &cost, &ref); err != nil {
		return nil, fmt.Errorf("stats money: %w", err)
	}
	st := &Stats{Counts: *c}
	for _, p := range []struct {
		v   sql.NullString
		dst *job.Money
	}{{rev, &st.Revenue}, {cost, &st.Cost}, {ref, &st.Refunded}} {
		if p.v.Valid {
			m, err := job.ParseDecimal(p.v.String)
			if err != nil {
				return nil, err
			}
			*p.dst = m
		}
	}
	st.Margin = st.Revenue - st.Refunded - st.Cost
	return st, nil
}

// countsFromDays answers per-status and per-payment counts over whole days
// from the day counters.
func (s *DB) countsFromDays(ctx context.Context, f Filter) (*Counts, error) {
	st, err := s.countDays(ctx, f, "status_day", statusNames(job.Statuses))
	if err != nil {
		return nil, err
	}
	ps, err := s.countDays(ctx, f, "payment_day", paymentNames(job.PaymentStatuses))
	if err != nil {
		return nil, err
	}
	c := &Counts{ByStatus: map[job.Status]int64{}, ByPaymentStatus: map[job.PaymentStatus]int64{}}
	for k, n := range st {
		c.ByStatus[job.Status(k)] = n
		c.Total += n
	}
	for k, n := range ps {
		c.ByPaymentStatus[job.PaymentStatus(k)] = n
	}
	return c, nil
}
