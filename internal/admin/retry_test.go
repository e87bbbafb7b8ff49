package admin_test

import (
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

func TestRetryRequeuesAndSaysCredits(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	id := b.Checkout("retry@example.com").JobID
	j := b.Get(id)
	b.Deliver(b.SessionEvent("evt_paid", "checkout.session.completed", id, *j.StripeCheckoutSessionID, "pi_retry", "paid", 50, ""))
	b.complete(id)

	res, err := b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "customer wants a fresh copy"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Queued || res.Status != job.StatusPending || res.CreditsEstimate <= 0 || res.Message == "" {
		t.Fatalf("retry answer %+v: want queued, pending, a credits estimate and a message", res)
	}
	j = b.Get(id)
	if j.Status != job.StatusPending || j.DueAt == nil || j.UpsamplerJobID != nil || j.UpscaledFilePath != nil {
		t.Fatalf("after retry: %s due %v upsampler %v file %v", j.Status, j.DueAt, j.UpsamplerJobID, j.UpscaledFilePath)
	}
	ev := b.lastEvent(id, "requeued")
	if ev.Actor != admin1 || !strings.Contains(ev.Message, "customer wants a fresh copy") ||
		ev.FromStatus == nil || *ev.FromStatus != job.StatusCompleted || *ev.ToStatus != job.StatusPending {
		t.Fatalf("requeued event %+v", ev)
	}
	note := b.lastEvent(id, "note")
	if note.Data["upsampler_job_id"] == nil {
		t.Fatalf("the abandoned Upsampler job is not named: %+v", note)
	}

	// Asked again while queued: nothing more happens.
	res, err = b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{})
	if err != nil || res.Queued || res.Status != job.StatusPending {
		t.Fatalf("second retry: %+v %v", res, err)
	}
	if n := b.Count(id, "requeued"); n != 1 {
		t.Fatalf("%d requeued events, want 1", n)
	}
	// The worker runs it again: a second submission, and a new file.
	b.complete(id)
	if n := b.Up.Submissions(); n != 2 {
		t.Fatalf("%d Upsampler submissions, want 2", n)
	}
}

func TestRetryRefusedWhileUpscaleLiveUnlessForce(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, _ := b.Paid("live@example.com")
	b.Process(id)
	before := b.Get(id)

	_, err := b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "stuck?"})
	e := wantErr(t, err, job.EConflict, "")
	if !strings.Contains(e.Message, "force") {
		t.Fatalf("the refusal should say how to go on: %q", e.Message)
	}
	if j := b.Get(id); j.Status != job.StatusProcessing || *j.UpsamplerJobID != *before.UpsamplerJobID || b.Count(id, "requeued") != 0 {
		t.Fatalf("a refused retry changed the job: %s %v", j.Status, j.UpsamplerJobID)
	}

	res, err := b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "Upsampler says it is stuck", Force: true})
	if err != nil || !res.Queued {
		t.Fatalf("forced retry: %+v %v", res, err)
	}
	ev := b.lastEvent(id, "requeued")
	if ev.Actor != admin1 || ev.Data["force"] != true {
		t.Fatalf("requeued event %+v", ev)
	}
	if note := b.lastEvent(id, "note"); note.Data["upsampler_job_id"] != *before.UpsamplerJobID {
		t.Fatalf("note %+v does not name the abandoned upscale %s", note, *before.UpsamplerJobID)
	}
}

func TestRetryOfUnpaidOrRefundedJob(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})

	// Refunded: the job failed and its money went back automatically.
	id, _ := b.Paid("refunded@example.com")
	if _, err := b.Admin.SetStatus(b.ctx, id, admin1, admin.StatusParams{Status: "failed", Reason: "bad source image"}); err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.Status != job.StatusFailed || j.PaymentStatus != job.PaymentRefunded {
		t.Fatalf("after failing: %s/%s", j.Status, j.PaymentStatus)
	}
	_, err := b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "try again"})
	e := wantErr(t, err, job.EConflict, "")
	if !strings.Contains(e.Message, "refunded") || !strings.Contains(e.Message, "allow_unpaid") {
		t.Fatalf("refusal %q should say the job was refunded and name allow_unpaid", e.Message)
	}
	if j := b.Get(id); j.Status != job.StatusFailed {
		t.Fatalf("a refused retry moved the job to %s", j.Status)
	}
	res, err := b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{Reason: "goodwill", AllowUnpaid: true})
	if err != nil || !res.Queued || res.CreditsEstimate <= 0 {
		t.Fatalf("retry with allow_unpaid: %+v %v (the answer must say what it costs in credits)", res, err)
	}
	if ev := b.lastEvent(id, "requeued"); ev.Data["allow_unpaid"] != true || ev.Actor != admin1 {
		t.Fatalf("requeued event %+v", ev)
	}

	// Never paid.
	id = b.Checkout("unpaid@example.com").JobID
	_, err = b.Admin.Retry(b.ctx, id, admin1, admin.RetryParams{})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "not paid") {
		t.Fatalf("refusal %q", e.Message)
	}
	if j := b.Get(id); j.Status != job.StatusAwaitingPayment {
		t.Fatalf("a refused retry moved the job to %s", j.Status)
	}

	_, err = b.Admin.Retry(b.ctx, newID(), admin1, admin.RetryParams{})
	wantErr(t, err, job.ENotFound, "")
}
