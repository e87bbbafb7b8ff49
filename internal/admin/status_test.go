package admin_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

func TestSetStatusRefusesMovesOutsideTheTable(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	for _, from := range job.Statuses {
		j := b.Insert(&job.Job{Status: from, PaymentStatus: job.PaymentPaid, AmountCharged: ptr(job.Money(50))})
		for _, to := range job.Statuses {
			if job.CanOverride(from, to) {
				continue
			}
			_, err := b.Admin.SetStatus(b.ctx, j.JobID, admin1, admin.StatusParams{Status: string(to), Reason: "testing"})
			e := wantErr(t, err, job.EConflict, "")
			if !strings.Contains(e.Message, "allowed:") {
				t.Errorf("%s → %s: %q does not list the allowed moves", from, to, e.Message)
			}
		}
		if after := b.Get(j.JobID); after.Status != from || len(b.Events(j.JobID)) != 1 {
			t.Fatalf("refused overrides moved a %s job to %s or left events", from, after.Status)
		}
	}
	j := b.Insert(&job.Job{Status: job.StatusPending, PaymentStatus: job.PaymentPaid})
	_, err := b.Admin.SetStatus(b.ctx, j.JobID, admin1, admin.StatusParams{Status: "done", Reason: "x"})
	wantErr(t, err, job.EInvalid, "status")
	_, err = b.Admin.SetStatus(b.ctx, j.JobID, admin1, admin.StatusParams{Status: "failed", Reason: " "})
	wantErr(t, err, job.EInvalid, "reason")
	_, err = b.Admin.SetStatus(b.ctx, newID(), admin1, admin.StatusParams{Status: "failed", Reason: "x"})
	wantErr(t, err, job.ENotFound, "")
	if after := b.Get(j.JobID); after.Status != job.StatusPending {
		t.Fatalf("bad input moved the job to %s", after.Status)
	}
}

func TestSetStatusProcessingToFailedRefunds(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, pi := b.Paid("stuck@example.com")
	b.Process(id)
	res, err := b.Admin.SetStatus(b.ctx, id, admin1, admin.StatusParams{Status: "failed", Reason: "upscale hangs"})
	if err != nil || res.From != job.StatusProcessing || res.To != job.StatusFailed {
		t.Fatalf("%+v %v", res, err)
	}
	j := b.Get(id)
	if j.Status != job.StatusFailed || j.PaymentStatus != job.PaymentRefunded || !strings.Contains(pipelinetest.Deref(j.LastError), "upscale hangs") {
		t.Fatalf("after override: %s/%s %q", j.Status, j.PaymentStatus, pipelinetest.Deref(j.LastError))
	}
	if b.stripeTotal(pi) != 50 {
		t.Fatalf("Stripe refunded %d, want the whole 50", b.stripeTotal(pi))
	}
	if b.MailsTo("stuck@example.com") != 1 {
		t.Fatal("the customer was not told about the refund")
	}
	ev := b.lastEvent(id, "failed")
	if ev.Actor != admin1 || *ev.FromStatus != job.StatusProcessing || *ev.ToStatus != job.StatusFailed || !strings.Contains(ev.Message, "upscale hangs") {
		t.Fatalf("failed event %+v", ev)
	}
	if ev := b.lastEvent(id, "status_override"); ev.Actor != admin1 || ev.Data["reason"] != "upscale hangs" {
		t.Fatalf("override event %+v", ev)
	}
}

func TestSetStatusFailedToCompletedNeedsTheFile(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})

	// No file: refused.
	nofile := b.Insert(&job.Job{Status: job.StatusFailed, PaymentStatus: job.PaymentPaid, Email: "nofile@example.com"})
	_, err := b.Admin.SetStatus(b.ctx, nofile.JobID, admin1, admin.StatusParams{Status: "completed", Reason: "it worked"})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "file") {
		t.Fatalf("refusal %q should name the missing file", e.Message)
	}
	if j := b.Get(nofile.JobID); j.Status != job.StatusFailed || j.DownloadTokenDigest != nil {
		t.Fatalf("a refused override moved the job: %s", j.Status)
	}

	// The file on record but not on disk: refused.
	id := newID()
	gone := b.Insert(&job.Job{JobID: id, Status: job.StatusFailed, PaymentStatus: job.PaymentPaid, UpscaledFilePath: ptr(id[:2] + "/" + id + ".png")})
	_, err = b.Admin.SetStatus(b.ctx, gone.JobID, admin1, admin.StatusParams{Status: "completed", Reason: "it worked"})
	wantErr(t, err, job.EConflict, "")

	// The file exists: completed, with a working link.
	id = newID()
	ok := b.Insert(&job.Job{JobID: id, Status: job.StatusFailed, PaymentStatus: job.PaymentPaid, Email: "ok@example.com",
		UpscaledFilePath: ptr(b.StoredFile(id)), LastError: ptr("delivery email bounced")})
	res, err := b.Admin.SetStatus(b.ctx, ok.JobID, admin1, admin.StatusParams{Status: "completed", Reason: "mailed it by hand"})
	if err != nil {
		t.Fatal(err)
	}
	if res.From != job.StatusFailed || res.To != job.StatusCompleted || res.DownloadURL == "" {
		t.Fatalf("override answer %+v", res)
	}
	if err := b.canDownload(tokenOf(t, res.DownloadURL)); err != nil {
		t.Fatalf("the issued link does not work: %v", err)
	}
	j := b.Get(ok.JobID)
	if j.Status != job.StatusCompleted || j.CompletedAt == nil || j.LastError != nil {
		t.Fatalf("after override: %s, completed at %v, last error %v", j.Status, j.CompletedAt, j.LastError)
	}
	ev := b.lastEvent(ok.JobID, "status_override")
	if ev.Actor != admin1 || !strings.Contains(ev.Message, "mailed it by hand") || *ev.FromStatus != job.StatusFailed || *ev.ToStatus != job.StatusCompleted {
		t.Fatalf("override event %+v", ev)
	}

	// Failed and refunded: the link stays revoked.
	pid, _ := b.Paid("refunded@example.com")
	if _, err := b.Admin.SetStatus(b.ctx, pid, admin1, admin.StatusParams{Status: "failed", Reason: "bad image"}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Admin.SetStatus(b.ctx, pid, admin1, admin.StatusParams{Status: "completed", Reason: "oops"})
	wantErr(t, err, job.EConflict, "")
}

func TestSetStatusAbandonedAndBackOnlyWhenStripeConfirms(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id := b.Checkout("late@example.com").JobID
	sess := *b.Get(id).StripeCheckoutSessionID

	res, err := b.Admin.SetStatus(b.ctx, id, admin1, admin.StatusParams{Status: "abandoned", Reason: "visitor left"})
	if err != nil || res.To != job.StatusAbandoned {
		t.Fatalf("%+v %v", res, err)
	}
	if ev := b.lastEvent(id, "status_override"); ev.Actor != admin1 || *ev.ToStatus != job.StatusAbandoned || ev.Data["reason"] != "visitor left" {
		t.Fatalf("override event %+v", ev)
	}

	// Stripe has no payment: refused, the job stays abandoned.
	_, err = b.Admin.SetStatus(b.ctx, id, admin1, admin.StatusParams{Status: "pending", Reason: "customer says they paid"})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "Stripe") {
		t.Fatalf("refusal %q should say Stripe does not confirm", e.Message)
	}
	if j := b.Get(id); j.Status != job.StatusAbandoned || j.PaymentStatus != job.PaymentPending {
		t.Fatalf("after refusal: %s/%s", j.Status, j.PaymentStatus)
	}

	// The payment shows up at Stripe: now it goes through.
	b.Fake.SetSessionPaid(sess, "pi_late")
	res, err = b.Admin.SetStatus(b.ctx, id, admin1, admin.StatusParams{Status: "pending", Reason: "customer says they paid"})
	if err != nil || res.From != job.StatusAbandoned || res.To != job.StatusPending {
		t.Fatalf("%+v %v", res, err)
	}
	j := b.Get(id)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || pipelinetest.Deref(j.StripePaymentIntentID) != "pi_late" || j.DueAt == nil {
		t.Fatalf("after confirmation: %s/%s pi %s", j.Status, j.PaymentStatus, pipelinetest.Deref(j.StripePaymentIntentID))
	}
	types := []string{}
	for _, e := range b.Events(id) {
		if e.Actor == admin1 {
			types = append(types, e.Type)
		}
	}
	if !slices.Contains(types, "payment_received") || !slices.Contains(types, "status_override") {
		t.Fatalf("the admin's events %v", types)
	}
}
