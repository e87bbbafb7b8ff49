package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// cronCollector reports each task's last success, its period and its
// failures. Until a task first succeeds, its last success reads as the
// time the scheduler started: a task that never succeeds then looks
// silent a few periods after start, which is what the alert wants.
type cronCollector struct {
	mu       sync.Mutex
	last     map[string]time.Time
	period   map[string]time.Duration
	failures map[string]float64

	lastDesc, periodDesc, failDesc *prometheus.Desc
}

func newCronCollector() *cronCollector {
	return &cronCollector{
		last: map[string]time.Time{}, period: map[string]time.Duration{}, failures: map[string]float64{},
		lastDesc: prometheus.NewDesc("smid_cron_last_success_timestamp_seconds",
			"When each cron task last ran to completion on this process (its start until then).", []string{"task"}, nil),
		periodDesc: prometheus.NewDesc("smid_cron_period_seconds",
			"Each cron task's period between runs.", []string{"task"}, nil),
		failDesc: prometheus.NewDesc("smid_cron_failures_total",
			"Cron task runs that returned an error.", []string{"task"}, nil),
	}
}

func (c *cronCollector) scheduled(task string, period time.Duration, since time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.period[task] = period
	if _, ok := c.last[task]; !ok {
		c.last[task] = since
	}
	c.failures[task] += 0
}

func (c *cronCollector) ran(task string, at time.Time, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.failures[task]++
		return
	}
	c.last[task] = at
}

func (c *cronCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lastDesc
	ch <- c.periodDesc
	ch <- c.failDesc
}

func (c *cronCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for task, t := range c.last {
		ch <- prometheus.MustNewConstMetric(c.lastDesc, prometheus.GaugeValue, float64(t.UnixNano())/1e9, task)
	}
	for task, p := range c.period {
		ch <- prometheus.MustNewConstMetric(c.periodDesc, prometheus.GaugeValue, p.Seconds(), task)
	}
	for task, n := range c.failures {
		ch <- prometheus.MustNewConstMetric(c.failDesc, prometheus.CounterValue, n, task)
	}
}
