package pipeline_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// slowFetch makes the result download take delay, as a large file over a
// slow link does.
type slowFetch struct {
	pipeline.Upscaler
	delay time.Duration
}

func (s slowFetch) Fetch(ctx context.Context, r upscale.Result) (io.ReadCloser, int64, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	return s.Upscaler.Fetch(ctx, r)
}

// Three copies of Upsampler's callback arrive at once while the poller
// runs, and the result takes seconds to download: one finisher stores the
// file, one email goes out, its link downloads, and no stray file is left.
func TestConcurrentFinishersDeliverOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	slow := b.Replica(b.Config, pipeline.Deps{Upscaler: slowFetch{Upscaler: b.Upscaler, delay: 1500 * time.Millisecond}})
	id, _ := b.Paid("race@example.com")
	if _, err := slow.Work(context.Background()); err != nil {
		t.Fatal(err)
	}
	j := b.Get(id)
	if j.UpsamplerJobID == nil {
		t.Fatalf("not submitted: %v", b.EventTypes(id))
	}
	b.Clock.Advance(31 * time.Second)
	body := jsonBody(map[string]any{"id": *j.UpsamplerJobID, "status": "SUCCESS"})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = slow.UpsamplerHint(context.Background(), id, body) }() // the race's loser may fail: the row is the verdict
	}
	wg.Add(1)
	go func() { defer wg.Done(); _, _ = slow.Poll(context.Background()) }()
	wg.Wait()

	b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if n := b.MailsTo("race@example.com"); n != 1 {
		t.Fatalf("%d delivery emails, want exactly 1 (timeline %v)", n, b.EventTypes(id))
	}
	if n := b.Count(id, "file_stored"); n != 1 {
		t.Fatalf("%d files stored, want 1", n)
	}
	d, err := b.download(b.tokenMailed("race@example.com"))
	if err != nil || d.JobID != id {
		t.Fatalf("the emailed link does not download: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(b.FilesDir, "*", strings.ToLower(id)+"*"))
	if len(matches) != 1 {
		t.Fatalf("files on disk for the job: %v, want exactly the one the row names", matches)
	}
	if b.Up.Submissions() != 1 {
		t.Fatalf("%d submissions, want 1", b.Up.Submissions())
	}
}

// A writer that lost the job (its lease ran out, another took it) changes
// nothing: the store refuses its write as stale.
func TestStaleWriterChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	id, _ := b.Paid("stale@example.com")
	b.Work()
	before := b.Get(id)
	// An admin retry re-queues the job: the fence moves on.
	if _, err := b.Svc.Requeue(context.Background(), id, "wp:1:admin", pipeline.RequeueOptions{Force: true, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	after := b.Get(id)
	if after.Fence <= before.Fence {
		t.Fatalf("fence %d → %d: a retry must move it on", before.Fence, after.Fence)
	}
	// The old attempt's poller now learns the upscale is done.
	b.Clock.Advance(31 * time.Second)
	if err := b.Svc.UpsamplerHint(context.Background(), id, jsonBody(map[string]any{"id": pipelinetest.Deref(before.UpsamplerJobID)})); err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.Status != job.StatusPending || j.UpscaledFilePath != nil {
		t.Fatalf("a stale callback moved the re-queued job: %s, file %v", j.Status, j.UpscaledFilePath)
	}
	if n := b.MailsTo("stale@example.com"); n != 0 {
		t.Fatalf("%d emails from a stale attempt", n)
	}
}

// A delivery email the mail server keeps refusing does not leave a paid
// job processing for ever: after mail.max_attempts it completes with
// email_sent false and asks for attention; a resend then carries the link.
func TestEmailRefusedCompletesFlagged(t *testing.T) {
	t.Parallel()
	cfg := pipeline.Config{MaxEmailAttempts: 2}
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), Config: cfg})
	id, _ := b.Paid("bounce@example.com")
	b.Work()
	b.Mail.Stop()
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	j := b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	b.Clock.Advance(j.DueAt.Sub(b.Clock.Now()) + time.Second)
	b.Poll()
	j = b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if j.EmailSent || !strings.Contains(pipelinetest.Deref(j.LastError), "could not be sent") {
		t.Fatalf("email_sent %v, last_error %q", j.EmailSent, pipelinetest.Deref(j.LastError))
	}
	att := job.Attention(j, job.Facts{Now: b.Clock.Now()})
	if len(att) != 1 || att[0] != job.AttentionEmailNotSent {
		t.Fatalf("attention %v, want [email_not_sent]", att)
	}
	if err := b.Mail.Restart(); err != nil {
		t.Fatal(err)
	}
	res, err := b.Svc.IssueToken(context.Background(), pipeline.TokenRequest{JobID: id, KeepExpiry: true, SendEmail: true,
		Actor: "wp:1:admin", Reason: "resend", EventType: "email_resent"})
	if err != nil || !res.EmailSent {
		t.Fatalf("resend: %+v %v", res, err)
	}
	if _, err := b.download(b.tokenMailed("bounce@example.com")); err != nil {
		t.Fatalf("the resent link does not download: %v", err)
	}
	if !b.Get(id).EmailSent {
		t.Fatal("email_sent still false after the resend")
	}
}
