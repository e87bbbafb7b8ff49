package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
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
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), UpsamplerTimeout: 300 * time.Millisecond})
	id, _ := b.Paid("buyer@example.com")
	// A 429 says the job was not taken: submit again after the wait.
	b.Up.ScriptSubmit(upscaletest.RateLimited(time.Second), upscaletest.ServerError(), upscaletest.Slow(3*time.Second))
	if n := b.Work(); n != 1 {
		t.Fatalf("workers took %d jobs", n)
	}
	j := b.wantState(id, job.StatusPending, job.PaymentPaid)
	if !strings.Contains(pipelinetest.Deref(j.LastError), "Rate limit") || j.Attempts != 1 || j.DueAt == nil || !j.DueAt.After(b.Clock.Now()) {
		t.Fatalf("after a 429: last_error %q attempts %d due %v", pipelinetest.Deref(j.LastError), j.Attempts, j.DueAt)
	}
	if n := b.Work(); n != 0 {
		t.Fatal("a job in backoff was claimed again at once")
	}
	// A 5xx and a timeout say nothing about whether the job was taken:
	// the daemon waits for the attempt's callback, up to the upscale
	// timeout, before it submits again — never twice by accident.
	for i, want := range []string{"Internal server error", "did not answer in time"} {
		b.Clock.Advance(j.DueAt.Sub(b.Clock.Now()))
		if n := b.Work(); n != 1 {
			t.Fatalf("ambiguous %d: workers took %d jobs", i+1, n)
		}
		b.wantState(id, job.StatusProcessing, job.PaymentPaid)
		if n := b.Count(id, "submission_in_doubt"); n != i+1 {
			t.Fatalf("ambiguous %d: %d in-doubt events (%v)", i+1, n, b.EventTypes(id))
		}
		b.Clock.Advance(10 * time.Minute)
		if n, _ := b.Svc.Rescue(context.Background()); n != 0 {
			b.wantState(id, job.StatusProcessing, job.PaymentPaid) // still waiting within the timeout
		}
		if n := b.Work(); n != 0 {
			t.Fatalf("ambiguous %d: resubmitted within the timeout (%s)", i+1, want)
		}
		b.Clock.Advance(6 * time.Minute)
		if _, err := b.Svc.Rescue(context.Background()); err != nil {
			t.Fatal(err)
		}
		j = b.wantState(id, job.StatusPending, job.PaymentPaid)
	}
	if n := b.Work(); n != 1 {
		t.Fatal("the job was not submitted once the wait ran out")
	}
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)

	// A failed status check is transient too: the poller asks again later.
	b.Up.ScriptStatus(upscaletest.ServerError())
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	j = b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if j.LastError != nil {
		t.Fatalf("completed with last_error %q", pipelinetest.Deref(j.LastError))
	}
	if b.Up.Submissions() != 1 || b.Up.SubmitAttempts() != 4 {
		t.Fatalf("%d submissions of %d attempts, want 1 of 4", b.Up.Submissions(), b.Up.SubmitAttempts())
	}
	b.MailTo("buyer@example.com", "ready")
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
			b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{Webhook: upscaletest.WebhookLate, WebhookDelay: time.Minute},
				UpsamplerTimeout: 300 * time.Millisecond})
			id, _ := b.Paid("doubt@example.com")
			b.Up.ScriptSubmit(reply)
			b.Work()
			b.wantState(id, job.StatusProcessing, job.PaymentPaid)
			if b.Count(id, "submission_in_doubt") != 1 {
				t.Fatalf("not in doubt: %v", b.EventTypes(id))
			}
			// A forged callback, sent again and again: no proof, an id of
			// another upscale. The timeline says so once.
			other := "0d3c1f5e-0000-4000-8000-000000000000"
			for range 3 {
				if err := b.Svc.UpsamplerHint(context.Background(), id, jsonBody(map[string]any{"id": other, "status": "SUCCESS"})); err != nil {
					t.Fatal(err)
				}
			}
			if j := b.Get(id); j.UpsamplerJobID != nil {
				t.Fatalf("an unproven callback was adopted: %s", *j.UpsamplerJobID)
			}
			// The genuine callback of this attempt.
			b.Clock.Advance(2 * time.Minute)
			b.Up.Tick()
			j := b.WaitStatus(id, job.StatusCompleted, 10*time.Second)
			if b.Up.SubmissionsFor(j.ImageURL) != 1 {
				t.Fatalf("%d submissions of the job's image, want 1", b.Up.SubmissionsFor(j.ImageURL))
			}
			if b.Count(id, "submission_recovered") != 1 || b.Count(id, "callback_unproven") != 1 {
				t.Fatalf("timeline %v", b.EventTypes(id))
			}
		})
	}
}

// wantRefunded checks a failed job was refunded in full, automatically,
// once, and that the customer was told.
func (b *bundle) wantRefunded(id, pi, email string) {
	b.T.Helper()
	j := b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if j.RefundAmount == nil || *j.RefundAmount != *j.AmountCharged || j.FailedAt == nil {
		b.T.Fatalf("refund_amount %v of %v, failed_at %v", j.RefundAmount, j.AmountCharged, j.FailedAt)
	}
	rs := b.Refunds(id)
	if len(rs) != 1 || rs[0].Source != "auto" || rs[0].Status != "succeeded" || rs[0].Amount != *j.AmountCharged || rs[0].StripeRefundID == nil {
		b.T.Fatalf("refund history %+v", rs)
	}
	if got := b.Fake.Refunds(pi); len(got) != 1 || got[0].Amount != int64(*j.AmountCharged) {
		b.T.Fatalf("Stripe holds refunds %+v", got)
	}
	if email != "" {
		msg := b.MailTo(email, "refund")
		if !strings.Contains(msg.Text, "0.50") {
			b.T.Fatalf("refund mail does not name the amount:\n%s", msg.Text)
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
			b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
			id, pi := b.Paid("buyer@example.com")
			b.Up.ScriptSubmit(c.reply)
			b.Work()
			j := b.Get(id)
			if j.Attempts != 1 || !strings.Contains(pipelinetest.Deref(j.LastError), c.want) {
				t.Fatalf("attempts %d, last_error %q, want %q at once", j.Attempts, pipelinetest.Deref(j.LastError), c.want)
			}
			b.wantRefunded(id, pi, "buyer@example.com")
			if b.Up.Submissions() != 0 {
				t.Fatal("a refused job counted as a submission")
			}
		})
	}
}

func TestUpsamplerMaxAttempts(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: pipeline.Config{MaxAttempts: 2}})
	id, pi := b.Paid("buyer@example.com")
	b.Up.ScriptSubmit(upscaletest.RateLimited(time.Second), upscaletest.RateLimited(time.Second), upscaletest.RateLimited(time.Second))
	b.Work()
	b.wantState(id, job.StatusPending, job.PaymentPaid)
	b.Clock.Advance(time.Minute)
	b.Work()
	j := b.Get(id)
	if j.Attempts != 2 || !strings.Contains(pipelinetest.Deref(j.LastError), "HTTP 429") {
		t.Fatalf("attempts %d, last_error %q", j.Attempts, pipelinetest.Deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
	b.Clock.Advance(time.Hour)
	if b.Work() != 0 || b.Up.SubmitAttempts() != 2 {
		t.Fatal("a failed job was tried again")
	}
}

func TestUpsamplerJobFails(t *testing.T) {
	t.Parallel()
	const reason = "Failed to process image due to an internal error. Your credits have been refunded."
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{
		FailJob: func(string) string { return reason }})})
	id, pi := b.Paid("buyer@example.com")
	b.Work()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	if j := b.Get(id); !strings.Contains(pipelinetest.Deref(j.LastError), reason) {
		t.Fatalf("last_error %q", pipelinetest.Deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
}

func TestUpsamplerTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{ProcessingTime: time.Hour})})
	id, pi := b.Paid("buyer@example.com")
	b.Work()
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	b.wantState(id, job.StatusProcessing, job.PaymentPaid) // still running: nothing to do yet
	b.Clock.Advance(15 * time.Minute)
	b.Poll()
	j := b.Get(id)
	if !strings.Contains(pipelinetest.Deref(j.LastError), "timed out") {
		t.Fatalf("last_error %q, want a timeout", pipelinetest.Deref(j.LastError))
	}
	b.wantRefunded(id, pi, "buyer@example.com")
	// The upscale finishing after all must not resurrect the job.
	b.Clock.Advance(time.Hour)
	b.Poll()
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)
}
