package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sellmyimages/smid/internal/job"
)

// jobsCollector reads the business figures from the store at scrape time:
// cheap reads (the counter rows, two indexed aggregates), bounded by a
// timeout so a slow database cannot hang a scrape.
type jobsCollector struct {
	src Source
	log *slog.Logger

	byStatus, byPayment, due, oldestDue, processing, refundsPending, oldestRefund, up *prometheus.Desc
}

func newJobsCollector(src Source, log *slog.Logger) *jobsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("smid_"+name, help, labels, nil)
	}
	return &jobsCollector{src: src, log: log,
		byStatus:       d("jobs", "Jobs by status (all replicas: read from the database).", "status"),
		byPayment:      d("jobs_by_payment_status", "Jobs by payment status.", "payment_status"),
		due:            d("queue_due_jobs", "Pending jobs whose time to run has come: the work queue's depth."),
		oldestDue:      d("queue_oldest_due_age_seconds", "How long the oldest due pending job has waited past its due time; 0 when none is due."),
		processing:     d("jobs_lease_expired", "Processing jobs whose worker lease ran out (rescue takes them)."),
		refundsPending: d("refunds_pending", "Refunds reserved and not yet settled with Stripe."),
		oldestRefund:   d("refunds_pending_oldest_age_seconds", "Age of the oldest refund still pending; 0 when none is."),
		up:             d("business_metrics_up", "1 when the business figures could be read from the database at this scrape."),
	}
}

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.byStatus, c.byPayment, c.due, c.oldestDue, c.processing, c.refundsPending, c.oldestRefund, c.up} {
		ch <- d
	}
}

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counts, err := c.src.Counts(ctx)
	if err == nil {
		for _, st := range job.Statuses {
			gauge(c.byStatus, float64(counts.ByStatus[st]), string(st))
		}
		for _, ps := range job.PaymentStatuses {
			gauge(c.byPayment, float64(counts.ByPaymentStatus[ps]), string(ps))
		}
		qs, qerr := c.src.QueueStats(ctx)
		if err = qerr; err == nil {
			gauge(c.due, float64(qs.Due))
			gauge(c.oldestDue, qs.OldestDueAge.Seconds())
			gauge(c.processing, float64(qs.LeaseExpired))
			gauge(c.refundsPending, float64(qs.RefundsPending))
			gauge(c.oldestRefund, qs.OldestRefundAge.Seconds())
		}
	}
	if err != nil {
		c.log.Warn("metrics: business figures unreadable", "err", err)
		gauge(c.up, 0)
		return
	}
	gauge(c.up, 1)
}
