package pipeline_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// slowSubmit takes its time over every submission.
type slowSubmit struct {
	pipeline.Upscaler
	delay time.Duration
	sent  *atomic.Int32
}

func (s slowSubmit) Submit(ctx context.Context, imageURL string, factor int, webhookURL string) (upscale.Submission, error) {
	time.Sleep(s.delay)
	sub, err := s.Upscaler.Submit(ctx, imageURL, factor, webhookURL)
	s.sent.Add(1)
	return sub, err
}

// A worker that claimed a batch and is stopped gives back the jobs it has
// not sent: they are queued again at once, not left in doubt until the
// upscale timeout.
func TestStoppedWorkerGivesBackUnsentJobs(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	var sent atomic.Int32
	cfg := b.Config
	cfg.Concurrency = 1
	svc := b.Replica(cfg, pipeline.Deps{Upscaler: slowSubmit{Upscaler: b.Upscaler, delay: 300 * time.Millisecond, sent: &sent}})
	var ids []string
	for range 6 {
		id, _ := b.Paid("batch@example.com")
		ids = append(ids, id)
	}
	svc.Start(context.Background())
	for sent.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	svc.Stop()
	n := int(sent.Load())
	if n >= len(ids) {
		t.Fatalf("all %d sent before the stop; the test proves nothing", n)
	}
	back := 0
	for _, id := range ids {
		j := b.Get(id)
		switch {
		case j.Status == job.StatusProcessing && j.UpsamplerJobID != nil:
		case j.Status == job.StatusPending && j.DueAt != nil && j.Attempts == 0 && j.LeaseOwner == nil:
			back++
		default:
			t.Errorf("job %s: %s, upscale %v, attempts %d, lease %v", id, j.Status, j.UpsamplerJobID, j.Attempts, j.LeaseOwner)
		}
	}
	if back != len(ids)-n {
		t.Errorf("%d jobs given back, want %d (%d sent)", back, len(ids)-n, n)
	}
}
