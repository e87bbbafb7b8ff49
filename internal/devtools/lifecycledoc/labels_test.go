package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryEventTypeHasALabel fails when the daemon writes a timeline event
// type that the Jobs screen would show as a raw code: every `Type: "…"` of
// an EventInput in the product code needs a label in SMI_Format::event_label.
func TestEveryEventTypeHasALabel(t *testing.T) {
	t.Parallel()
	php, err := os.ReadFile("../../../wpplugin/includes/class-smi-format.php")
	if err != nil {
		t.Fatal(err)
	}
	body := string(php)
	start := strings.Index(body, "function event_label(")
	if start < 0 {
		t.Fatal("no event_label in class-smi-format.php")
	}
	labels := map[string]bool{}
	for _, m := range regexp.MustCompile(`'([a-z_]+)'\s*=>`).FindAllStringSubmatch(body[start:start+strings.Index(body[start:], "return $labels")], -1) {
		labels[m[1]] = true
	}
	typeRE := regexp.MustCompile(`EventInput\{[^}]*?Type:\s*"([a-z_]+)"`)
	constRE := regexp.MustCompile(`(?m)^\s*(?:const\s+)?event[A-Z]\w*\s*=\s*"([a-z_]+)"`)
	seen := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.Contains(path, "devtools") || strings.Contains(filepath.Base(filepath.Dir(path)), "test") {
			return err
		}
		src, err := os.ReadFile(path) //nolint:gosec // G122: our own source tree, read by a test
		if err != nil {
			return err
		}
		for _, re := range []*regexp.Regexp{typeRE, constRE} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				seen++
				if !labels[m[1]] {
					t.Errorf("%s writes event type %q, which has no label in SMI_Format::event_label", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 30 {
		t.Fatalf("found only %d event types in the product code: the pattern no longer matches it", seen)
	}
}
