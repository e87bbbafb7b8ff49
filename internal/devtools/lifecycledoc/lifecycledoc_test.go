package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
)

const (
	jobDir  = "../../job"
	docPath = "../../../docs/architecture.md"
)

// TestDocIsCurrent fails when docs/architecture.md's lifecycle block is
// not what the generator writes from internal/job today.
func TestDocIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := generate(jobDir, docPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) == want {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("docs/architecture.md is stale: run `make generate` and commit it.\nline %d is\n\t%s\nbut internal/job says\n\t%s", i+1, g, w)
		}
	}
}

// TestGridShowsExactlyTheAllowedMoves reads the generated grid back and
// checks every pair of statuses against the job package's own answer.
func TestGridShowsExactlyTheAllowedMoves(t *testing.T) {
	t.Parallel()
	c, err := readComments(jobDir)
	if err != nil {
		t.Fatal(err)
	}
	section, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[job.Status][]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != len(job.Statuses)+3 {
			continue
		}
		from := job.Status(strings.Trim(strings.TrimSpace(cells[1]), "`"))
		if from.Valid() {
			rows[from] = cells[2 : 2+len(job.Statuses)]
		}
	}
	if len(rows) != len(job.Statuses) {
		t.Fatalf("the grid has %d status rows, want %d:\n%s", len(rows), len(job.Statuses), section)
	}
	for _, from := range job.Statuses {
		for i, to := range job.Statuses {
			cell := rows[from][i]
			if got, want := strings.Contains(cell, "L"), from != to && job.CanTransition(from, to); got != want {
				t.Errorf("%s → %s: the grid shows the lifecycle move %v, CanTransition says %v", from, to, got, want)
			}
			if got, want := strings.Contains(cell, "A"), from != to && job.CanOverride(from, to); got != want {
				t.Errorf("%s → %s: the grid shows the override %v, CanOverride says %v", from, to, got, want)
			}
		}
	}
}

// TestCommentsMustFollowTheTables: the generator refuses a job package
// whose comments no longer describe its tables, naming what is missing.
func TestCommentsMustFollowTheTables(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, old, new, want string
	}{
		{"an override move without its condition", "override.go",
			"//\tpending          → failed      the job cannot be processed\n", "",
			`override "pending → failed" has no comment`},
		{"a condition for a move the table does not allow", "override.go",
			"//\tabandoned        → pending     only when Stripe confirms the payment\n",
			"//\tabandoned        → pending     only when Stripe confirms the payment\n//\tcompleted        → failed      made up\n",
			"names completed → failed, which the table does not allow"},
		{"a status without its meaning", "status.go",
			`StatusProcessing      Status = "processing"       // being upscaled`,
			`StatusProcessing      Status = "processing"`,
			`status "processing" has no comment`},
		{"an attention code without its meaning", "rules.go",
			`AttentionStuck         = "stuck"          // processing for longer than upscaler.timeout`,
			`AttentionStuck         = "stuck"`,
			`attention code "stuck" has no comment`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyJob(t)
			path := filepath.Join(dir, tc.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), tc.old) {
				t.Fatalf("%s no longer holds %q; update this test", tc.file, tc.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(src), tc.old, tc.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := readComments(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = render(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("render: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func copyJob(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names, err := filepath.Glob(filepath.Join(jobDir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestSplice(t *testing.T) {
	t.Parallel()
	section := beginMarker + "\nnew\n" + endMarker + "\n"
	cases := []struct {
		name, doc, want, err string
	}{
		{"replaces only the block", "# T\n\n" + beginMarker + "\nold\nolder\n" + endMarker + "\n\n## After\n",
			"# T\n\n" + section + "\n## After\n", ""},
		{"an empty block is filled", beginMarker + "\n" + endMarker + "\ntail", section + "tail", ""},
		{"no markers", "# T\n", "", "has no"},
		{"end before begin", endMarker + "\n" + beginMarker + "\n", "", "has no"},
		{"two blocks", beginMarker + "\n" + endMarker + "\n" + beginMarker + "\n" + endMarker + "\n", "", "more than one"},
	}
	for _, tc := range cases {
		got, err := splice(tc.doc, section)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err %v, want one saying %q", tc.name, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err == "" && got != tc.want:
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
