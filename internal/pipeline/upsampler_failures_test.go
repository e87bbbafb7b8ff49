package pipeline_test

import (
	"context"
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
	// A 429 says the job was not taken: submit again after the wait.
	b.up.ScriptSubmit(upscaletest.RateLimited(time.Second), upscaletest.ServerError(), upscaletest.Slow(3*time.Second))
	if n := b.work(); n != 1 {
		t.Fatalf("workers took %d jobs", n)
	}
	j := b.wantState(id, job.StatusPending, job.PaymentPaid)
	if !strings.Contains(deref(j.LastError), "Rate limit") || j.Attempts != 1 || j.DueAt == nil || !j.DueAt.After(b.clock.Now()) {
		t.Fatalf("after a 429: last_error %q attempts %d due %v", deref(j.LastError), j.Attempts, j.DueAt)
	}
	if n := b.work(); n != 0 {
		t.Fatal("a job in backoff was claimed again at once")
	}
	// A 5xx and a timeout say nothing about whether the job was taken:
	// the daemon waits for the attempt's callback, up to the upscale
	// timeout, before it submits again — never twice by accident.
	for i, want := range []string{"Internal server error", "did not answer in time"} {
		b.clock.Advance(j.DueAt.Sub(b.clock.Now()))
		if n := b.work(); n != 1 {
			t.Fatalf("ambiguous %d: workers took %d jobs", i+1, n)
		}
		b.wantState(id, job.StatusProcessing, job.PaymentPaid)
		if n := b.count(id, "submission_in_doubt"); n != i+1 {
			t.Fatalf("ambiguous %d: %d in-doubt events (%v)", i+1, n, b.events(id))
		}
		b.clock.Advance(10 * time.Minute)
		if n, _ := b.svc.Rescue(context.Background()); n != 0 {
			b.wantState(id, job.StatusProcessing, job.PaymentPaid) // still waiting within the timeout
		}
		if n := b.work(); n != 0 {
			t.Fatalf("ambiguous %d: resubmitted within the timeout (%s)", i+1, want)
		}
		b.clock.Advance(6 * time.Minute)
		if _, err := b.svc.Rescue(context.Background()); err != nil {
			t.Fatal(err)
		}
		j = b.wantState(id, job.StatusPending, job.PaymentPaid)
	}
	if n := b.work(); n != 1 {
		t.Fatal("the job was not submitted once the wait ran out")
	}
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)

	// A failed status check is transient too: the poller asks again later.
	b.up.ScriptStatus(upscaletest.ServerError())
	b.clock.Advance(31 * time.Second)
	b.poll()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.clock.Advance(31 * time.Second)
	b.poll()
	j = b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if j.LastError != nil {
		t.Fatalf("completed with last_error %q", deref(j.LastError))
	}
	if b.up.Submissions() != 1 || b.up.SubmitAttempts() != 4 {
		t.Fatalf("%d submissions of %d attempts, want 1 of 4", b.up.Submissions(), b.up.SubmitAttempts())
	}
	b.mailTo("buyer@example.com", "ready")
}

// Upsampler takes the job but its answer never arrives (or arrives as a
// 5xx). The daemon does not submit again: the job's own callback, whose
// URL proves it answers this attempt, brings the provider id, and the job
// completes with one submission. A callback without that proof naming
// some other upscale of the account is recorded, never adopted.
func TestAmbiguousSubmissionWaitsForItsCallback(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]upscaletest.Reply{"no reply": upscaletest.AcceptedNoReply(), "5xx after accepting": upscaletest.AcceptedThenError()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, options{fakeStripe: true, upsampler: upscaletest.Options{Webhook: upscaletest.WebhookLate, WebhookDelay: time.Minute},
				upTimeout: 300 * time.Millisecond})
			id, _ := b.fakePaid("doubt@example.com")
			b.up.ScriptSubmit(reply)
			b.work()
			b.wantState(id, job.StatusProcessing, job.PaymentPaid)
			if b.count(id, "submission_in_doubt") != 1 {
				t.Fatalf("not in doubt: %v", b.events(id))
			}
			// A forged callback: no proof, an id of another upscale.
			other := "0d3c1f5e-0000-4000-8000-000000000000"
			if err := b.svc.UpsamplerHint(context.Background(), id, jsonBody(map[string]any{"id": other, "status": "SUCCESS"})); err != nil {
				t.Fatal(err)
			}
			if j := b.get(id); j.UpsamplerJobID != nil {
				t.Fatalf("an unproven callback was adopted: %s", *j.UpsamplerJobID)
			}
			// The genuine callback of this attempt.
			b.clock.Advance(2 * time.Minute)
			b.up.Tick()
			j := b.waitStatus(id, job.StatusCompleted, 10*time.Second)
			if b.up.SubmissionsFor(j.ImageURL) != 1 {
				t.Fatalf("%d submissions of the job's image, want 1", b.up.SubmissionsFor(j.ImageURL))
			}
			if b.count(id, "submission_recovered") != 1 || b.count(id, "callback_unproven") != 1 {
				t.Fatalf("timeline %v", b.events(id))
			}
		})
	}
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
	b.up.ScriptSubmit(upscaletest.RateLimited(time.Second), upscaletest.RateLimited(time.Second), upscaletest.RateLimited(time.Second))
	b.work()
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	b.clock.Advance(time.Minute)
	b.work()
	j := b.get(id)
	if j.Attempts != 2 || !strings.Contains(deref(j.LastError), "HTTP 429") {
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
