package pipeline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// quiet is the Upsampler fake without callbacks: the test drives every
// status check itself, through Poll.
func quiet(o upscaletest.Options) upscaletest.Options {
	o.Webhook = upscaletest.WebhookNever
	return o
}

func TestUpsamplerTransientFailuresRetry(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{}), upTimeout: 300 * time.Millisecond})
	id, _ := b.fakePaid("buyer@example.com")
	b.up.ScriptSubmit(upscaletest.RateLimited(time.Second), upscaletest.ServerError(), upscaletest.Slow(3*time.Second))

	for i, want := range []string{"Rate limit", "Internal server error", "did not answer in time"} {
		if n := b.work(); n != 1 {
			t.Fatalf("attempt %d: workers took %d jobs", i+1, n)
		}
		j := b.wantState(id, job.StatusPending, job.PaymentPaid)
		if !strings.Contains(deref(j.LastError), want) || j.Attempts != i+1 {
			t.Fatalf("attempt %d: last_error %q attempts %d, want %q", i+1, deref(j.LastError), j.Attempts, want)
		}
		if j.DueAt == nil || !j.DueAt.After(b.clock.Now()) {
			t.Fatalf("attempt %d: due_at %v is not in the future", i+1, j.DueAt)
		}
		if n := b.work(); n != 0 {
			t.Fatal("a job in backoff was claimed again at once")
		}
		b.clock.Advance(j.DueAt.Sub(b.clock.Now()))
	}
	if n := b.work(); n != 1 {
		t.Fatal("the job was not submitted once its backoff ran out")
	}
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)

	// A failed status check is transient too: the poller asks again later.
	b.up.ScriptStatus(upscaletest.ServerError())
	b.clock.Advance(31 * time.Second)
	b.poll()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.clock.Advance(31 * time.Second)
	b.poll()
	j := b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if j.LastError != nil || j.Attempts != 4 {
		t.Fatalf("completed with last_error %q after %d attempts", deref(j.LastError), j.Attempts)
	}
	if b.up.Submissions() != 1 || b.up.SubmitAttempts() != 4 {
		t.Fatalf("%d submissions of %d attempts, want 1 of 4", b.up.Submissions(), b.up.SubmitAttempts())
	}
	if n := b.count(id, "submit_retry"); n != 3 {
		t.Fatalf("%d submit_retry events: %v", n, b.events(id))
	}
	b.mailTo("buyer@example.com", "ready")
}

// wantRefunded checks a failed job was refunded in full, automatically,
// once, and that the customer was told.
func (b *bundle) wantRefunded(id, pi, email string) {
	b.t.Helper()
	j := b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if j.RefundAmount == nil || *j.RefundAmount != *j.AmountCharged || j.FailedAt == nil {
		b.t.Fatalf("refund_amount %v of %v, failed_at %v", j.RefundAmount, j.AmountCharged, j.FailedAt)
	}
	rs := b.refunds(id)
	if len(rs) != 1 || rs[0].Source != "auto" || rs[0].Status != "succeeded" || rs[0].Amount != *j.AmountCharged || rs[0].StripeRefundID == nil {
		b.t.Fatalf("refund history %+v", rs)
	}
	if got := b.fake.Refunds(pi); len(got) != 1 || got[0].Amount != int64(*j.AmountCharged) {
		b.t.Fatalf("Stripe holds refunds %+v", got)
	}
	if email != "" {
		msg := b.mailTo(email, "refund")
		if !strings.Contains(msg.Text, "0.50") {
			b.t.Fatalf("refund mail does not name the amount:\n%s", msg.Text)
		}
	}
}

func TestUpsamplerPermanentFailuresRefund(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		reply upscaletest.Reply
		want  string
	}{
		{"revoked key", upscaletest.Unauthorized(), "Invalid API key"},
		{"no credits", upscaletest.InsufficientCredits(), "Insufficient credits"},
		{"refused with 200", upscaletest.FailedOnSubmit("Image resolution too small"), "Image resolution too small"},
		{"bad image", upscaletest.ErrorObject(422, "Unsupported image format"), "Unsupported image format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
			id, pi := b.fakePaid("buyer@example.com")
			b.up.ScriptSubmit(c.reply)
			b.work()
			j := b.get(id)
			if j.Attempts != 1 || !strings.Contains(deref(j.LastError), c.want) {
				t.Fatalf("attempts %d, last_error %q, want %q at once", j.Attempts, deref(j.LastError), c.want)
			}
			b.wantRefunded(id, pi, "buyer@example.com")
			if b.up.Submissions() != 0 {
				t.Fatal("a refused job counted as a submission")
			}
		})
	}
}

func TestUpsamplerMaxAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{}), cfg: pipeline.Config{MaxAttempts: 2}})
	id, pi := b.fakePaid("buyer@example.com")
	b.up.ScriptSubmit(upscaletest.ServerError(), upscaletest.ServerError(), upscaletest.ServerError())
	b.work()
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	b.clock.Advance(time.Minute)
	b.work()
	j := b.get(id)
	if j.Attempts != 2 || !strings.Contains(deref(j.LastError), "HTTP 500") {
		t.Fatalf("attempts %d, last_error %q", j.Attempts, deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
	b.clock.Advance(time.Hour)
	if b.work() != 0 || b.up.SubmitAttempts() != 2 {
		t.Fatal("a failed job was tried again")
	}
}

func TestUpsamplerJobFails(t *testing.T) {
	t.Parallel()
	const reason = "Failed to process image due to an internal error. Your credits have been refunded."
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{
		FailJob: func(string) string { return reason }})})
	id, pi := b.fakePaid("buyer@example.com")
	b.work()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.clock.Advance(31 * time.Second)
	b.poll()
	if j := b.get(id); !strings.Contains(deref(j.LastError), reason) {
		t.Fatalf("last_error %q", deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
}

func TestUpsamplerTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{ProcessingTime: time.Hour})})
	id, pi := b.fakePaid("buyer@example.com")
	b.work()
	b.clock.Advance(31 * time.Second)
	b.poll()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid) // still running: nothing to do yet
	b.clock.Advance(15 * time.Minute)
	b.poll()
	j := b.get(id)
	if !strings.Contains(deref(j.LastError), "timed out") {
		t.Fatalf("last_error %q, want a timeout", deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
	// The upscale finishing after all must not resurrect the job.
	b.clock.Advance(time.Hour)
	b.poll()
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)
}
