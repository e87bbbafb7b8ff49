package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Address is a mailbox as Mailpit reports it.
type Address struct {
	Name, Address string
}

// Summary is one message in Mailpit's list, without its bodies.
type Summary struct {
	ID, MessageID string
	From          *Address
	To, Cc        []Address
	ReplyTo       []Address
	Subject       string
	// Username is the SMTP AUTH user the message was sent with, if any.
	Username string
	Snippet  string
	Created  time.Time
}

// Full is one message with its text and HTML bodies and its top-level
// headers (canonical keys, e.g. "Content-Type", "X-Smi-Job-Id" as sent).
type Full struct {
	ID, MessageID string
	From          *Address
	To, Cc        []Address
	ReplyTo       []Address
	Subject       string
	Username      string
	Date          time.Time
	Text, HTML    string
	Headers       map[string][]string `json:"-"`
}

// Header returns the first value of a header, matching its name without
// regard to case, or "" when the message has none.
func (f Full) Header(name string) string {
	for k, v := range f.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Messages lists the messages received, newest first.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var res struct{ Messages []Summary }
	if err := s.getJSON("/api/v1/messages?limit=1000", &res); err != nil {
		t.Fatalf("mailtest: list messages: %v", err)
	}
	return res.Messages
}

// Message fetches one message by its Mailpit ID, with bodies and headers.
func (s *Server) Message(t testing.TB, id string) Full {
	t.Helper()
	var full Full
	path := "/api/v1/message/" + url.PathEscape(id)
	if err := s.getJSON(path, &full); err != nil {
		t.Fatalf("mailtest: get message %s: %v", id, err)
	}
	if err := s.getJSON(path+"/headers", &full.Headers); err != nil {
		t.Fatalf("mailtest: get headers of %s: %v", id, err)
	}
	return full
}

// WaitFor polls until a received message matches pred and returns it in
// full, failing the test after timeout.
func (s *Server) WaitFor(t testing.TB, pred func(Summary) bool, timeout time.Duration) Full {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages(t)
		for _, m := range msgs {
			if pred(m) {
				return s.Message(t, m.ID)
			}
		}
		if time.Now().After(deadline) {
			subjects := make([]string, len(msgs))
			for i, m := range msgs {
				subjects[i] = m.Subject
			}
			t.Fatalf("mailtest: no matching message after %s; have %d: %q", timeout, len(msgs), subjects)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// DeleteAll empties the mailbox.
func (s *Server) DeleteAll(t testing.TB) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, s.URL()+"/api/v1/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("mailtest: delete all: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("mailtest: delete all: %s: %s", resp.Status, body)
	}
}

func (s *Server) getJSON(path string, v any) error {
	resp, err := s.client.Get(s.URL() + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, body)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
