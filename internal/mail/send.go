package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// JobIDHeader carries the job a mail is about, so support can match a
// bounce or a complaint to its job.
const JobIDHeader = "X-SMI-Job-ID"

// letter is one mail ready to be built: the recipient, the job it is about,
// and the templates with the data to fill them.
type letter struct {
	kind, to, jobID, subject string
	textName, htmlName       string
	data                     any
}

// send builds the mail and delivers it on a fresh connection.
func (m *Mailer) send(ctx context.Context, l letter) error {
	msg, err := m.build(l)
	if err != nil {
		return fmt.Errorf("mail: %s for job %s: %w", l.kind, l.jobID, err)
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
	if err := msg.From(m.cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(l.to); err != nil {
		return nil, err
	}
	if m.cfg.ReplyTo != "" {
		if err := msg.ReplyTo(m.cfg.ReplyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(l.subject)
	msg.SetGenHeader(JobIDHeader, l.jobID)
	msg.SetMessageID()
	msg.SetDate()
	// Text first, HTML last: multipart/alternative puts the preferred part last.
	if err := msg.SetBodyNamedTextTemplate(m.text, l.textName, l.data); err != nil {
		return nil, err
	}
	if err := msg.AddAlternativeNamedHTMLTemplate(m.html, l.htmlName, l.data); err != nil {
		return nil, err
	}
	return msg, nil
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
	wrapped := fmt.Errorf("mail: send %s for job %s via %s:%d: %w", l.kind, l.jobID, m.cfg.Host, m.cfg.Port, err)
	if m.cfg.Password != "" && strings.Contains(wrapped.Error(), m.cfg.Password) {
		return errors.New(strings.ReplaceAll(wrapped.Error(), m.cfg.Password, "[redacted]"))
	}
	return wrapped
}
