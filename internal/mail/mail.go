// Package mail sends the product's emails over SMTP, in the shop's name and
// on the shop's clock: to customers the link to a finished image and the
// notices of refunds; to the owner a new sale, a failed job, a dispute and
// a stuck job; and a test message. Templates are embedded and can be
// replaced one by one from a directory.
package mail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/sellmyimages/smid/internal/site"
)

// TLS modes for Config.TLS.
const (
	TLSNone     = "none"     // plain SMTP; credentials are refused unless the host is loopback
	TLSStartTLS = "starttls" // STARTTLS is required, the send fails without it
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
)

// Config says which SMTP server to use and how the mails are addressed.
type Config struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port int
	// Username turns on SMTP AUTH PLAIN when set; Password goes with it.
	Username, Password string
	// TLS is none, starttls (default) or tls.
	TLS string
	// From is the sender; empty means wordpress@<the site's host>, as
	// WordPress's own mail. Without a display name of its own, it gets the
	// shop's name.
	From string
	// ReplyTo is optional; empty means the site's admin_email.
	ReplyTo string
	// Subject heads the delivery mail.
	Subject string
	// RefundSubject heads the mail about a failed job's refund.
	RefundSubject string
	// ManualRefundSubject heads the mail about a refund an admin made.
	ManualRefundSubject string
	// Timeout bounds one whole send, from dial to QUIT (default 30s).
	Timeout time.Duration
	// TemplatesDir holds templates that replace the embedded ones of the
	// same name (delivery.html, refund.txt, …); empty uses the embedded.
	TemplatesDir string
	// Notify switches the owner's notifications on.
	Notify Notify
	// Site is the shop's identity (name, zone, formats, locale, owner);
	// nil means WordPress's defaults with no name.
	Site SiteInfo
}

// Notify says which owner notifications are sent.
type Notify struct {
	Sale, Failed, Dispute, Stuck bool
}

// SiteInfo gives the shop's current identity; *site.Site is one.
type SiteInfo interface {
	Info(ctx context.Context) site.Info
}

// defaultSite is a shop WordPress knows nothing about.
type defaultSite struct{}

func (defaultSite) Info(context.Context) site.Info { return site.Resolve(nil, site.Overrides{}) }

// String prints the config for logs and errors with the password hidden.
func (c Config) String() string {
	return fmt.Sprintf("mail.Config{Host:%q Port:%d Username:%q Password:%s TLS:%q From:%q ReplyTo:%q Timeout:%s TemplatesDir:%q}",
		c.Host, c.Port, c.Username, redacted(c.Password), c.TLS, c.From, c.ReplyTo, c.Timeout, c.TemplatesDir)
}

// LogValue lets slog print the config without its password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host), slog.Int("port", c.Port),
		slog.String("username", c.Username), slog.String("password", redacted(c.Password)),
		slog.String("tls", c.TLS), slog.String("from", c.From), slog.Duration("timeout", c.Timeout),
	)
}

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// Mailer sends customer emails. It holds no connection: each send dials,
// delivers and quits, so a Mailer is safe for concurrent use.
type Mailer struct {
	cfg  Config
	html *htmltemplate.Template
	text *texttemplate.Template
}

// New checks cfg, fills its defaults and parses the mail templates.
func New(cfg Config) (*Mailer, error) {
	cfg.TLS = strings.ToLower(cmp.Or(strings.TrimSpace(cfg.TLS), TLSStartTLS))
	defaultPort := map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[cfg.TLS]
	if defaultPort == 0 {
		return nil, fmt.Errorf("mail: TLS %q must be none, starttls or tls", cfg.TLS)
	}
	cfg.Port = cmp.Or(cfg.Port, defaultPort)
	cfg.Subject = cmp.Or(cfg.Subject, "Your upscaled image is ready")
	cfg.RefundSubject = cmp.Or(cfg.RefundSubject, "We could not process your image: refund issued")
	cfg.ManualRefundSubject = cmp.Or(cfg.ManualRefundSubject, "Your refund has been issued")
	cfg.Timeout = cmp.Or(cfg.Timeout, 30*time.Second)

	var errs []error
	if strings.TrimSpace(cfg.Host) == "" {
		errs = append(errs, errors.New("host is required"))
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range", cfg.Port))
	}
	if cfg.Password != "" && cfg.Username == "" {
		errs = append(errs, errors.New("a password is set without a username"))
	}
	if cfg.From != "" {
		if _, err := netmail.ParseAddress(cfg.From); err != nil {
			errs = append(errs, fmt.Errorf("from address %q: %v", cfg.From, err))
		}
	}
	if cfg.ReplyTo != "" {
		if _, err := netmail.ParseAddress(cfg.ReplyTo); err != nil {
			errs = append(errs, fmt.Errorf("reply-to address %q: %v", cfg.ReplyTo, err))
		}
	}
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s is negative", cfg.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mail: invalid config: %w", err)
	}

	if cfg.Site == nil {
		cfg.Site = defaultSite{}
	}
	html, text, err := loadTemplates(cfg.TemplatesDir)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return &Mailer{cfg: cfg, html: html, text: text}, nil
}
