// Package stripetest holds test doubles for Stripe: a launcher for the real
// stripe-mock binary (stateless, validates every request against Stripe's
// OpenAPI spec), a stateful Fake that can refuse refunds and fail on demand,
// and helpers to build and sign webhook events.
package stripetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/childproc"
)

// StartMock starts a stripe-mock process for the test on a free port and
// returns its base URL, http://127.0.0.1:PORT. The process is killed when the
// test ends. A missing binary fails the test: stripe-mock is part of the
// test toolchain (see `make test`), not an optional extra.
func StartMock(t testing.TB) string {
	t.Helper()
	url, stop, err := StartMockProcess()
	if err != nil {
		t.Fatalf("stripetest: %v (run `make test`, which installs stripe-mock)", err)
	}
	t.Cleanup(stop)
	return url
}

// StartMockProcess starts stripe-mock on free loopback ports and waits until
// it answers. stop kills it and waits for it to exit; it is safe to call
// more than once.
func StartMockProcess() (url string, stop func(), err error) {
	bin, err := findMock()
	if err != nil {
		return "", nil, err
	}
	// Empty ports let the kernel choose, so parallel packages never collide;
	// HTTPS gets its own free port because stripe-mock always opens one.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	childproc.DieWithParent(cmd)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = cmd.Stdout // one stream, so the address line can't be missed
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	exited := make(chan struct{})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}

	addr := make(chan string, 1)
	var seen strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok {
				addr <- strings.TrimSpace(a)
				break
			}
			if seen.Len() < 4096 {
				seen.WriteString(line + "\n")
			}
		}
		close(addr)
		// Keep draining so a chatty mock never blocks on a full pipe.
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		close(exited)
	}()

	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			return "", nil, fmt.Errorf("stripe-mock exited before listening:\n%s", seen.String())
		}
		url = "http://" + a
	case <-time.After(15 * time.Second):
		stop()
		return "", nil, errors.New("stripe-mock did not report its address within 15s")
	}
	if err := waitReady(url, 10*time.Second); err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}

// waitReady polls until stripe-mock answers any HTTP request.
func waitReady(base string, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stripe-mock at %s did not answer: %w", base, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// findMock looks for stripe-mock in PATH, then where `go install` puts it.
func findMock() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, d := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("stripe-mock not found in PATH or %s", strings.Join(dirs, ", "))
}
