package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

type signedEvent struct {
	payload []byte
	sig     string
}

// outcome is what a shop owner sees of a job at the end.
type outcome struct {
	Status   job.Status
	Payment  job.PaymentStatus
	Refunded job.Money
	Dispute  string
}

// For 200 jobs, every Stripe event of their lives — payments, dashboard
// refunds, disputes, early fraud warnings — is delivered once and in order
// to half of them, and one to three times, shuffled across all jobs and
// sent concurrently, to the other half (refunds before payments
// included; an event answered 5xx is sent again later, as Stripe does).
// Each kind of job ends the same in both halves, no job is upscaled more
// than once, and no refund exceeds the charge.
func TestStripeEventStorm(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: pipeline.Config{RefundOnFraudWarning: true}})
	kinds := []string{"paid", "partial_refund", "full_refund", "dispute", "fraud_warning"}
	const perWorld = 100
	type built struct {
		id, kind string
		events   []signedEvent
	}
	build := func(world string) []built {
		var out []built
		for i := range perWorld {
			kind := kinds[i%len(kinds)]
			id, sessID, pi := b.PaidAtStripe("")
			evID := fmt.Sprintf("evt_%s_%d", world, i)
			sign := func(suffix, typ string, obj any) signedEvent {
				p, s := b.Signed(evID+suffix, typ, obj)
				return signedEvent{p, s}
			}
			evs := []signedEvent{sign("_paid", "checkout.session.completed", b.Fake.Session(sessID))}
			switch kind {
			case "partial_refund":
				b.Fake.AddDashboardRefund(pi, 20)
				evs = append(evs, sign("_ref", "charge.refunded", b.Fake.Charge(pi)))
			case "full_refund":
				rf := b.Fake.AddDashboardRefund(pi, 0)
				evs = append(evs, sign("_ref", "charge.refunded", b.Fake.Charge(pi)), sign("_refc", "refund.created", rf))
			case "dispute":
				amount := int64(*b.Get(id).AmountCharged)
				evs = append(evs, sign("_dp", "charge.dispute.created", disputeObject("dp_"+evID, pi, "needs_response", amount)),
					sign("_dpu", "charge.dispute.updated", disputeObject("dp_"+evID, pi, "under_review", amount)))
			case "fraud_warning":
				evs = append(evs, sign("_efw", "radar.early_fraud_warning.created", map[string]any{"id": "issfr_" + evID, "object": "radar.early_fraud_warning",
					"charge": "ch_" + pi, "payment_intent": pi, "fraud_type": "made_with_stolen_card", "actionable": true}))
			}
			out = append(out, built{id: id, kind: kind, events: evs})
		}
		return out
	}
	ordered, stormed := build("ord"), build("storm")

	// In order, once each.
	for _, j := range ordered {
		for _, e := range j.events {
			b.Deliver(e.payload, e.sig)
		}
	}
	// The storm: each event one to three times, shuffled, eight at a time;
	// what fails is sent again in a later round, as Stripe retries.
	rng := rand.New(rand.NewPCG(42, 9))
	var queue []signedEvent
	for _, j := range stormed {
		for _, e := range j.events {
			for range 1 + rng.IntN(3) {
				queue = append(queue, e)
			}
		}
	}
	for round := 0; len(queue) > 0; round++ {
		if round > 5 {
			t.Fatalf("%d events still refused after 5 rounds of retries", len(queue))
		}
		rng.Shuffle(len(queue), func(i, k int) { queue[i], queue[k] = queue[k], queue[i] })
		var mu sync.Mutex
		var again []signedEvent
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, e := range queue {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if _, err := b.Svc.HandleStripeWebhook(context.Background(), e.payload, e.sig); err != nil {
					if job.ErrorCode(err) != job.EUnavailable {
						t.Errorf("event refused with %v", err)
					}
					mu.Lock()
					again = append(again, e)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		queue = again
	}

	// Then the workers make whatever is still to be made.
	b.Work()
	b.Clock.Advance(31 * time.Second)
	b.Poll()

	final := func(set []built) map[string]map[outcome]int {
		out := map[string]map[outcome]int{}
		for _, j := range set {
			got := b.Get(j.id)
			rs := b.Refunds(j.id)
			o := outcome{Status: got.Status, Payment: got.PaymentStatus, Refunded: store.RefundedTotal(rs), Dispute: pipelinetest.Deref(got.DisputeStatus)}
			if out[j.kind] == nil {
				out[j.kind] = map[outcome]int{}
			}
			out[j.kind][o]++
			if got.AmountCharged != nil && o.Refunded > *got.AmountCharged {
				t.Errorf("%s (%s): refunded %d of a %d charge", j.id, j.kind, o.Refunded, *got.AmountCharged)
			}
			if n := b.Count(j.id, "submitted"); n > 1 {
				t.Errorf("%s (%s): upscaled %d times", j.id, j.kind, n)
			}
		}
		return out
	}
	want, got := final(ordered), final(stormed)
	for _, kind := range kinds {
		if len(want[kind]) != 1 {
			t.Errorf("%s in order ended in %d different ways: %v", kind, len(want[kind]), want[kind])
		}
		if fmt.Sprint(want[kind]) != fmt.Sprint(got[kind]) {
			t.Errorf("%s: in order %v, in the storm %v", kind, want[kind], got[kind])
		}
	}
	t.Logf("outcomes: %v", want)
}
