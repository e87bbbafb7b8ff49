// Package scripts tests the shell scripts that `make test` and `make bench`
// lean on: what they start, they stop.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether the MariaDB whose pid file is in dir still runs.
func alive(t *testing.T, dir string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "mysqld.pid"))
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file: %q", b)
	}
	return syscall.Kill(pid, 0) == nil
}

func needMariaDB(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mariadb-admin"); err != nil {
		t.Fatal("mariadb-admin not on PATH: run scripts/deps.sh")
	}
}

func withMariaDB(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("bash", append([]string{"with-mariadb.sh", dir}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+":/usr/sbin")
	return cmd
}

// The server runs while the command runs, and is gone when it ends, with
// the command's failing exit code passed on (success is the SIGTERM case's
// path up to the signal).
func TestWithMariaDBStopsTheServerItStarted(t *testing.T) {
	t.Parallel()
	needMariaDB(t)
	for _, code := range []int{3} {
		dir := t.TempDir()
		script := `mariadb --socket="$SMI_DB_SOCKET" -uroot -e 'SELECT 1' >/dev/null && exit ` + strconv.Itoa(code)
		out, err := withMariaDB(dir, "bash", "-c", script).CombinedOutput()
		got := 0
		if ee, ok := err.(*exec.ExitError); ok {
			got = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if got != code {
			t.Fatalf("exit code %d, want %d (the query inside failed?):\n%s", got, code, out)
		}
		if alive(t, dir) {
			t.Fatalf("MariaDB still running after a command that exited %d", code)
		}
	}
}

// SIGTERM to the wrapper (CI cancelling a run) still stops the server.
func TestWithMariaDBStopsTheServerOnSIGTERM(t *testing.T) {
	t.Parallel()
	needMariaDB(t)
	dir := t.TempDir()
	cmd := withMariaDB(dir, "bash", "-c", `touch "$0/ready"; sleep 60`, dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if i > 300 {
			t.Fatal("the command never started")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !alive(t, dir) {
		t.Fatal("MariaDB not running while the command runs")
	}
	// The shell waits for its foreground child before running its trap,
	// as on Ctrl-C: end the child too, as the terminal would.
	cmd.Process.Signal(syscall.SIGTERM)
	exec.Command("pkill", "-TERM", "-P", strconv.Itoa(cmd.Process.Pid)).Run()
	cmd.Wait()
	if alive(t, dir) {
		t.Fatal("MariaDB still running after SIGTERM")
	}
}

// A server that was running before is somebody else's: left running.
func TestWithMariaDBLeavesAServerItDidNotStart(t *testing.T) {
	t.Parallel()
	needMariaDB(t)
	dir := t.TempDir()
	if out, err := exec.Command("bash", "mariadb.sh", "start", dir).CombinedOutput(); err != nil {
		t.Fatalf("start: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("bash", "mariadb.sh", "stop", dir).Run() })
	if err := withMariaDB(dir, "true").Run(); err != nil {
		t.Fatal(err)
	}
	if !alive(t, dir) {
		t.Fatal("a server started before was stopped")
	}
}
