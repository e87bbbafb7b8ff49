package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `make bench` runs the list, screen and pipeline benchmarks one after
// another on committed code; the later ones must not call it dirty because
// the earlier ones wrote their figures into docs/benchmarks.md.
func TestDescribeTreeIgnoresTheBenchmarksOwnOutputs(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to describe a tree")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("docs/benchmarks.md", "old figures\n")
	write("docs/bench-baseline.json", "{}\n")
	write("internal/store/list.go", "package store\n")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	t.Chdir(filepath.Join(dir, "internal")) // a benchmark may run from a package's folder

	ctx := context.Background()
	clean := describeTree(ctx)
	if clean == "" || strings.HasSuffix(clean, "-dirty") {
		t.Fatalf("a committed tree is described as %q", clean)
	}
	write("docs/benchmarks.md", "new figures\n")
	write("docs/bench-baseline.json", `{"cases":{}}`+"\n")
	write("notes.txt", "untracked\n")
	if got := describeTree(ctx); got != clean {
		t.Errorf("with only the benchmarks' outputs changed: %q, want %q", got, clean)
	}
	write("internal/store/list.go", "package store // changed\n")
	if got := describeTree(ctx); got != clean+"-dirty" {
		t.Errorf("with the code changed: %q, want %q", got, clean+"-dirty")
	}
}
