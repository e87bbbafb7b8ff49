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
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// completeJob takes a paid job through submission and the status check
// that finds it done, and returns the token the customer was emailed.
func (b *bundle) completeJob(email string) (id, pi, token string) {
	b.t.Helper()
	id, pi = b.fakePaid(email)
	b.work()
	b.clock.Advance(31 * time.Second)
	b.poll()
	b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	return id, pi, b.tokenMailed(email)
}

// tokenMailed is the download token in the newest delivery mail to addr.
func (b *bundle) tokenMailed(addr string) string {
	b.t.Helper()
	msg := b.mailTo(addr, "ready")
	m := linkRE.FindStringSubmatch(msg.Text)
	if m == nil {
		b.t.Fatalf("delivery mail has no download link:\n%s", msg.Text)
	}
	return m[1]
}

// download opens the file behind token and reads it whole.
func (b *bundle) download(token string) (*pipeline.Download, error) {
	d, err := b.svc.OpenDownload(context.Background(), token, "203.0.113.9", true)
	if err != nil {
		return nil, err
	}
	defer d.File.Close()
	if _, err := io.Copy(io.Discard, d.File); err != nil {
		b.t.Fatal(err)
	}
	return d, nil
}

func TestDeliveryEmailFailsThenRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
	id, _ := b.fakePaid("buyer@example.com")
	b.work()
	b.mail.Stop()
	b.clock.Advance(31 * time.Second)
	b.poll()

	j := b.wantState(id, job.StatusProcessing, job.PaymentPaid)
	if !strings.Contains(deref(j.LastError), "sending the delivery email failed") || j.EmailSent || j.EmailAttempts != 1 {
		t.Fatalf("last_error %q, email_sent %v, email_attempts %d", deref(j.LastError), j.EmailSent, j.EmailAttempts)
	}
	if j.UpscaledFilePath == nil {
		t.Fatal("the upscaled file was not kept while the email failed")
	}
	f, _, err := b.files.Open(*j.UpscaledFilePath)
	if err != nil {
		t.Fatalf("stored file: %v", err)
	}
	f.Close()
	if j.DueAt == nil || !j.DueAt.After(b.clock.Now()) {
		t.Fatalf("no retry scheduled: due_at %v", j.DueAt)
	}
	b.poll() // not due yet: no second try at once
	if j2 := b.get(id); j2.EmailAttempts != 1 {
		t.Fatalf("retried at once: %d attempts", j2.EmailAttempts)
	}

	if err := b.mail.Restart(); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(j.DueAt.Sub(b.clock.Now()))
	b.poll()
	j = b.wantState(id, job.StatusCompleted, job.PaymentPaid)
	if !j.EmailSent || j.LastError != nil {
		t.Fatalf("email_sent %v, last_error %q", j.EmailSent, deref(j.LastError))
	}
	token := b.tokenMailed("buyer@example.com")
	if n := b.mailsTo("buyer@example.com"); n != 1 {
		t.Fatalf("%d delivery mails, want 1", n)
	}
	d, err := b.download(token)
	if err != nil {
		t.Fatalf("the emailed link does not work: %v", err)
	}
	if d.JobID != id || d.ContentType != "image/png" || d.Size == 0 {
		t.Fatalf("download %+v", d)
	}
	if b.up.Submissions() != 1 {
		t.Fatalf("%d submissions: the retry upscaled again", b.up.Submissions())
	}
}

func TestRefundEmailFailureDoesNotUndoTheRefund(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
	id, pi := b.fakePaid("buyer@example.com")
	b.mail.Stop()
	b.failJob(b.svc)
	b.wantState(id, job.StatusFailed, job.PaymentRefunded)
	if rs := b.refunds(id); len(rs) != 1 || rs[0].Status != "succeeded" || len(b.fake.Refunds(pi)) != 1 {
		t.Fatalf("refund history %+v", rs)
	}
	if b.count(id, "email_failed") != 1 {
		t.Fatalf("the failed refund email is not on the timeline: %v", b.events(id))
	}
}

func TestDownloadTokenExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{}),
		cfg: pipeline.Config{DownloadExpiry: 48 * time.Hour, FileRetention: 7 * 24 * time.Hour}})
	ctx := context.Background()
	id, _, token := b.completeJob("buyer@example.com")
	if _, err := b.download(token); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("a live token was expired")
	}

	b.clock.Advance(48 * time.Hour)
	_, err := b.download(token)
	wantErr(t, err, job.EGone, "expired")
	if n, err := b.svc.ExpireTokens(ctx); n != 1 || err != nil {
		t.Fatalf("expire: %d, %v", n, err)
	}
	if n, _ := b.svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("the same expiry was recorded twice")
	}
	j := b.get(id)
	if j.TokenStateAt(b.clock.Now()) != job.TokenExpired || b.count(id, "token_expired") != 1 {
		t.Fatalf("token state %s; timeline %v", j.TokenStateAt(b.clock.Now()), b.events(id))
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
	b.clock.Advance(5 * 24 * time.Hour)
	if n, _ := b.svc.ExpireTokens(ctx); n != 1 {
		t.Fatal("the file was not deleted after the retention period")
	}
	j = b.get(id)
	if j.UpscaledFilePath != nil || b.count(id, "file_deleted") != 1 {
		t.Fatalf("file path %v; timeline %v", j.UpscaledFilePath, b.events(id))
	}
	if _, _, err := b.files.Open(file); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the file is still on disk: %v", err)
	}
	_, err = b.download(token)
	wantErr(t, err, job.EGone, "expired")
	if n, _ := b.svc.ExpireTokens(ctx); n != 0 {
		t.Fatal("nothing is left to sweep")
	}
	if j = b.get(id); j.DueAt != nil || j.Status != job.StatusCompleted {
		t.Fatalf("swept job: %s, due_at %v", j.Status, j.DueAt)
	}
}

func TestDownloadRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	for _, tok := range []string{strings.Repeat("0", 64), "short", "../../etc/passwd", strings.Repeat("a", 200)} {
		_, err := b.svc.OpenDownload(ctx, tok, "203.0.113.9", true)
		wantErr(t, err, job.ENotFound, "unknown")
	}

	// A partial refund keeps the link working; a full one revokes it.
	id, _, token := b.completeJob("buyer@example.com")
	if _, err := b.svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Amount: 10, Reason: "goodwill", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "part"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.download(token); err != nil {
		t.Fatalf("after a partial refund: %v", err)
	}
	if _, err := b.svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Reason: "customer asked", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "rest"}); err != nil {
		t.Fatal(err)
	}
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	if _, err := b.download(token); err == nil {
		t.Fatal("a fully refunded job's link still works")
	}
	if j := b.get(id); j.DownloadCount != 1 {
		t.Fatalf("download count %d", j.DownloadCount)
	}
}

// With downloads.revoke_on_full_refund off, the admin lets the customer
// keep the file after a refund: the link goes on working.
func TestDownloadOfRefundedJobWithoutRevoke(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{}), keepTokenOnRefund: true})
	ctx := context.Background()
	id, pi, token := b.completeJob("buyer@example.com")
	b.fake.AddDashboardRefund(pi, 0)
	b.deliver(b.signed("evt_ch_full", "charge.refunded", b.fake.Charge(pi)))
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	d, err := b.svc.OpenDownload(ctx, token, "203.0.113.9", true)
	if err != nil {
		t.Fatalf("the link must keep working without revocation: %v", err)
	}
	d.File.Close()
}

// A refunded job an admin retries (giving the work away) gets a link that
// works, though the payment stays refunded.
func TestRetriedRefundedJobDownloads(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	id, pi, old := b.completeJob("giveaway@example.com")
	b.fake.AddDashboardRefund(pi, 0)
	b.deliver(b.signed("evt_ch_give", "charge.refunded", b.fake.Charge(pi)))
	_, err := b.svc.OpenDownload(ctx, old, "203.0.113.9", true)
	wantErr(t, err, job.EGone, "refunded")
	if _, err := b.svc.Requeue(ctx, id, "wp:1:admin", pipeline.RequeueOptions{AllowUnpaid: true, Reason: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(2 * time.Second) // completed after the refund
	b.work()
	b.clock.Advance(31 * time.Second)
	b.poll()
	b.wantState(id, job.StatusCompleted, job.PaymentRefunded)
	token := b.tokenMailed("giveaway@example.com")
	if token == old {
		t.Fatal("the remade job must carry a new link")
	}
	d, err := b.svc.OpenDownload(ctx, token, "203.0.113.9", true)
	if err != nil {
		t.Fatalf("the remade job's new link must work: %v", err)
	}
	d.File.Close()
}

// A refund revokes the link at once; the file still goes when the
// retention period ends, like every other.
func TestRefundedJobFileDeletedAfterRetention(t *testing.T) {
	t.Parallel()
	b := setup(t, options{fakeStripe: true, upsampler: quiet(upscaletest.Options{})})
	ctx := context.Background()
	id, _, _ := b.completeJob("buyer@example.com")
	if _, err := b.svc.Refund(ctx, pipeline.RefundRequest{JobID: id, Reason: "customer asked", Actor: job.ActorSystem,
		Source: "admin", IdempotencyKey: "all"}); err != nil {
		t.Fatal(err)
	}
	file := *b.get(id).UpscaledFilePath
	for _, d := range []time.Duration{25 * time.Hour, 6 * 24 * time.Hour} {
		b.clock.Advance(d)
		if _, err := b.svc.ExpireTokens(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if j := b.get(id); j.UpscaledFilePath != nil {
		t.Fatalf("a refunded job's file is kept past the retention period (due_at %v)", j.DueAt)
	}
	if _, _, err := b.files.Open(file); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the file is still on disk: %v", err)
	}
}
