package pipeline_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// WordPress fires smi_payment_completed from its own success page, often
// before Stripe's webhook, sometimes twice (a reload), sometimes from
// several PHP workers at once.

func TestPaymentCompletedTwiceQueuesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	id, sessID, _ := b.PaidAtStripe("buyer@example.com") // paid at Stripe; the webhook is late

	r1, err := b.Svc.PaymentCompleted(ctx, id, false, job.ActorSystem)
	if err != nil || !r1.Queued || r1.Status != job.StatusPending {
		t.Fatalf("first call: %+v, %v", r1, err)
	}
	r2, err := b.Svc.PaymentCompleted(ctx, id, false, job.ActorSystem)
	if err != nil || r2.Queued || r2.Status != job.StatusPending || !strings.Contains(r2.Message, "already queued") {
		t.Fatalf("second call: %+v, %v", r2, err)
	}
	// Stripe's webhook arrives at last: nothing more to do.
	b.Deliver(b.Signed("evt_late", "checkout.session.completed", b.Fake.Session(sessID)))

	b.Svc.Start(ctx)
	defer b.Svc.Stop()
	b.WaitStatus(id, job.StatusCompleted, 10*time.Second)
	if n := b.Up.Submissions(); n != 1 {
		t.Fatalf("%d submissions, want 1", n)
	}
	if n := b.Count(id, "payment_received"); n != 1 {
		t.Fatalf("%d payment_received events: %v", n, b.EventTypes(id))
	}
	b.MailTo("buyer@example.com", "ready")
}

func TestPaymentCompletedConcurrently(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	id, _, _ := b.PaidAtStripe("")
	queued := hammer(t, 10, func() (*pipeline.QueueResult, error) {
		return b.Svc.PaymentCompleted(ctx, id, false, job.ActorSystem)
	})
	if queued != 1 {
		t.Fatalf("%d calls queued the job, want 1", queued)
	}
	if n := b.Count(id, "payment_received"); n != 1 {
		t.Fatalf("%d payment_received events: %v", n, b.EventTypes(id))
	}
}

func TestPaymentCompletedOverrideConcurrentlyOnFailedJob(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{Webhook: upscaletest.WebhookNever}})
	ctx := context.Background()
	id, _ := b.Paid("")
	b.Up.ScriptSubmit(upscaletest.Unauthorized())
	b.Work()
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)

	queued := hammer(t, 10, func() (*pipeline.QueueResult, error) {
		return b.Svc.PaymentCompleted(ctx, id, true, job.ActorSystem)
	})
	if queued != 1 {
		t.Fatalf("%d calls re-queued the job, want 1", queued)
	}
	if n := b.Count(id, "requeued"); n != 1 {
		t.Fatalf("%d requeued events: %v", n, b.EventTypes(id))
	}
	if n := b.Work(); n != 1 {
		t.Fatalf("workers took %d jobs, want 1", n)
	}
	b.Clock.Advance(time.Minute)
	b.Poll()
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	if n := b.Up.Submissions(); n != 1 {
		t.Fatalf("%d submissions, want 1 (the 401 made none)", n)
	}
}

func TestPaymentCompletedUnpaid(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	id := b.Checkout("").JobID // never paid: Stripe says unpaid too
	_, err := b.Svc.PaymentCompleted(ctx, id, false, job.ActorSystem)
	e := wantErr(t, err, job.EConflict, "")
	if !strings.Contains(e.Message, "not paid") || !strings.Contains(e.Message, "admin_override") {
		t.Fatalf("message %q should say the job is unpaid and how to force it", e.Message)
	}
	b.wantState(id, job.StatusAwaitingPayment, job.PaymentPending)

	r, err := b.Svc.PaymentCompleted(ctx, id, true, job.ActorSystem)
	if err != nil || !r.Queued || r.Status != job.StatusPending {
		t.Fatalf("with admin_override: %+v, %v", r, err)
	}
	b.wantState(id, job.StatusPending, job.PaymentPending)

	_, err = b.Svc.PaymentCompleted(ctx, "00000000-0000-4000-8000-000000000000", false, job.ActorSystem)
	wantErr(t, err, job.ENotFound, "")
}

// hammer runs call n times at once and counts the answers that queued;
// every call must succeed.
func hammer(t *testing.T, n int, call func() (*pipeline.QueueResult, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	queued := 0
	var errs []error
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := call()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if r.Queued {
				queued++
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	return queued
}
