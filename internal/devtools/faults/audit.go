package faults

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Order is one purchase of the workload.
type Order struct {
	ID      string
	N       int
	Failing bool // the upscale fails, so the job must end failed and refunded
}

// PlaceOrders opens checkouts for n pictures, failing ones among them,
// numbered from first, and pays each through a signed webhook.
func (s *Stack) PlaceOrders(first, good, failing int) []Order {
	s.t.Helper()
	var out []Order
	for i := range good + failing {
		o := Order{N: first + i, Failing: i >= good}
		o.ID = s.Order(o.N, o.Failing)
		out = append(out, o)
	}
	for _, o := range out {
		s.Pay(o.ID)
	}
	return out
}

// settled is a job at rest: completed, or failed with every refund
// answered by Stripe.
func settled(d Detail) bool {
	switch d.Job.Status {
	case "completed":
		return true
	case "failed":
		for _, h := range d.Refunds.History {
			if h.Status == "pending" {
				return false
			}
		}
		return true
	}
	return false
}

// Settle waits until every order's job is at rest, or within has passed.
func (s *Stack) Settle(orders []Order, within time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(within)
	left := append([]Order(nil), orders...)
	for len(left) > 0 && time.Now().Before(deadline) {
		var still []Order
		for _, o := range left {
			if !settled(s.Get(o.ID)) {
				still = append(still, o)
			}
		}
		left = still
		if len(left) > 0 {
			time.Sleep(time.Second)
		}
	}
}

// Outcome is what a customer and a shop owner would see of a workload.
type Outcome struct {
	Orders, Completed, FailedRefunded int
	// Lost are paid jobs neither completed nor failed and fully refunded.
	Lost []string
	// OverRefunded: refunded above the charge, at Stripe or in the
	// daemon's history. DuplicateRefunds: more than one refund for a job
	// that needed one.
	OverRefunded, DuplicateRefunds []string
	// Emails is every message received; DeliveryEmails those with a link.
	Emails, DeliveryEmails int
	// DeadLinks are links in delivery emails that do not download the
	// job's file (the job was not refunded).
	DeadLinks []string
	// Undelivered are completed jobs with no delivery email at all.
	Undelivered []string
	// EmailsPerJob counts jobs by the delivery emails they got.
	EmailsPerJob map[int]int
	// SubmissionsPerJob counts jobs by the Upsampler submissions made for
	// them.
	SubmissionsPerJob map[int]int
	// Problems explains every count above, one line per job.
	Problems []string
}

func (o *Outcome) problem(list *[]string, id, format string, args ...any) {
	*list = append(*list, id)
	o.Problems = append(o.Problems, id[:8]+": "+fmt.Sprintf(format, args...))
}

// Audit judges the orders after Settle.
func (s *Stack) Audit(orders []Order) Outcome {
	s.t.Helper()
	out := Outcome{Orders: len(orders), EmailsPerJob: map[int]int{}, SubmissionsPerJob: map[int]int{}}
	mine := map[string]bool{}
	for _, o := range orders {
		mine[o.ID] = true
	}
	byJob := map[string][]Mail{}
	for _, m := range s.Mails() {
		if !mine[m.JobID] {
			continue
		}
		out.Emails++
		if m.Token != "" {
			byJob[m.JobID] = append(byJob[m.JobID], m)
		}
	}
	atStripe := s.Stripe.Refunds()
	for _, o := range orders {
		d := s.Get(o.ID)
		j := d.Job
		charged := int64(0)
		if j.AmountCharged != nil {
			charged = *j.AmountCharged
		}
		out.SubmissionsPerJob[s.Up.SubmissionsFor(j.ImageURL)]++
		refunded := d.Refunds.Total
		switch {
		case j.Status == "completed":
			out.Completed++
		case j.Status == "failed" && refunded == charged && settled(d):
			out.FailedRefunded++
		default:
			out.problem(&out.Lost, o.ID, "lost: %s/%s, refunded %d of %d (failing order: %v)", j.Status, j.PaymentStatus, refunded, charged, o.Failing)
		}
		if !o.Failing && j.Status == "failed" {
			why := ""
			if j.LastError != nil {
				why = *j.LastError
			}
			out.Problems = append(out.Problems, o.ID[:8]+": an upscale that succeeded at Upsampler failed (refunded): "+why)
		}
		if o.Failing && j.Status == "completed" {
			out.Problems = append(out.Problems, o.ID[:8]+": an upscale that failed at Upsampler completed")
		}

		var stripeSum int64
		for _, r := range atStripe[PaymentIntent(o.ID)] {
			stripeSum += r.Amount
		}
		succeeded := 0
		for _, h := range d.Refunds.History {
			if h.Status == "succeeded" {
				succeeded++
			}
		}
		if stripeSum > charged || refunded > charged {
			out.problem(&out.OverRefunded, o.ID, "refunded %d at Stripe, %d in the history, of a charge of %d", stripeSum, refunded, charged)
		}
		if n := len(atStripe[PaymentIntent(o.ID)]); n > 1 || succeeded > 1 {
			out.problem(&out.DuplicateRefunds, o.ID, "%d refunds at Stripe (distinct idempotency keys), %d succeeded in the history", n, succeeded)
		}

		got := byJob[o.ID]
		out.DeliveryEmails += len(got)
		out.EmailsPerJob[len(got)]++
		if j.Status == "completed" && len(got) == 0 {
			out.problem(&out.Undelivered, o.ID, "completed but no delivery email was received")
		}
		var want []byte
		for i, m := range got {
			code, body := s.Download(m.Token)
			if refunded > 0 && code == http.StatusGone {
				continue // revoked by the refund
			}
			if want == nil && j.UpsamplerJobID != nil {
				want = s.Result(*j.UpsamplerJobID)
			}
			if code != http.StatusOK || !bytes.Equal(body, want) {
				out.problem(&out.DeadLinks, o.ID, "link in email %d of %d answers HTTP %d (%d bytes, want %d): %s",
					i+1, len(got), code, len(body), len(want), snippet(body, code))
			}
		}
	}
	return out
}

func snippet(b []byte, code int) string {
	if code == http.StatusOK {
		return "wrong bytes"
	}
	return strings.TrimSpace(string(b[:min(len(b), 160)]))
}

// String is the outcome as one report line.
func (o Outcome) String() string {
	return fmt.Sprintf("orders %d: completed %d, failed+refunded %d, lost %d; over-refunded %d, duplicate refunds %d; "+
		"emails %d (delivery %d), dead links %d, completed without email %d; delivery emails per job %s; submissions per job %s",
		o.Orders, o.Completed, o.FailedRefunded, len(o.Lost), len(o.OverRefunded), len(o.DuplicateRefunds),
		o.Emails, o.DeliveryEmails, len(o.DeadLinks), len(o.Undelivered), histogram(o.EmailsPerJob), histogram(o.SubmissionsPerJob))
}

// histogram prints count:jobs pairs in order, e.g. "1:38 jobs 2:2 jobs".
func histogram(h map[int]int) string {
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d:%d jobs", k, h[k]))
	}
	return strings.Join(parts, " ")
}
