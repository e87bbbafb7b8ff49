package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/mail"
)

const wait = 5 * time.Second

func TestSendDelivery(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	d := delivery("customer@example.com")
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery: %v", err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)

	if got.Subject != "Your image is ready" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if got.From == nil || got.From.Address != "shop@example.com" || got.From.Name != "Sell My Images" {
		t.Errorf("From = %+v", got.From)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Address != "support@example.com" {
		t.Errorf("Reply-To = %+v, want support@example.com", got.ReplyTo)
	}
	if got.Username != "smid" {
		t.Errorf("SMTP user = %q, want smid: auth was not used", got.Username)
	}
	if h := got.Header(mail.JobIDHeader); h != d.JobID {
		t.Errorf("%s = %q, want %q", mail.JobIDHeader, h, d.JobID)
	}
	if ct := got.Header("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}

	// The site's zone (New York), date format and time format.
	expiry := "December 1, 2026 1:00 pm EST"
	mustContain(t, "text", got.Text, d.DownloadURL, expiry, "4x", "3840 × 2160", d.JobID,
		"Thank you for your order at "+shopName+".", "owner@shop.example")
	mustContain(t, "html", got.HTML,
		`href="https://shop.example.com/download/3f2a9c1e?sig=abc&amp;exp=1796148000"`,
		expiry, "4x", "3840 × 2160", d.JobID, "Tom &amp; Jerry&#39;s Prints")
}

func TestSendDeliveryEscapesHostileValues(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) {
		c.Site = siteWith(map[string]string{"blogname": `<script>alert("site")</script>`})
	})
	d := delivery("victim@example.com")
	d.Resolution = `"><img src=x onerror=alert(1)>`
	d.DownloadURL = `https://shop.example.com/d?x="><script>alert(2)</script>`
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery: %v", err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)

	for _, bad := range []string{"<script", "<img", `x="><`} {
		if strings.Contains(got.HTML, bad) {
			t.Errorf("HTML part contains %q unescaped:\n%s", bad, got.HTML)
		}
	}
	mustContain(t, "html", got.HTML, "&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
	// Plain text is not HTML: the customer sees the name as it is.
	mustContain(t, "text", got.Text, `<script>alert("site")</script>`)
}

func TestSendRefund(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.RefundSubject = "Refund issued" })
	r := mail.RefundNotice{
		To: "refund@example.com", JobID: "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b",
		Amount: 1234, Currency: "usd", Reason: "The upscaling service could not read your file.",
	}
	if err := b.mailer.SendRefund(context.Background(), r); err != nil {
		t.Fatalf("SendRefund: %v", err)
	}
	got := b.srv.WaitFor(t, to(r.To), wait)
	if got.Subject != "Refund issued" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if h := got.Header(mail.JobIDHeader); h != r.JobID {
		t.Errorf("%s = %q, want %q", mail.JobIDHeader, h, r.JobID)
	}
	mustContain(t, "text", got.Text, "$12.34", r.JobID, shopName)
	mustContain(t, "html", got.HTML, "<strong>$12.34</strong>", r.JobID)

	eur := mail.RefundNotice{To: "eur@example.com", JobID: "j-eur", Amount: 5, Currency: "eur"}
	if err := b.mailer.SendRefund(context.Background(), eur); err != nil {
		t.Fatalf("SendRefund: %v", err)
	}
	got = b.srv.WaitFor(t, to(eur.To), wait)
	mustContain(t, "text", got.Text, "€0.05")
}

func TestSendFailsWhileServerIsDown(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.srv.Stop()

	d := delivery("down@example.com")
	err := b.mailer.SendDelivery(context.Background(), d)
	if err == nil {
		t.Fatal("SendDelivery with the server down succeeded")
	}
	if !strings.Contains(err.Error(), d.JobID) || strings.Contains(err.Error(), password) {
		t.Errorf("error = %q, want the job id and no password", err)
	}
	r := mail.RefundNotice{To: d.To, JobID: d.JobID, Amount: 100, Currency: "usd"}
	if err := b.mailer.SendRefund(context.Background(), r); err == nil || strings.Contains(err.Error(), password) {
		t.Errorf("SendRefund with the server down = %v, want an error without the password", err)
	}

	// Nothing is held open between sends: the next one just works.
	if err := b.srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery after restart: %v", err)
	}
	b.srv.WaitFor(t, to(d.To), wait)
}

func TestSendWithoutCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *mail.Config) { c.Username, c.Password, c.ReplyTo = "", "", "" })
	d := delivery("anon@example.com")
	if err := b.mailer.SendDelivery(context.Background(), d); err != nil {
		t.Fatalf("SendDelivery: %v", err)
	}
	got := b.srv.WaitFor(t, to(d.To), wait)
	if got.Username != "" {
		t.Errorf("user %q: want none", got.Username)
	}
	if len(got.ReplyTo) != 1 || got.ReplyTo[0].Address != "owner@shop.example" {
		t.Errorf("Reply-To %+v: want the site's admin_email", got.ReplyTo)
	}
}

func TestStartTLSIsEnforced(t *testing.T) {
	t.Parallel()
	// Mailpit here offers no STARTTLS; a mandatory policy must refuse to
	// send the password over plain text.
	b := setup(t, func(c *mail.Config) { c.TLS = mail.TLSStartTLS })
	err := b.mailer.SendDelivery(context.Background(), delivery("tls@example.com"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("SendDelivery = %v, want a STARTTLS error", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
	if n := len(b.srv.Messages(t)); n != 0 {
		t.Errorf("server received %d messages, want none", n)
	}
}

func TestSendHonoursContext(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.mailer.SendDelivery(ctx, delivery("ctx@example.com")); err == nil {
		t.Fatal("SendDelivery with a canceled context succeeded")
	}
}
