// Package mailtest runs a real Mailpit SMTP server for tests, benchmarks and
// demos, and reads back what it received through Mailpit's HTTP API.
//
// Mailpit must be installed: `make test` and .ci/run do it with
// go install github.com/axllent/mailpit@v1.33.1.
package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/childproc"
)

// Server is one running Mailpit process on loopback ports. It accepts any
// SMTP credentials, with or without TLS, so auth code paths can be exercised.
type Server struct {
	bin, dir           string
	smtpPort, httpPort int
	client             *http.Client

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	logs   *syncBuffer
}

// Start runs Mailpit for the test and stops it when the test ends. A missing
// binary fails the test: a skipped mail test would hide a broken setup.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := StartProcess(t.TempDir())
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartProcess runs Mailpit with its database in dir until Close is called.
func StartProcess(dir string) (*Server, error) {
	bin, err := findBinary()
	if err != nil {
		return nil, err
	}
	var lastErr error
	// Free ports are found by closing a listener, so another process can take
	// one in between; a few tries with new ports cover that race.
	for range 3 {
		s := &Server{bin: bin, dir: dir, client: &http.Client{Timeout: 5 * time.Second}}
		if s.smtpPort, err = freePort(); err != nil {
			return nil, err
		}
		if s.httpPort, err = freePort(); err != nil {
			return nil, err
		}
		if lastErr = s.launch(); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

// SMTPHost is the address the SMTP server listens on.
func (s *Server) SMTPHost() string { return "127.0.0.1" }

// SMTPPort is the SMTP server's port.
func (s *Server) SMTPPort() int { return s.smtpPort }

// URL is the base of Mailpit's web UI and HTTP API, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return "http://127.0.0.1:" + strconv.Itoa(s.httpPort) }

// Stop ends the process, so sends fail with connection refused until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(3 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Restart starts a stopped server again on the same ports with the same
// messages.
func (s *Server) Restart() error {
	s.Stop()
	return s.launch()
}

// Close stops the server for good. It is safe to call more than once.
func (s *Server) Close() { s.Stop() }

func (s *Server) launch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin,
		"--smtp", net.JoinHostPort(s.SMTPHost(), strconv.Itoa(s.smtpPort)),
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.httpPort)),
		"--database", filepath.Join(s.dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		// No network here: no reverse DNS of clients, no update checks.
		"--smtp-disable-rdns", "--disable-version-check",
		"--quiet",
	)
	childproc.DieWithParent(cmd)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mailpit: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited, s.logs = cmd, exited, logs

	if err := s.waitReady(15 * time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		s.cmd = nil
		return fmt.Errorf("mailpit on smtp %d, http %d: %w; output: %s",
			s.smtpPort, s.httpPort, err, strings.TrimSpace(logs.String()))
	}
	return nil
}

// waitReady polls until the HTTP API says ready and SMTP takes connections.
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("exited during start-up")
		default:
		}
		if s.httpReady() && s.smtpReady() {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}

func (s *Server) httpReady() bool {
	resp, err := s.client.Get(s.URL() + "/readyz")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (s *Server) smtpReady() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.SMTPHost(), strconv.Itoa(s.smtpPort)), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// findBinary looks where `go install` puts mailpit, after PATH.
func findBinary() (string, error) {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "mailpit")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("mailpit not found on PATH, in $(go env GOPATH)/bin or ~/go/bin (looked in %s); "+
		"run `make test` or `bash .ci/run`, which install it, or `go install github.com/axllent/mailpit@v1.33.1`",
		strings.Join(dirs, ", "))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the process's output; exec writes it from its own
// goroutines while launch may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
