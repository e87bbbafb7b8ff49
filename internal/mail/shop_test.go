package mail_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
)

func TestSenderDefaultsToTheSite(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.From, c.ReplyTo = "", "" })
	d := delivery("from@example.com")
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery: %v", err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)
	// WordPress's own default sender: wordpress@ the home URL's host, www. dropped.
	if got.From == nil || got.From.Address != "wordpress@shop.example" || got.From.Name != shopName {
		t.Errorf("From = %+v, want %q <wordpress@shop.example>", got.From, shopName)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Address != "owner@shop.example" {
		t.Errorf("Reply-To = %+v, want the admin_email", got.ReplyTo)
	}

	// A configured From without a display name gets the shop's name.
	b2 := setup(t, func(c *mail.Config) { c.From = "sales@shop.example" })
	if err := b2.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery: %v", err)
	}
	got = b2.srv.WaitFor(t, to(d.To), wait)
	if got.From == nil || got.From.Address != "sales@shop.example" || got.From.Name != shopName {
		t.Errorf("From = %+v, want %q <sales@shop.example>", got.From, shopName)
	}
}

func TestNoSenderWithoutFromOrSite(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.From, c.Site = "", siteWith(map[string]string{"home": "", "siteurl": ""}) })
	err := b.mailer.SendDelivery(context.Background(), delivery("x@example.com"))
	if err == nil || !strings.Contains(err.Error(), "mail.from") {
		t.Fatalf("SendDelivery = %v, want an error naming mail.from", err)
	}
}

func TestExpiryInTheSiteFormats(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) {
		c.Site = siteWith(map[string]string{"timezone_string": "", "gmt_offset": "5.5", "date_format": "d/m/Y", "time_format": "H:i"})
	})
	d := delivery("format@example.com")
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)
	// 18:00 UTC is 23:30 at UTC+5:30.
	mustContain(t, "text", got.Text, "The link works until 01/12/2026 23:30 UTC+5:30.")
}

func TestFailedJobRefundHidesInternalReason(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.From, c.ReplyTo = "", "" })
	r := mail.RefundNotice{To: "auto@example.com", JobID: "j-auto", Amount: 1234, Currency: "usd",
		Reason: "automatic refund: processing failed"}
	if err := b.mailer.SendRefund(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := b.srv.WaitFor(t, to(r.To), wait)
	for _, part := range []string{got.Text, got.HTML} {
		if strings.Contains(part, "automatic refund") || strings.Contains(part, "processing failed") {
			t.Errorf("the customer reads the internal reason:\n%s", part)
		}
	}
	mustContain(t, "text", got.Text, shopName+": we are sorry", "could not finish your image", "$12.34")
	wantSender(t, got, shopName, "wordpress@shop.example", "owner@shop.example")
}

func TestManualRefundStatesTheAdminsReason(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r := mail.RefundNotice{To: "manual@example.com", JobID: "j-manual", Amount: 500, Currency: "usd",
		Reason: "The colours came out wrong; sorry about that.", Manual: true}
	if err := b.mailer.SendRefund(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := b.srv.WaitFor(t, to(r.To), wait)
	if got.Subject != "Your refund has been issued" {
		t.Errorf("Subject = %q", got.Subject)
	}
	mustContain(t, "text", got.Text, shopName+" has refunded $5.00", "Reason: The colours came out wrong; sorry about that.")
	mustContain(t, "html", got.HTML, "<strong>$5.00</strong>", "The colours came out wrong; sorry about that.")
	wantSender(t, got, "Sell My Images", "shop@example.com", "support@example.com")
	if strings.Contains(got.Text, "could not process") {
		t.Errorf("a manual refund says the job failed:\n%s", got.Text)
	}
}

func TestMoneyInTheSiteLocale(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.Site = siteWith(map[string]string{"WPLANG": "de_DE"}) })
	r := mail.RefundNotice{To: "de@example.com", JobID: "j-de", Amount: 123456, Currency: "eur", Reason: "Doppelt bezahlt", Manual: true}
	if err := b.mailer.SendRefund(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := b.srv.WaitFor(t, to(r.To), wait)
	mustContain(t, "text", got.Text, "1.234,56\u00a0€")
}

func TestOwnerNotifications(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.From, c.ReplyTo = "", "" })
	ctx := context.Background()
	// 23:30 on 4 December in New York.
	at := time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC)
	n := mail.OwnerNotice{JobID: "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b", CustomerEmail: "buyer@example.com",
		Amount: 1999, Currency: "usd", Resolution: "4x", PostID: 42, At: at}
	sends := []struct {
		send    func(context.Context, mail.OwnerNotice) error
		subject string
		reason  string
		says    string
	}{
		{b.mailer.SendOwnerSale, "[" + shopName + "] New sale: $19.99", "", "New sale of $19.99 (4x upscale)."},
		{b.mailer.SendOwnerFailed, "[" + shopName + "] A job failed", "upscale timed out after 15m0s", "A job failed"},
		{b.mailer.SendOwnerDispute, "[" + shopName + "] A payment was disputed", "fraudulent", "disputed a payment"},
		{b.mailer.SendOwnerStuck, "[" + shopName + "] A job is stuck", "sending the delivery email failed", "longer than the upscale timeout"},
	}
	for _, s := range sends {
		nn := n
		nn.Reason = s.reason
		if err := s.send(ctx, nn); err != nil {
			t.Fatalf("%s: %v", s.subject, err)
		}
		got := b.srv.WaitFor(t, func(m mailtest.Summary) bool { return m.Subject == s.subject }, wait)
		if len(got.To) != 1 || got.To[0].Address != "owner@shop.example" {
			t.Errorf("%s: To = %+v, want the admin_email", s.subject, got.To)
		}
		wantSender(t, got, shopName, "wordpress@shop.example", "owner@shop.example")
		mustContain(t, "text", got.Text, s.says, n.JobID, "buyer@example.com", "$19.99", "December 4, 2026 11:30 pm EST",
			"https://www.shop.example/wp/wp-admin/admin.php?page=smi-jobs&job="+n.JobID, s.reason)
		mustContain(t, "html", got.HTML, `href="https://www.shop.example/wp/wp-admin/admin.php?page=smi-jobs&amp;job=`+n.JobID+`"`)
	}
}

func TestOwnerNotificationsSwitchOff(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.Notify = mail.Notify{Failed: true} })
	ctx := context.Background()
	n := mail.OwnerNotice{JobID: "j-off", Amount: 100, Currency: "usd"}
	for _, kind := range []string{mail.NotifySale, mail.NotifyDispute, mail.NotifyStuck} {
		if b.mailer.Notifies(ctx, kind) {
			t.Errorf("Notifies(%s) = true, want off", kind)
		}
	}
	if err := errors.Join(b.mailer.SendOwnerSale(ctx, n), b.mailer.SendOwnerDispute(ctx, n), b.mailer.SendOwnerStuck(ctx, n)); err != nil {
		t.Fatal(err)
	}
	if err := b.mailer.SendOwnerFailed(ctx, n); err != nil {
		t.Fatal(err)
	}
	b.srv.WaitFor(t, func(m mailtest.Summary) bool { return strings.Contains(m.Subject, "A job failed") }, wait)
	if msgs := b.srv.Messages(t); len(msgs) != 1 {
		t.Errorf("%d messages, want only the failed-job one", len(msgs))
	}
}

// TestSettingsSwitchesWinOverConfig: a switch saved on the Settings screen
// (smi_notify_*) decides; a kind never saved follows notify.*.
func TestSettingsSwitchesWinOverConfig(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) {
		c.Notify = mail.Notify{Sale: true, Failed: false, Dispute: true, Stuck: true}
		c.Site = siteWith(map[string]string{"smi_notify_sale": "", "smi_notify_failed": "1"})
	})
	ctx := context.Background()
	want := map[string]bool{mail.NotifySale: false, mail.NotifyFailed: true, mail.NotifyDispute: true, mail.NotifyStuck: true}
	for kind, on := range want {
		if got := b.mailer.Notifies(ctx, kind); got != on {
			t.Errorf("Notifies(%s) = %v, want %v", kind, got, on)
		}
	}
	n := mail.OwnerNotice{JobID: "j-settings", Amount: 100, Currency: "usd"}
	if err := errors.Join(b.mailer.SendOwnerSale(ctx, n), b.mailer.SendOwnerFailed(ctx, n)); err != nil {
		t.Fatal(err)
	}
	b.srv.WaitFor(t, func(m mailtest.Summary) bool { return strings.Contains(m.Subject, "A job failed") }, wait)
	if msgs := b.srv.Messages(t); len(msgs) != 1 {
		t.Errorf("%d messages, want only the failed-job one (sale switched off in Settings)", len(msgs))
	}
}

func TestSendTest(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	now := time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC)
	if sent, err := b.mailer.SendTest(context.Background(), "", now); err != nil || sent != "owner@shop.example" {
		t.Fatalf("SendTest = %q, %v; want the admin_email", sent, err)
	}
	got := b.srv.WaitFor(t, to("owner@shop.example"), wait)
	if got.Subject != "Test email from "+shopName {
		t.Errorf("Subject = %q", got.Subject)
	}
	mustContain(t, "text", got.Text, "sent December 4, 2026 11:30 pm EST", shopName)
	wantSender(t, got, "Sell My Images", "shop@example.com", "support@example.com")
	if _, err := b.mailer.SendTest(context.Background(), "ops@example.com", now); err != nil {
		t.Fatal(err)
	}
	b.srv.WaitFor(t, to("ops@example.com"), wait)
	if _, err := b.mailer.SendTest(context.Background(), "not an address", now); err == nil {
		t.Error("SendTest to a bad address succeeded")
	}
}

func TestTemplatesDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "delivery.txt", "Hello from {{.Shop}}! Get it before {{.ExpiresDate}} at {{.ExpiresTime}}: {{.DownloadURL}}\n")
	b := setup(t, func(c *mail.Config) { c.TemplatesDir = dir })
	d := delivery("custom@example.com")
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)
	mustContain(t, "text", got.Text, "Hello from "+shopName+"! Get it before December 1, 2026 at 1:00 pm: "+d.DownloadURL)
	// The HTML part was not replaced: the embedded one is used.
	mustContain(t, "html", got.HTML, "Download your image")
}

func TestTemplatesDirErrorsAtStartUp(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ file, body, want string }{
		"parse error":   {"refund.html", "<p>{{.Amount</p>", "refund.html"},
		"unknown field": {"owner_sale.txt", "{{.Total}}", "owner_sale.txt"},
		"in an else":    {"delivery.txt", "{{if .Shop}}{{.Shop}}{{else}}{{.Shopname}}{{end}}", "delivery.txt"},
		"unknown name":  {"delivry.txt", "hi", "delivry.txt replaces no template"},
	}
	for name, tc := range cases {
		dir := t.TempDir()
		write(t, dir, tc.file, tc.body)
		_, err := mail.New(mail.Config{Host: "127.0.0.1", From: "a@example.com", TemplatesDir: dir})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: New = %v, want an error naming %s in %s", name, err, tc.want, dir)
		}
	}
	if _, err := mail.New(mail.Config{Host: "127.0.0.1", From: "a@example.com", TemplatesDir: "/no/such/dir"}); err == nil {
		t.Error("New with a missing templates_dir succeeded")
	}
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantSender checks From and Reply-To.
func wantSender(t *testing.T, got mailtest.Full, fromName, fromAddr, replyTo string) {
	t.Helper()
	if got.From == nil || got.From.Address != fromAddr || got.From.Name != fromName {
		t.Errorf("%q: From = %+v, want %q <%s>", got.Subject, got.From, fromName, fromAddr)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Address != replyTo {
		t.Errorf("%q: Reply-To = %+v, want %s", got.Subject, got.ReplyTo, replyTo)
	}
}
