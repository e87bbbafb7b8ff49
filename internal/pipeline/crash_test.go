package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// dieAfterSubmitting does what a worker killed between Upsampler's answer
// and our record of it leaves behind: the job claimed under a lease, the
// upscale running at Upsampler, and nothing about it in the database.
func (b *bundle) dieAfterSubmitting(id string) string {
	b.t.Helper()
	ctx := context.Background()
	j, err := b.db.Claim(ctx, "worker-about-to-die", 2*time.Minute, store.EventInput{Actor: job.ActorSystem,
		Type: "submitting", Message: "claimed by a worker; submitting to upsampler"})
	if err != nil || j == nil || j.JobID != id {
		b.t.Fatalf("claim: %v %v", j, err)
	}
	hook := b.svc.CallbackURL(id, j.Fence) // the URL a worker gives Upsampler
	sub, err := b.provider.Submit(ctx, j.ImageURL, j.Resolution.Factor(), hook)
	if err != nil {
		b.t.Fatal(err)
	}
	return sub.ID
}

func TestCrashBetweenSubmissionAndRecord(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: upscaletest.Options{ProcessingTime: 10 * time.Minute}})
	ctx := context.Background()
	id, _ := b.fakePaid("buyer@example.com")
	upID := b.dieAfterSubmitting(id)

	// The process restarts; its lease has run out by the time cron looks.
	b.clock.Advance(3 * time.Minute)
	if n, err := b.svc.Rescue(ctx); n != 1 || err != nil {
		t.Fatalf("rescue: %d, %v", n, err)
	}
	j := b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	if j.UpsamplerJobID != nil || b.count(id, "in_doubt") != 1 {
		t.Fatalf("upsampler id %v; timeline %v", j.UpsamplerJobID, b.events(id))
	}
	// In doubt, nothing submits it again: not the workers, not the poller,
	// not another rescue.
	b.work()
	b.poll()
	if n, _ := b.svc.Rescue(ctx); n != 0 {
		t.Fatal("rescued twice")
	}
	if b.up.Submissions() != 1 {
		t.Fatalf("%d submissions while in doubt", b.up.Submissions())
	}

	// The upscale finishes; Upsampler's callback names our job.
	b.clock.Advance(8 * time.Minute)
	b.up.Tick()
	j = b.waitStatus(id, job.StatusCompleted, 10*time.Second)
	if j.UpsamplerJobID == nil || *j.UpsamplerJobID != upID || b.count(id, "submission_recovered") != 1 {
		t.Fatalf("upsampler id %v, want %s; timeline %v", j.UpsamplerJobID, upID, b.events(id))
	}
	if b.up.Submissions() != 1 {
		t.Fatalf("%d submissions, want 1", b.up.Submissions())
	}
	b.tokenMailed("buyer@example.com")
}

func TestCrashWithoutCallbackResubmitsAfterTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{ProcessingTime: 20 * time.Minute})})
	ctx := context.Background()
	id, _ := b.fakePaid("")
	b.dieAfterSubmitting(id)
	b.clock.Advance(3 * time.Minute)
	if _, err := b.svc.Rescue(ctx); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(11 * time.Minute) // 14 minutes since submission: still waiting
	if n, _ := b.svc.Rescue(ctx); n != 0 || b.work() != 0 {
		t.Fatal("resubmitted before the upscale timeout")
	}
	b.clock.Advance(2 * time.Minute)
	if n, _ := b.svc.Rescue(ctx); n != 1 {
		t.Fatal("not queued again after the upscale timeout")
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	if b.work() != 1 || b.up.Submissions() != 2 || b.count(id, "resubmitting") != 1 {
		t.Fatalf("%d submissions; timeline %v", b.up.Submissions(), b.events(id))
	}
}
