package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// dieAfterSubmitting does what a worker killed between Upsampler's answer
// and our record of it leaves behind: the job claimed under a lease, the
// upscale running at Upsampler, and nothing about it in the database.
func (b *bundle) dieAfterSubmitting(id string) string {
	b.T.Helper()
	ctx := context.Background()
	j, err := b.DB.Claim(ctx, "worker-about-to-die", 2*time.Minute, store.EventInput{Actor: job.ActorSystem,
		Type: "submitting", Message: "claimed by a worker; submitting to upsampler"})
	if err != nil || j == nil || j.JobID != id {
		b.T.Fatalf("claim: %v %v", j, err)
	}
	hook := b.Svc.CallbackURL(id, j.Fence) // the URL a worker gives Upsampler
	sub, err := b.Upscaler.Submit(ctx, j.ImageURL, j.Resolution.Factor(), hook)
	if err != nil {
		b.T.Fatal(err)
	}
	return sub.ID
}

func TestCrashBetweenSubmissionAndRecord(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{ProcessingTime: 10 * time.Minute}})
	ctx := context.Background()
	id, _ := b.Paid("buyer@example.com")
	upID := b.dieAfterSubmitting(id)

	// The process restarts; its lease has run out by the time cron looks.
	b.Clock.Advance(3 * time.Minute)
	if n, err := b.Svc.Rescue(ctx); n != 1 || err != nil {
		t.Fatalf("rescue: %d, %v", n, err)
	}
	j := b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	if j.UpsamplerJobID != nil || b.Count(id, "in_doubt") != 1 {
		t.Fatalf("upsampler id %v; timeline %v", j.UpsamplerJobID, b.EventTypes(id))
	}
	// In doubt, nothing submits it again: not the workers, not the poller,
	// not another rescue.
	b.Work()
	b.Poll()
	if n, _ := b.Svc.Rescue(ctx); n != 0 {
		t.Fatal("rescued twice")
	}
	if b.Up.Submissions() != 1 {
		t.Fatalf("%d submissions while in doubt", b.Up.Submissions())
	}

	// The upscale finishes; Upsampler's callback names our job.
	b.Clock.Advance(8 * time.Minute)
	b.Up.Tick()
	j = b.WaitStatus(id, job.StatusCompleted, 10*time.Second)
	if j.UpsamplerJobID == nil || *j.UpsamplerJobID != upID || b.Count(id, "submission_recovered") != 1 {
		t.Fatalf("upsampler id %v, want %s; timeline %v", j.UpsamplerJobID, upID, b.EventTypes(id))
	}
	if b.Up.Submissions() != 1 {
		t.Fatalf("%d submissions, want 1", b.Up.Submissions())
	}
	b.tokenMailed("buyer@example.com")
}

func TestCrashWithoutCallbackResubmitsAfterTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{ProcessingTime: 20 * time.Minute})})
	ctx := context.Background()
	id, _ := b.Paid("")
	b.dieAfterSubmitting(id)
	b.Clock.Advance(3 * time.Minute)
	if _, err := b.Svc.Rescue(ctx); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(11 * time.Minute) // 14 minutes since submission: still waiting
	if n, _ := b.Svc.Rescue(ctx); n != 0 || b.Work() != 0 {
		t.Fatal("resubmitted before the upscale timeout")
	}
	b.Clock.Advance(2 * time.Minute)
	if n, _ := b.Svc.Rescue(ctx); n != 1 {
		t.Fatal("not queued again after the upscale timeout")
	}
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	if b.Work() != 1 || b.Up.Submissions() != 2 || b.Count(id, "resubmitting") != 1 {
		t.Fatalf("%d submissions; timeline %v", b.Up.Submissions(), b.EventTypes(id))
	}
}
