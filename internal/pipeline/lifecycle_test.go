package pipeline_test

import (
	"context"
	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"image/png"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline"
)

var linkRE = regexp.MustCompile(`/smi-download/([0-9a-f]{64})`)

func TestHappyPathEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	ctx := context.Background()
	res := b.Checkout("buyer@example.com")
	if !strings.HasPrefix(res.CheckoutURL, "https://") || res.Amount != 50 || res.Currency != "usd" {
		t.Fatalf("checkout result %+v", res)
	}
	j := b.Get(res.JobID)
	if j.Status != job.StatusAwaitingPayment || j.StripeCheckoutSessionID == nil || *j.AmountCost != 4 {
		t.Fatalf("new job %+v", j)
	}
	b.Pay(res.JobID)
	j = b.Get(res.JobID)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || j.PaidAt == nil || j.StripePaymentIntentID == nil {
		t.Fatalf("after payment: %s/%s", j.Status, j.PaymentStatus)
	}
	b.Svc.Start(ctx)
	defer b.Svc.Stop()
	j = b.WaitStatus(res.JobID, job.StatusCompleted, 10*time.Second)
	if !j.EmailSent || j.UpsamplerJobID == nil || j.OutputWidth == nil || *j.OutputWidth != 800 || *j.OutputHeight != 600 {
		t.Fatalf("completed job: email_sent=%v upsampler=%v out=%v×%v", j.EmailSent, j.UpsamplerJobID, j.OutputWidth, j.OutputHeight)
	}
	if b.Up.Submissions() != 1 {
		t.Fatalf("%d submissions, want 1", b.Up.Submissions())
	}
	msg := b.Mail.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) > 0 && s.To[0].Address == "buyer@example.com" }, 5*time.Second)
	m := linkRE.FindStringSubmatch(msg.Text)
	if m == nil || !strings.Contains(msg.HTML, m[0]) {
		t.Fatalf("delivery mail has no download link:\n%s", msg.Text)
	}
	token := m[1]
	if *j.DownloadTokenDigest == token || *j.DownloadTokenDigest != pipeline.Digest(token) {
		t.Fatal("the database must hold the token's digest only")
	}
	d, err := b.Svc.OpenDownload(ctx, token, "203.0.113.9", true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.File.Close()
	cfg, err := png.DecodeConfig(d.File)
	if err != nil || cfg.Width != 800 || cfg.Height != 600 || d.ContentType != "image/png" {
		t.Fatalf("downloaded file: %v %dx%d %s", err, cfg.Width, cfg.Height, d.ContentType)
	}
	j = b.Get(res.JobID)
	if j.DownloadCount != 1 {
		t.Fatalf("download count %d", j.DownloadCount)
	}
	want := []string{"checkout_created", "payment_received", "submitting", "submitted", "file_stored", "completed", "downloaded"}
	got := b.EventTypes(res.JobID)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("timeline %v lacks %s", got, w)
		}
	}
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	ctx := context.Background()
	good := pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9, ImageURL: b.Site.URL + "/wp-content/uploads/a.png",
		ImageWidth: 1000, ImageHeight: 800, Resolution: "4x", SuccessURL: b.Site.URL + "/ok", CancelURL: b.Site.URL + "/no"}
	cases := []struct {
		mutate func(*pipeline.CheckoutRequest)
		param  string
	}{
		{func(r *pipeline.CheckoutRequest) { r.Resolution = "16x" }, "resolution"},
		{func(r *pipeline.CheckoutRequest) { r.ImageURL = "https://evil.example/x.png" }, "image_url"},
		{func(r *pipeline.CheckoutRequest) { r.ImageURL = "file:///etc/passwd" }, "image_url"},
		{func(r *pipeline.CheckoutRequest) { r.ImageWidth, r.ImageHeight = 40, 40 }, "image_width"},
		{func(r *pipeline.CheckoutRequest) { r.ImageWidth, r.ImageHeight = 3000, 3000 }, "resolution"},
		{func(r *pipeline.CheckoutRequest) { r.Email = "not an email" }, "email"},
		{func(r *pipeline.CheckoutRequest) { r.SuccessURL = "https://evil.example/" }, "success_url"},
		{func(r *pipeline.CheckoutRequest) { r.PostID = 0 }, "post_id"},
	}
	for _, c := range cases {
		rq := good
		c.mutate(&rq)
		_, err := b.Svc.Checkout(ctx, rq, job.ActorSystem)
		e, ok := err.(*job.Error)
		if !ok || e.Code != job.EInvalid || e.Param != c.param {
			t.Errorf("%+v: got %v, want invalid %s", rq, err, c.param)
		}
	}
	if n, _, _ := b.DB.Count(ctx, storeFilterAll()); n != 0 {
		t.Fatalf("refused checkouts left %d jobs", n)
	}
}

// Reconcile with Stripe reaches every waiting job in turn, not only the
// oldest hundred: spam checkouts cannot starve a genuine lost payment.
func TestReconcileRecentReachesEveryWaitingJob(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ctx := context.Background()
	now := b.Clock.Now()
	const total = 250
	var jobs []*job.Job
	for i := range total {
		created := now.Add(-11*time.Minute - time.Duration(i)*time.Minute)
		w, h, price := 200, 150, job.Money(50)
		jobs = append(jobs, &job.Job{JobID: uuid.NewString(), ImageURL: b.Site.URL + "/wp-content/uploads/x.png", Resolution: job.Resolution4x,
			PostID: 7, ImageWidth: &w, ImageHeight: &h, Status: job.StatusAwaitingPayment, PaymentStatus: job.PaymentPending,
			AmountCharged: &price, CreatedAt: created, UpdatedAt: created})
	}
	if err := b.DB.InsertBulk(ctx, jobs, store.EventInput{Actor: job.ActorSystem, Type: "seeded", Message: "waiting"}); err != nil {
		t.Fatal(err)
	}
	for run := range 3 {
		if _, err := b.Svc.ReconcileRecent(ctx); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
	}
	for _, j := range jobs {
		if n := b.Count(j.JobID, "reconciled"); n != 1 {
			t.Fatalf("job created %s ago reconciled %d times in three runs, want once", now.Sub(j.CreatedAt), n)
		}
	}
	// Looking again says nothing new: the timeline holds one line however
	// often cron checks. The fourth run starts again from the oldest,
	// which says so once more when its line is gone.
	oldest := jobs[total-1].JobID
	if _, err := b.SQL.Exec("DELETE FROM wp_smi_job_events WHERE job_id = ? AND type = 'reconciled'", oldest); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Svc.ReconcileRecent(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.Count(oldest, "reconciled"); n != 1 {
		t.Fatalf("the oldest job was not looked at again: %d", n)
	}
	if n := b.Count(jobs[total-2].JobID, "reconciled"); n != 1 {
		t.Fatalf("a job checked twice has %d lines on its timeline, want 1", n)
	}
}
