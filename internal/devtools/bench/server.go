package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a `smid serve` subprocess on the scratch database, on a port
// of its own.
type server struct {
	cmd    *exec.Cmd
	base   string
	secret string
	log    *bytes.Buffer
	client *http.Client
	done   chan error
}

// inert keeps the subprocess from changing the measured rows. Without a
// site URL and Stripe and Upsampler keys smid serves the read API only;
// should those come from elsewhere, its periodic tasks (abandoning,
// expiring, purging) still never come due during a run, and any outside
// party it might call is a closed local port.
var inert = []string{
	"SMI_CRON_POLL=@every 8760h", "SMI_CRON_EXPIRE_TOKENS=@every 8760h", "SMI_CRON_ABANDON=@every 8760h",
	"SMI_CRON_RESCUE=@every 8760h", "SMI_CRON_RETRY_DELIVERIES=@every 8760h", "SMI_CRON_RECONCILE=@every 8760h",
	"SMI_CRON_RETENTION=@every 8760h", "SMI_UPSAMPLER_BASE_URL=http://127.0.0.1:9", "SMI_MAIL_SMTP_PORT=9",
}

// startServer runs `smid serve` configured only by the environment (any
// SMI_ variable of ours is left out) and waits until it answers.
func (b *Bench) startServer(ctx context.Context) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	key := make([]byte, 24)
	rand.Read(key)
	s := &server{base: "http://" + addr, secret: hex.EncodeToString(key), log: &bytes.Buffer{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, done: make(chan error, 1)}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMI_") {
			env = append(env, kv)
		}
	}
	env = append(env, "SMI_DATABASE_DSN="+b.dsn, "SMI_API_SECRET="+s.secret, "SMI_API_LISTEN="+addr)
	env = append(env, inert...)
	s.cmd = exec.Command(b.cfg.Smid, "serve")
	s.cmd.Env, s.cmd.Stdout, s.cmd.Stderr = env, s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("benchmark: start %s serve: %w", b.cfg.Smid, err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("benchmark: smid serve exited (%v): %s", err, strings.TrimSpace(s.log.String()))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if resp, err := s.client.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("benchmark: smid serve did not answer on %s: %s", addr, s.log.String())
}

// get requests path?v and returns the body's line count.
func (s *server) get(ctx context.Context, path string, v url.Values) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path+"?"+v.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.secret)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return 0, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return countLines(resp.Body)
}

// countLines counts '\n' bytes as they stream by.
func countLines(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	buf := make([]byte, 256<<10)
	n := 0
	for {
		k, err := br.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func (s *server) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", s.cmd.Process.Pid)
}

// stop asks the server to shut down and kills it if it does not.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	// Its exit status says only how it was stopped.
	select {
	case err := <-s.done:
		_ = err
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		err := <-s.done
		_ = err
	}
}
