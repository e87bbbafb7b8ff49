package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/proc"
)

// process is one program the stack started, in a process group of its own:
// a terminal's Ctrl-C reaches only the demo, which then stops every part in
// order, and stopping a part reaches its children too (php -S workers).
type process = proc.Process

// startProcess runs argv with env, its output appended to logPath.
func startProcess(name, logPath string, env []string, argv ...string) (*process, error) {
	return proc.Start(name, logPath, env, argv...)
}

// waitHTTP polls url until it answers with a status below 500, failing
// early when the process that should serve it has exited.
func waitHTTP(ctx context.Context, p *process, url string, within time.Duration) error {
	return proc.WaitHTTP(ctx, p, url, within)
}

// runCommand runs argv to completion and returns its combined output; the
// error holds the output, so a failed step explains itself.
func runCommand(ctx context.Context, env []string, argv ...string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own group, so a Ctrl-C meant for the demo does not kill a step
	// (or a server a script leaves running) half-way.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

func freePort() (int, error) { return proc.FreePort() }

// portOr returns want when it is free on loopback, else a free port; 0
// means any free port.
func portOr(want int) (int, error) {
	if want > 0 {
		if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(want)); err == nil {
			l.Close()
			return want, nil
		}
	}
	return freePort()
}

// portFree reports whether nothing listens on the loopback port.
func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
