package faults

import (
	"fmt"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// steps are the pipeline's failpoints, in the order a job meets them.
var steps = []string{"after_claim", "after_submit_sent", "during_result_download", "after_file_recorded",
	"after_email_sent", "after_stripe_refund"}

// TestKillAtEachStep kills smid with SIGKILL at each pipeline step, again
// and again, restarting it each time, over paid jobs and jobs whose
// upscale fails; then, with nothing armed, lets everything settle and
// judges what a customer would see.
func TestKillAtEachStep(t *testing.T) {
	t.Parallel()
	kills := 5
	if Full() {
		kills = 20
	}
	s := NewStack(t, Options{Upsampler: upscaletest.Options{ProcessingTime: time.Second}})
	r := s.AddReplica()
	sv := supervise(r, 42)
	defer sv.Stop()

	var all []Order
	batches := map[string][]Order{}
	got := map[string]int{}
	n := 0
	for _, step := range steps {
		// Each run dies at the 1st or 2nd hit, and a job can pass a step
		// more than once (a redelivery after a kill), so twice the kills
		// are enough jobs for the kills to land.
		good, failing := 2*kills+2, 1
		if step == "after_stripe_refund" {
			good, failing = 1, 2*kills+1
		}
		start := time.Now()
		sv.Arm(step, kills)
		batch := s.PlaceOrders(n, good, failing)
		n += len(batch)
		got[step] = sv.WaitKills(step, kills, time.Minute)
		killed := time.Since(start)
		// Disarmed, the batch settles before the next step, so each
		// step's outcome is its own.
		sv.Arm("", 0)
		s.Settle(batch, 2*time.Minute)
		batches[step] = batch
		all = append(all, batch...)
		t.Logf("%s: %d kills in %s over %d orders (%d failing); settled %s later", step, got[step],
			killed.Round(time.Second), len(batch), failing, (time.Since(start) - killed).Round(time.Second))
	}
	sv.Stop()

	out := s.Audit(all)
	t.Logf("all steps: %s", out)
	for _, step := range steps {
		t.Logf("matrix | %s | %d kills | %s", step, got[step], s.Audit(batches[step]))
	}
	for _, p := range out.Problems {
		t.Log(p)
	}
	for _, step := range steps {
		if got[step] < kills {
			t.Errorf("%s: %d kills landed, want %d", step, got[step], kills)
		}
	}
	requireClean(t, out)
}

// requireClean fails the test for every broken promise in out.
func requireClean(t *testing.T, out Outcome) {
	t.Helper()
	for _, c := range []struct {
		what string
		ids  []string
	}{
		{"lost jobs", out.Lost}, {"refunds above the charge", out.OverRefunded},
		{"duplicate refunds", out.DuplicateRefunds}, {"dead links in emails", out.DeadLinks},
		{"completed jobs without a delivery email", out.Undelivered},
	} {
		if len(c.ids) > 0 {
			t.Errorf("%d %s: %v", len(c.ids), c.what, short(c.ids))
		}
	}
}

func short(ids []string) string {
	var s []string
	for _, id := range ids {
		s = append(s, id[:8])
	}
	return fmt.Sprint(s)
}
