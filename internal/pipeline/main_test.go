package pipeline_test

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the tests' scratch files (stored uploads, Mailpit's
// database) in memory when the machine has a tmpfs: the file store syncs
// every file it saves, and on a busy disk those syncs, not the code under
// test, would set the pace of the load tests.
func TestMain(m *testing.M) {
	if dir, err := os.MkdirTemp("/dev/shm", "smid-pipeline-test-"); err == nil {
		os.Setenv("TMPDIR", dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	fmt.Fprintln(os.Stderr, "no /dev/shm: scratch files go to the default temporary directory")
	os.Exit(m.Run())
}
