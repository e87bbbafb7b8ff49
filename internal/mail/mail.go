// Package mail sends the product's customer emails over SMTP: the link to a
// finished image, and the notice that a failed job was refunded.
package mail

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"
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
	// From is required; ReplyTo is optional. Both may carry a display name.
	From, ReplyTo string
	// Subject heads the delivery mail.
	Subject string
	// RefundSubject heads the refund mail.
	RefundSubject string
	// Timeout bounds one whole send, from dial to QUIT (default 30s).
	Timeout time.Duration
}

// String prints the config for logs and errors with the password hidden.
func (c Config) String() string {
	return fmt.Sprintf("mail.Config{Host:%q Port:%d Username:%q Password:%s TLS:%q From:%q ReplyTo:%q Timeout:%s}",
		c.Host, c.Port, c.Username, redacted(c.Password), c.TLS, c.From, c.ReplyTo, c.Timeout)
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

//go:embed templates
var templateFS embed.FS

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
	cfg.Timeout = cmp.Or(cfg.Timeout, 30*time.Second)

	var errs []error
	if strings.TrimSpace(cfg.Host) == "" {
		errs = append(errs, errors.New("Host is required"))
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("Port %d is out of range", cfg.Port))
	}
	if cfg.Password != "" && cfg.Username == "" {
		errs = append(errs, errors.New("Password is set without Username"))
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		errs = append(errs, fmt.Errorf("From %q: %v", cfg.From, err))
	}
	if cfg.ReplyTo != "" {
		if _, err := netmail.ParseAddress(cfg.ReplyTo); err != nil {
			errs = append(errs, fmt.Errorf("ReplyTo %q: %v", cfg.ReplyTo, err))
		}
	}
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("Timeout %s is negative", cfg.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mail: invalid config: %w", err)
	}

	html, err := htmltemplate.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail: parse html templates: %w", err)
	}
	text, err := texttemplate.ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: parse text templates: %w", err)
	}
	return &Mailer{cfg: cfg, html: html, text: text}, nil
}
