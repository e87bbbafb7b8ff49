package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Mail is a message Mailpit received.
type Mail struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	Text    string
	HTML    string
}

// downloadLinkRE finds a delivery link in a message.
var downloadLinkRE = regexp.MustCompile(`https?://[^\s"'<>]+/smi-download/[0-9a-f]{64}`)

// DownloadLink is the first /smi-download/ link in the message.
func (m Mail) DownloadLink() string {
	if l := downloadLinkRE.FindString(m.Text); l != "" {
		return l
	}
	return downloadLinkRE.FindString(m.HTML)
}

// WaitMail waits for a message to `to` that also satisfies match (nil:
// any) and returns it with its bodies.
func (s *Stack) WaitMail(ctx context.Context, to string, within time.Duration, match func(Mail) bool) (Mail, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		var list struct{ Messages []Mail }
		err := s.mailpit(ctx, "/api/v1/messages?limit=200", &list)
		for _, m := range list.Messages {
			if !sentTo(m, to) {
				continue
			}
			var full Mail
			if err = s.mailpit(ctx, "/api/v1/message/"+url.PathEscape(m.ID), &full); err == nil && (match == nil || match(full)) {
				return full, nil
			}
		}
		select {
		case <-ctx.Done():
			return Mail{}, fmt.Errorf("no mail to %s in Mailpit within %s (%d messages there; %v)", to, within, len(list.Messages), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func sentTo(m Mail, to string) bool {
	for _, a := range m.To {
		if strings.EqualFold(a.Address, to) {
			return true
		}
	}
	return false
}

func (s *Stack) mailpit(ctx context.Context, path string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.MailpitURL+path, nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
