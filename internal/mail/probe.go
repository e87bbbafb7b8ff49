package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Probe connects to the relay as a send would (hello, TLS as configured,
// authentication when a user is set) and quits without sending: whether
// mail can go out, without sending any.
func (m *Mailer) Probe(ctx context.Context) error {
	client, err := gomail.NewClient(m.cfg.Host, m.clientOptions()...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		msg := fmt.Sprintf("%s:%d: %v", m.cfg.Host, m.cfg.Port, err)
		if m.cfg.Password != "" {
			msg = strings.ReplaceAll(msg, m.cfg.Password, "[redacted]")
		}
		return errors.New(msg)
	}
	return client.Close()
}
