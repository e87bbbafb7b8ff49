package mailtest_test

import (
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/mail/mailtest"
)

func sendRaw(t *testing.T, s *mailtest.Server, to, subject string) error {
	t.Helper()
	msg := "From: a@example.com\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nX-Test: yes\r\nContent-Type: text/plain\r\n\r\nhello " + subject + "\r\n"
	addr := net.JoinHostPort(s.SMTPHost(), strconv.Itoa(s.SMTPPort()))
	return smtp.SendMail(addr, nil, "a@example.com", []string{to}, []byte(msg))
}

func TestServerRoundTrip(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	if err := sendRaw(t, s, "b@example.com", "first"); err != nil {
		t.Fatal(err)
	}
	got := s.WaitFor(t, func(m mailtest.Summary) bool { return m.Subject == "first" }, 5*time.Second)
	if got.To[0].Address != "b@example.com" || !strings.Contains(got.Text, "hello first") || got.Header("x-test") != "yes" {
		t.Fatalf("message = %+v", got)
	}

	s.DeleteAll(t)
	if n := len(s.Messages(t)); n != 0 {
		t.Fatalf("%d messages after DeleteAll", n)
	}
}

func TestServerStopRestart(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	s.Stop()
	s.Stop() // a second Stop is harmless
	if err := sendRaw(t, s, "b@example.com", "while down"); err == nil {
		t.Fatal("send to a stopped server succeeded")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := sendRaw(t, s, "b@example.com", "after restart"); err != nil {
		t.Fatalf("send after Restart: %v", err)
	}
	s.WaitFor(t, func(m mailtest.Summary) bool { return m.Subject == "after restart" }, 5*time.Second)
}

func TestStartProcess(t *testing.T) {
	t.Parallel()
	s, err := mailtest.StartProcess(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
}
