package admin_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// pollDuringStatusCheck runs the poller and, while its status request to
// Upsampler is held back, lets fn act; it returns once both are done.
func (b *bundle) pollDuringStatusCheck(fn func()) {
	b.T.Helper()
	before := b.Up.StatusChecks()
	b.Up.ScriptStatus(upscaletest.Slow(300 * time.Millisecond))
	b.Clock.Advance(b.Config.PollInterval + time.Second)
	done := make(chan error, 1)
	go func() { _, err := b.Svc.Poll(b.ctx); done <- err }()
	for b.Up.StatusChecks() == before {
		time.Sleep(time.Millisecond)
	}
	fn()
	if err := <-done; err != nil {
		b.T.Fatal(err)
	}
}

func TestForcedRetryWinsOverThePollersLateAnswer(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		name := map[bool]string{false: "late SUCCESS", true: "late FAILED"}[fail]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var failing atomic.Bool
			failing.Store(fail)
			b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{FailJob: func(string) string {
				if failing.Load() {
					return "model crashed"
				}
				return ""
			}}})
			email := fmt.Sprintf("fail-%v@example.com", fail)
			id, pi := b.Paid(email)
			b.Process(id)
			old := *b.Get(id).UpsamplerJobID

			var res *pipeline.QueueResult
			var err error
			// The upscale is done (or failed) at Upsampler, and the poller
			// is asking; meanwhile the admin forces a new one.
			b.pollDuringStatusCheck(func() {
				res, err = b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "start over", Force: true})
			})
			if err != nil || !res.Queued {
				t.Fatalf("forced retry %+v %v", res, err)
			}
			j := b.Get(id)
			if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || j.UpscaledFilePath != nil || j.UpsamplerJobID != nil {
				t.Fatalf("the poller's answer about the abandoned upscale %s overrode the retry: %s/%s file %v (%s)",
					old, j.Status, j.PaymentStatus, j.UpscaledFilePath, pipelinetest.Deref(j.LastError))
			}
			if len(b.Fake.Refunds(pi)) != 0 || b.MailsTo(email) != 0 {
				t.Fatal("the customer was refunded or emailed for an abandoned upscale")
			}
			// The new upscale runs and delivers once.
			failing.Store(false)
			b.complete(id)
			if b.MailsTo(email) != 1 || b.Count(id, "completed") != 1 {
				t.Fatalf("%d emails, %d completions after the retry", b.MailsTo(email), b.Count(id, "completed"))
			}
		})
	}
}

func TestRetryOfATimedOutUpscaleRacingThePoller(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	const n = 8
	ids, pis := make([]string, n), make([]string, n)
	for i := range n {
		ids[i], pis[i] = b.Paid(fmt.Sprintf("race%d@example.com", i))
		b.Process(ids[i])
	}
	// Dead upscales: a retry needs no force, and the poller fails them.
	b.Clock.Advance(b.Config.UpscaleTimeout + time.Minute)
	errs := make([]error, n)
	var wg sync.WaitGroup
	wg.Add(n + 1)
	go func() { defer wg.Done(); _, _ = b.Svc.Poll(b.ctx) }() // racing on purpose: the job rows are the verdict
	for i := range n {
		go func() {
			defer wg.Done()
			_, errs[i] = b.Admin.Retry(b.ctx, ids[i], admin1, admin.RetryParams{Reason: "timed out"})
		}()
	}
	wg.Wait()
	for i, id := range ids {
		j := b.Get(id)
		refunded := b.stripeTotal(pis[i])
		if errs[i] == nil {
			// The retry won: queued, and nobody refunded it.
			if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || refunded != 0 {
				t.Errorf("job %d: the retry answered ok, but the job is %s/%s with %d refunded", i, j.Status, j.PaymentStatus, refunded)
			}
			continue
		}
		// The poller won: failed and refunded, and the retry says why not.
		wantErr(t, errs[i], job.EConflict, "")
		if j.Status != job.StatusFailed || j.PaymentStatus != job.PaymentRefunded || refunded != 50 {
			t.Errorf("job %d: the retry was refused (%v), but the job is %s/%s with %d refunded", i, errs[i], j.Status, j.PaymentStatus, refunded)
		}
	}
}
