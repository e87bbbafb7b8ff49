package mailtest

import (
	"strings"
	"testing"
)

func TestFindBinaryExplainsWhatToRun(t *testing.T) {
	// Not parallel: it empties PATH and HOME for the whole process.
	t.Setenv("PATH", "")
	t.Setenv("HOME", t.TempDir())
	_, err := findBinary()
	if err == nil || !strings.Contains(err.Error(), "make test") {
		t.Fatalf("findBinary = %v, want an error telling to run make test", err)
	}
}
