package pipeline_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// completeJob takes a paid job through submission and the status check
// that finds it done, and returns the token the customer was emailed.
func (b *bundle) completeJob(email string) (id, pi, token string) {
	b.T.Helper()
	id, pi = b.Paid(email)
	b.Complete(id)
	b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	return id, pi, b.tokenMailed(email)
}

// tokenMailed is the download token in the newest delivery mail to addr.
func (b *bundle) tokenMailed(addr string) string {
	b.T.Helper()
	msg := b.MailTo(addr, "ready")
	m := linkRE.FindStringSubmatch(msg.Text)
	if m == nil {
		b.T.Fatalf("delivery mail has no download link:\n%s", msg.Text)
	}
	return m[1]
}

// download opens the file behind token and reads it whole.
func (b *bundle) download(token string) (*pipeline.Download, error) {
	d, err := b.Svc.OpenDownload(context.Background(), token, "203.0.113.9", true)
	if err != nil {
		return nil, err
	}
	defer d.File.Close()
	if _, err := io.Copy(io.Discard, d.File); err != nil {
		b.T.Fatal(err)
	}
	return d, nil
}

func TestDeliveryEmailFailsThenRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	id, _ := b.Paid("buyer@example.com")
	b.Work()
	b.Mail.Stop()
	b.Clock.Advance(31 * time.Second)
	b.Poll()

	j := b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	if !strings.Contains(pipelinetest.Deref(j.LastError), "sending the delivery email failed") || j.EmailSent || j.EmailAttempts != 1 {
		t.Fatalf("last_error %q, email_sent %v, email_attempts %d", pipelinetest.Deref(j.LastError), j.EmailSent, j.EmailAttempts)
	}
	if j.UpscaledFilePath == nil {
		t.Fatal("the upscaled file was not kept while the email failed")
	}
	f, _, err := b.Files.Open(*j.UpscaledFilePath)
	if err != nil {
		t.Fatalf("stored file: %v", err)
	}
	f.Close()
	if j.DueAt == nil || !j.DueAt.After(b.Clock.Now()) {
		t.Fatalf("no retry scheduled: due_at %v", j.DueAt)
	}
	b.Poll() // not due yet: no second try at once
	if j2 := b.Get(id); j2.EmailAttempts != 1 {
		t.Fatalf("retried at once: %d attempts", j2.EmailAttempts)
	}

	if err := b.Mail.Restart(); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(j.DueAt.Sub(b.Clock.Now()))
	b.Poll()
	j = b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if !j.EmailSent || j.LastError != nil {
		t.Fatalf("email_sent %v, last_error %q", j.EmailSent, pipelinetest.Deref(j.LastError))
	}
	token := b.tokenMailed("buyer@example.com")
	if n := b.MailsTo("buyer@example.com"); n != 1 {
		t.Fatalf("%d delivery mails, want 1", n)
	}
	d, err := b.download(token)
	if err != nil {
		t.Fatalf("the emailed link does not work: %v", err)
	}
	if d.JobID != id || d.ContentType != "image/png" || d.Size == 0 {
		t.Fatalf("download %+v", d)
	}
	if b.Up.Submissions() != 1 {
		t.Fatalf("%d submissions: the retry upscaled again", b.Up.Submissions())
	}
}

func TestRefundEmailFailureDoesNotUndoTheRefund(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	id, pi := b.Paid("buyer@example.com")
	b.Mail.Stop()
	b.failJob(b.Svc)
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if rs := b.Refunds(id); len(rs) != 1 || rs[0].Status != "succeeded" || len(b.Fake.Refunds(pi)) != 1 {
		t.Fatalf("refund history %+v", rs)
	}
	if b.Count(id, "email_failed") != 1 {
		t.Fatalf("the failed refund email is not on the timeline: %v", b.EventTypes(id))
	}
}

func TestDownloadTokenExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}),
		Config: pipeline.Config{DownloadExpiry: 48 * time.Hour, FileRetention: 7 * 24 * time.Hour}})
	ctx := context.Background()
	id, _, token := b.completeJob("buyer@example.com")
	if _, err := b.download(token); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.Svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("a live token was expired")
	}

	b.Clock.Advance(48 * time.Hour)
	_, err := b.download(token)
	wantErr(t, err, job.EGone, "expired")
	if n, err := b.Svc.ExpireTokens(ctx); n != 1 || err != nil {
		t.Fatalf("expire: %d, %v", n, err)
	}
	if n, _ := b.Svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("the same expiry was recorded twice")
	}
	j := b.Get(id)
	if j.TokenStateAt(b.Clock.Now()) != job.TokenExpired || b.Count(id, "token_expired") != 1 {
		t.Fatalf("token state %s; timeline %v", j.TokenStateAt(b.Clock.Now()), b.EventTypes(id))
	}
	// The customer clicking the old link is told it expired, not that it
	// never existed.
	_, err = b.download(token)
	wantErr(t, err, job.EGone, "expired")
	if j.DownloadCount != 1 {
		t.Fatalf("download count %d", j.DownloadCount)
	}

	// After the retention period the file goes too.
	file := *j.UpscaledFilePath
	b.Clock.Advance(5 * 24 * time.Hour)
	if n, _ := b.Svc.ExpireTokens(ctx); n != 1 {
		t.Fatal("the file was not deleted after the retention period")
	}
	j = b.Get(id)
	if j.UpscaledFilePath != nil || b.Count(id, "file_deleted") != 1 {
		t.Fatalf("file path %v; timeline %v", j.UpscaledFilePath, b.EventTypes(id))
	}
	if _, _, err := b.Files.Open(file); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the file is still on disk: %v", err)
	}
	_, err = b.download(token)
	wantErr(t, err, job.EGone, "expired")
	if n, _ := b.Svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("nothing is left to sweep")
	}
	if j = b.Get(id); j.DueAt != nil || j.Status != job.StatusCompleted {
		t.Fatalf("swept job: %s, due_at %v", j.Status, j.DueAt)
	}
}

func TestDownloadRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	for _, tok := range []string{strings.Repeat("0", 64), "short", "../../etc/passwd", strings.Repeat("a", 200)} {
		_, err := b.Svc.OpenDownload(ctx, tok, "203.0.113.9", true)
		wantErr(t, err, job.ENotFound, "unknown")
	}

	// A partial refund keeps the link working; a full one revokes it.
	id, _, token := b.completeJob("buyer@example.com")
	if _, err := b.Svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Amount: 10, Reason: "goodwill", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "part"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.download(token); err != nil {
		t.Fatalf("after a partial refund: %v", err)
	}
	if _, err := b.Svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Reason: "customer asked", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "rest"}); err != nil {
		t.Fatal(err)
	}
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	if _, err := b.download(token); err == nil {
		t.Fatal("a fully refunded job's link still works")
	}
	if j := b.Get(id); j.DownloadCount != 1 {
		t.Fatalf("download count %d", j.DownloadCount)
	}
}

// With downloads.revoke_on_full_refund off, the admin lets the customer
// keep the file after a refund: the link goes on working.
func TestDownloadOfRefundedJobWithoutRevoke(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{}), KeepTokenOnRefund: true})
	ctx := context.Background()
	id, pi, token := b.completeJob("buyer@example.com")
	b.Fake.AddDashboardRefund(pi, 0)
	b.Deliver(b.Signed("evt_ch_full", "charge.refunded", b.Fake.Charge(pi)))
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	d, err := b.Svc.OpenDownload(ctx, token, "203.0.113.9", true)
	if err != nil {
		t.Fatalf("the link must keep working without revocation: %v", err)
	}
	d.File.Close()
}

// A refunded job an admin retries (giving the work away) gets a link that
// works, though the payment stays refunded.
func TestRetriedRefundedJobDownloads(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	id, pi, old := b.completeJob("giveaway@example.com")
	b.Fake.AddDashboardRefund(pi, 0)
	b.Deliver(b.Signed("evt_ch_give", "charge.refunded", b.Fake.Charge(pi)))
	_, err := b.Svc.OpenDownload(ctx, old, "203.0.113.9", true)
	wantErr(t, err, job.EGone, "refunded")
	oldFile := *b.Get(id).UpscaledFilePath
	if _, err := b.Svc.Requeue(ctx, id, "wp:1:admin", pipeline.RequeueOptions{AllowUnpaid: true, Reason: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	// The job is made again under a new name: the old file, which the row
	// no longer names, goes at once rather than stay forever.
	if _, _, err := b.Files.Open(oldFile); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the previous attempt's file %s is still stored (%v)", oldFile, err)
	}
	b.Clock.Advance(2 * time.Second) // completed after the refund
	b.Work()
	b.Clock.Advance(31 * time.Second)
	b.Poll()
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	token := b.tokenMailed("giveaway@example.com")
	if token == old {
		t.Fatal("the remade job must carry a new link")
	}
	d, err := b.Svc.OpenDownload(ctx, token, "203.0.113.9", true)
	if err != nil {
		t.Fatalf("the remade job's new link must work: %v", err)
	}
	d.File.Close()
}

// A refund revokes the link at once; the file still goes when the
// retention period ends, like every other.
func TestRefundedJobFileDeletedAfterRetention(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	id, _, _ := b.completeJob("buyer@example.com")
	if _, err := b.Svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Reason: "customer asked", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "all"}); err != nil {
		t.Fatal(err)
	}
	file := *b.Get(id).UpscaledFilePath
	for _, d := range []time.Duration{25 * time.Hour, 6 * 24 * time.Hour} {
		b.Clock.Advance(d)
		if _, err := b.Svc.ExpireTokens(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if j := b.Get(id); j.UpscaledFilePath != nil {
		t.Fatalf("a refunded job's file is kept past the retention period (due_at %v)", j.DueAt)
	}
	if _, _, err := b.Files.Open(file); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the file is still on disk: %v", err)
	}
}
