package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/site"
)

// wpOptions are a New York shop's WordPress options, as WordPress stores
// them (blogname HTML-escaped).
var wpOptions = map[string]string{
	"blogname": "Tom &amp; Jerry&#039;s Prints", "admin_email": "owner@shop.example",
	"timezone_string": "America/New_York", "gmt_offset": "", "date_format": "F j, Y", "time_format": "g:i a",
	"WPLANG": "", "siteurl": "https://www.shop.example/wp", "home": "https://www.shop.example",
}

const shopName = "Tom & Jerry's Prints"

// fixedSite is a site whose options never change.
type fixedSite struct{ info site.Info }

func (f fixedSite) Info(context.Context) site.Info { return f.info }

func siteWith(edit map[string]string) fixedSite {
	opts := map[string]string{}
	for k, v := range wpOptions {
		opts[k] = v
	}
	for k, v := range edit {
		opts[k] = v
	}
	return fixedSite{site.Resolve(opts, site.Overrides{})}
}

const password = "s3cr3t-Pa55w0rd"

type bundle struct {
	srv    *mailtest.Server
	mailer *mail.Mailer
}

// setup starts a Mailpit for the test and a Mailer pointed at it; edit
// changes the config before New sees it.
func setup(t *testing.T, edit func(*mail.Config)) bundle {
	t.Helper()
	srv := mailtest.Start(t)
	cfg := mail.Config{
		Host:     srv.SMTPHost(),
		Port:     srv.SMTPPort(),
		Username: "smid",
		Password: password,
		TLS:      mail.TLSNone,
		From:     "Sell My Images <shop@example.com>",
		ReplyTo:  "support@example.com",
		Subject:  "Your image is ready",
		Timeout:  5 * time.Second,
		Notify:   mail.Notify{Sale: true, Failed: true, Dispute: true, Stuck: true},
		Site:     siteWith(nil),
	}
	if edit != nil {
		edit(&cfg)
	}
	m, err := mail.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return bundle{srv: srv, mailer: m}
}

func to(addr string) func(mailtest.Summary) bool {
	return func(s mailtest.Summary) bool {
		return len(s.To) == 1 && s.To[0].Address == addr
	}
}

func delivery(toAddr string) mail.Delivery {
	return mail.Delivery{
		To:          toAddr,
		JobID:       "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b",
		DownloadURL: "https://shop.example.com/download/3f2a9c1e?sig=abc&exp=1796148000",
		// 20:00 at UTC+2 is 13:00 in New York: the mail must say the shop's time.
		ExpiresAt:  time.Date(2026, 12, 1, 20, 0, 0, 0, time.FixedZone("EET", 2*3600)),
		Resolution: "4x",
		Width:      3840,
		Height:     2160,
		SiteName:   "Example Photos",
	}
}

func mustContain(t *testing.T, part, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s part lacks %q:\n%s", part, w, body)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	good := mail.Config{Host: "smtp.example.com", From: "shop@example.com"}
	if _, err := mail.New(good); err != nil {
		t.Fatalf("New(minimal config) = %v", err)
	}
	if _, err := mail.New(mail.Config{Host: "smtp.example.com"}); err != nil {
		t.Fatalf("New without From = %v, want the site's default sender", err)
	}
	tests := map[string]func(*mail.Config){
		"no host":           func(c *mail.Config) { c.Host = " " },
		"bad from":          func(c *mail.Config) { c.From = "not an address" },
		"bad reply-to":      func(c *mail.Config) { c.ReplyTo = "@@" },
		"bad tls":           func(c *mail.Config) { c.TLS = "ssl3" },
		"bad port":          func(c *mail.Config) { c.Port = 70000 },
		"password, no user": func(c *mail.Config) { c.Password = password },
		"negative timeout":  func(c *mail.Config) { c.Timeout = -time.Second },
	}
	for name, edit := range tests {
		cfg := good
		edit(&cfg)
		_, err := mail.New(cfg)
		if err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
			continue
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
	}
}

func TestConfigHidesPassword(t *testing.T) {
	t.Parallel()
	cfg := mail.Config{Host: "smtp.example.com", Username: "u", Password: password}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("mail config", "cfg", cfg)
	for _, s := range []string{cfg.String(), logged.String(), fmt.Sprintf("%v %+v", cfg, cfg)} {
		if strings.Contains(s, password) || !strings.Contains(s, "smtp.example.com") {
			t.Errorf("printed config = %s, want the host and no password", s)
		}
	}
}

func TestSendRejectsBadInput(t *testing.T) {
	t.Parallel()
	// No server is needed: every case fails before dialing.
	m, err := mail.New(mail.Config{Host: "127.0.0.1", Port: 1, TLS: mail.TLSNone, From: "shop@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deliveries := map[string]func(*mail.Delivery){
		"header injection in job id": func(d *mail.Delivery) { d.JobID = "x\r\nBcc: victim@example.com" },
		"empty job id":               func(d *mail.Delivery) { d.JobID = "" },
		"javascript link":            func(d *mail.Delivery) { d.DownloadURL = "javascript:alert(1)" },
		"relative link":              func(d *mail.Delivery) { d.DownloadURL = "/download/1" },
		"no expiry":                  func(d *mail.Delivery) { d.ExpiresAt = time.Time{} },
		"bad recipient":              func(d *mail.Delivery) { d.To = "nobody" },
	}
	for name, edit := range deliveries {
		d := delivery("customer@example.com")
		edit(&d)
		if err := m.SendDelivery(ctx, d); err == nil {
			t.Errorf("%s: SendDelivery succeeded, want an error", name)
		}
	}
	refunds := map[string]mail.RefundNotice{
		"zero amount":     {To: "c@example.com", JobID: "j1", Amount: 0, Currency: "usd"},
		"negative amount": {To: "c@example.com", JobID: "j1", Amount: -5, Currency: "usd"},
		"bad currency":    {To: "c@example.com", JobID: "j1", Amount: 100, Currency: "dollars"},
		"bad recipient":   {To: "", JobID: "j1", Amount: 100, Currency: "usd"},
	}
	for name, r := range refunds {
		if err := m.SendRefund(ctx, r); err == nil {
			t.Errorf("%s: SendRefund succeeded, want an error", name)
		}
	}
}
