package mail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/sellmyimages/smid/internal/site"
	gomail "github.com/wneessen/go-mail"
)

// JobIDHeader carries the job a mail is about, so support can match a
// bounce or a complaint to its job.
const JobIDHeader = "X-SMI-Job-ID"

// letter is one mail ready to be built: the recipient, the job it is about
// (may be empty), the template (name.txt and name.html) with the data to
// fill it, and the shop it is sent for.
type letter struct {
	kind, to, jobID, subject string
	name                     string
	data                     any
	info                     site.Info
}

// send builds the mail and delivers it on a fresh connection.
func (m *Mailer) send(ctx context.Context, l letter) error {
	msg, err := m.build(l)
	if err != nil {
		return fmt.Errorf("mail: %s%s: %w", l.kind, forJob(l.jobID), err)
	}
	client, err := gomail.NewClient(m.cfg.Host, m.clientOptions()...)
	if err != nil {
		return m.sendError(l, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return m.sendError(l, err)
	}
	return nil
}

func (m *Mailer) build(l letter) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, err := m.from(l.info)
	if err != nil {
		return nil, err
	}
	if err := msg.FromFormat(from.Name, from.Address); err != nil {
		return nil, err
	}
	if err := msg.To(l.to); err != nil {
		return nil, err
	}
	if replyTo := m.replyTo(l.info); replyTo != "" {
		if err := msg.ReplyTo(replyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(l.subject)
	if l.jobID != "" {
		msg.SetGenHeader(JobIDHeader, l.jobID)
	}
	msg.SetMessageID()
	msg.SetDate()
	// Text first, HTML last: multipart/alternative puts the preferred part last.
	if err := msg.SetBodyNamedTextTemplate(m.text, l.name+".txt", l.data); err != nil {
		return nil, err
	}
	if err := msg.AddAlternativeNamedHTMLTemplate(m.html, l.name+".html", l.data); err != nil {
		return nil, err
	}
	return msg, nil
}

// from is mail.from, or WordPress's own default sender wordpress@<host>;
// without a display name of its own it carries the shop's name.
func (m *Mailer) from(info site.Info) (*netmail.Address, error) {
	if m.cfg.From != "" {
		a, err := netmail.ParseAddress(m.cfg.From)
		if err != nil {
			return nil, err
		}
		a.Name = cmp.Or(a.Name, info.Name)
		return a, nil
	}
	host := info.Host()
	if host == "" {
		return nil, errors.New("no sender: set mail.from, or site.url (or WordPress's home option) for wordpress@<host>")
	}
	return &netmail.Address{Name: info.Name, Address: "wordpress@" + host}, nil
}

// replyTo is mail.reply_to, else the site's admin_email when it is an
// address.
func (m *Mailer) replyTo(info site.Info) string {
	if m.cfg.ReplyTo != "" {
		return m.cfg.ReplyTo
	}
	if a, err := netmail.ParseAddress(info.AdminEmail); err == nil {
		return a.Address
	}
	return ""
}

// shop is what every template knows of the shop.
func shop(info site.Info) shopView {
	return shopView{Shop: info.Name, ShopURL: info.URL, AdminEmail: info.AdminEmail}
}

func forJob(id string) string {
	if id == "" {
		return ""
	}
	return " for job " + id
}

func (m *Mailer) clientOptions() []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(m.cfg.Port),
		gomail.WithTimeout(m.cfg.Timeout),
	}
	switch m.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if m.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(m.cfg.Username),
			gomail.WithPassword(m.cfg.Password),
		)
	}
	return opts
}

// sendError wraps a failed send. The recipient stays out (it is personal
// data bound for logs); the password is scrubbed should a server or the
// library ever echo it.
func (m *Mailer) sendError(l letter, err error) error {
	wrapped := fmt.Errorf("mail: send %s%s via %s:%d: %w", l.kind, forJob(l.jobID), m.cfg.Host, m.cfg.Port, err)
	if m.cfg.Password != "" && strings.Contains(wrapped.Error(), m.cfg.Password) {
		return errors.New(strings.ReplaceAll(wrapped.Error(), m.cfg.Password, "[redacted]"))
	}
	return wrapped
}
