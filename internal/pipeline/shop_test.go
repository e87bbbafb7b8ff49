package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

const (
	owner    = "owner@shop.example"
	shopName = "Tom & Jerry's Prints"
)

// shopSetup is setup with the shop's WordPress options in the database and
// a mailer that reads them, as smid serve wires it.
func shopSetup(t *testing.T, notify mail.Notify) *bundle {
	t.Helper()
	b := setup(t, pipelinetest.Options{})
	storetest.WPOptions(t, b.DSN, "wp_", map[string]string{
		"blogname": "Tom &amp; Jerry&#039;s Prints", "admin_email": owner,
		"timezone_string": "America/New_York", "gmt_offset": "", "date_format": "F j, Y", "time_format": "g:i a",
		"WPLANG": "", "siteurl": "https://www.shop.example", "home": "https://www.shop.example",
	})
	shop := site.New(site.Config{Now: b.Clock.Now, Log: pipelinetest.Quiet()}, b.DB)
	m, err := mail.New(mail.Config{Host: b.Mail.SMTPHost(), Port: b.Mail.SMTPPort(), TLS: "none", Site: shop, Notify: notify})
	if err != nil {
		t.Fatal(err)
	}
	b.Mailer = m
	b.Svc = b.Replica(b.Config, pipeline.Deps{Mailer: m})
	return b
}

var allOn = mail.Notify{Sale: true, Failed: true, Dispute: true, Stuck: true}

func TestOwnerHearsOfSaleAndFailureCustomerOfRefund(t *testing.T) {
	t.Parallel()
	b := shopSetup(t, allOn)
	ctx := context.Background()
	res := b.Checkout("buyer@example.com")
	b.Pay(res.JobID)

	sale := b.MailTo(owner, "["+shopName+"] New sale: $0.50")
	local := b.Clock.Now().In(mustZone(t, "America/New_York"))
	mustHave(t, sale.Text, res.JobID, "buyer@example.com", "$0.50", "4x",
		local.Format("January 2, 2006 3:04 pm MST"), "https://www.shop.example/wp-admin/admin.php?page=smi-jobs&job="+res.JobID)
	if sale.From == nil || sale.From.Address != "wordpress@shop.example" || sale.From.Name != shopName {
		t.Errorf("From = %+v", sale.From)
	}

	b.Svc.Fail(ctx, res.JobID, "upscale timed out after 15m0s", job.ActorSystem)
	failed := b.MailTo(owner, "A job failed")
	mustHave(t, failed.Text, res.JobID, "Reason: upscale timed out after 15m0s")

	refund := b.MailTo("buyer@example.com", "refund")
	mustHave(t, refund.Text, shopName+": we are sorry", "$0.50", "could not finish your image")
	for _, part := range []string{refund.Text, refund.HTML} {
		if strings.Contains(part, "automatic refund") || strings.Contains(part, "timed out") {
			t.Errorf("the customer reads an internal reason:\n%s", part)
		}
	}
	if len(refund.ReplyTo) != 1 || refund.ReplyTo[0].Address != owner {
		t.Errorf("Reply-To = %+v, want the admin_email", refund.ReplyTo)
	}
}

func TestNoOwnerMailWhenSwitchedOff(t *testing.T) {
	t.Parallel()
	b := shopSetup(t, mail.Notify{})
	res := b.Checkout("quiet@example.com")
	b.Pay(res.JobID)
	b.Svc.Fail(context.Background(), res.JobID, "boom", job.ActorSystem)
	b.MailTo("quiet@example.com", "refund") // the customer still hears
	// Owner notices go out in the background: give one time to arrive.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n := b.MailsTo(owner); n != 0 {
			t.Fatalf("%d owner emails with every notify.* off, want 0", n)
		}
	}
}

func TestStuckJobNotifiedOnce(t *testing.T) {
	t.Parallel()
	b := shopSetup(t, allOn)
	ctx := context.Background()
	stuck, fresh := b.Checkout("stuck@example.com"), b.Checkout("fresh@example.com")
	b.Pay(stuck.JobID)
	b.Pay(fresh.JobID)
	began := b.Clock.Now()
	for _, id := range []string{stuck.JobID, fresh.JobID} {
		if _, err := b.DB.Apply(ctx, store.Change{JobID: id, From: []job.Status{job.StatusPending}, To: job.StatusProcessing,
			Set:   store.Set{"processing_started_at": began, "last_error": "sending the delivery email failed: 421"},
			Event: store.EventInput{Type: "submitted", Message: "test"}}); err != nil {
			t.Fatal(err)
		}
		began = began.Add(10 * time.Minute) // fresh began ten minutes later
	}
	b.Clock.Advance(16 * time.Minute) // past the 15m upscale timeout for stuck only

	if n, err := b.Svc.NotifyStuck(ctx); err != nil || n != 1 {
		t.Fatalf("NotifyStuck = %d, %v; want 1", n, err)
	}
	msg := b.MailTo(owner, "A job is stuck")
	mustHave(t, msg.Text, stuck.JobID, "stuck@example.com", "Reason: sending the delivery email failed: 421")
	if strings.Contains(msg.Text, fresh.JobID) {
		t.Error("a job inside the timeout was reported stuck")
	}
	if n, err := b.Svc.NotifyStuck(ctx); err != nil || n != 0 {
		t.Fatalf("second NotifyStuck = %d, %v; want 0: once per job", n, err)
	}
	if got := b.Count(stuck.JobID, "owner_notified_stuck"); got != 1 {
		t.Errorf("%d owner_notified_stuck events, want 1", got)
	}
	b.Clock.Advance(10 * time.Minute) // now fresh is stuck too
	if n, err := b.Svc.NotifyStuck(ctx); err != nil || n != 1 {
		t.Fatalf("third NotifyStuck = %d, %v; want 1 (the other job)", n, err)
	}
	stuckMails := 0
	for _, m := range b.Mail.Messages(t) {
		if strings.Contains(m.Subject, "A job is stuck") {
			stuckMails++
		}
	}
	if stuckMails != 2 {
		t.Errorf("%d stuck-job emails, want 2 (one per job)", stuckMails)
	}
}

func TestStuckSweepSilentWhenSwitchedOff(t *testing.T) {
	t.Parallel()
	b := shopSetup(t, mail.Notify{Sale: true})
	ctx := context.Background()
	res := b.Checkout("s@example.com")
	b.Pay(res.JobID)
	if _, err := b.DB.Apply(ctx, store.Change{JobID: res.JobID, To: job.StatusProcessing,
		Set: store.Set{"processing_started_at": b.Clock.Now()}, Event: store.EventInput{Type: "submitted", Message: "test"}}); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(time.Hour)
	if n, err := b.Svc.NotifyStuck(ctx); err != nil || n != 0 {
		t.Fatalf("NotifyStuck with notify.stuck off = %d, %v", n, err)
	}
	if got := b.Count(res.JobID, "owner_notified_stuck"); got != 0 {
		t.Errorf("%d owner_notified_stuck events, want 0", got)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustHave(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("email lacks %q:\n%s", w, body)
		}
	}
}
