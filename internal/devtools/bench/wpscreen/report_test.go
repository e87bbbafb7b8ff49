package wpscreen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

func TestReplaceSectionKeepsTheOthers(t *testing.T) {
	t.Parallel()
	section := Heading + "\n\nnew figures\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"appended", "# Benchmarks\n\n## Jobs list and export\n\nold\n",
			"# Benchmarks\n\n## Jobs list and export\n\nold\n\n" + section},
		{"replaced at the end", "# B\n\n## Other\n\nx\n\n" + Heading + "\n\nold figures\n",
			"# B\n\n## Other\n\nx\n\n" + section},
		{"replaced in the middle", "# B\n\n" + Heading + "\n\nold figures\n\n## Later\n\ny\n",
			"# B\n\n" + section + "\n## Later\n\ny\n"},
	} {
		path := filepath.Join(t.TempDir(), "benchmarks.md")
		if err := os.WriteFile(path, []byte(tc.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteSection(path, section); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != tc.want {
			got := string(b)
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestParseProbe(t *testing.T) {
	t.Parallel()
	body := []byte("<html>…</html>\n<!-- smi-bench total_ms=101.250 http_ms=12.500 http_calls=2 sql_ms=3.500 sql_parts=1.000,2.000,0.500 queries=91 opcache=1 wp=6.1.9 php=8.2.36 -->\n")
	p, ok := parseProbe(body)
	if !ok {
		t.Fatal("no probe found")
	}
	want := probe{TotalMS: 101.25, HTTPMS: 12.5, SQLMS: 3.5, SQLParts: [3]float64{1, 2, 0.5}, HTTPCalls: 2, Queries: 91, Opcache: true, WP: "6.1.9", PHP: "8.2.36"}
	if p != want {
		t.Errorf("got %+v, want %+v", p, want)
	}
	if _, ok := parseProbe([]byte("<html></html>")); ok {
		t.Error("a page without the comment has a probe")
	}
}

func TestRowIDs(t *testing.T) {
	t.Parallel()
	smid := `<tr id="smi-job-F989293F-d607-41a6-affc-e6fc286b5592" class="smi-job-row"><tr id="smi-job-00000000-0000-4000-8000-000000000001" class="x">`
	if got := rowIDs(smidRowRE, []byte(smid)); strings.Join(got, ",") != "f989293f-d607-41a6-affc-e6fc286b5592,00000000-0000-4000-8000-000000000001" {
		t.Errorf("smid rows: %v", got)
	}
	legacy := `<tr class="smi-legacy-row" data-job-id="abc"><td></td></tr><tr class="other" data-job-id="no">`
	if got := rowIDs(legacyRowRE, []byte(legacy)); len(got) != 1 || got[0] != "abc" {
		t.Errorf("legacy rows: %v", got)
	}
}

func TestMarkdownFlagsScreensThatDiffered(t *testing.T) {
	t.Parallel()
	ms := func(d ...int) bench.Timing {
		var tm bench.Timing
		for _, x := range d {
			tm.Runs = append(tm.Runs, time.Duration(x)*time.Millisecond)
		}
		return tm
	}
	p := &Params{Rows: 1_000_000, Status: "completed", Email: "a@b.example", JobPrefix: "f989293f", Deep: 5000}
	res := &Results{Params: p, Config: Config{DB: "smi_bench", Runs: 3, SlowRuns: 1, Slow: time.Second}}
	for i, c := range cases(p) {
		cr := CaseResult{Case: c, Smid: ms(100, 110, 120), Legacy: ms(1000, 2000), Floor: ms(50, 60), SmidRows: 20, LegacyRows: 20, SameRows: 20}
		if i == 2 {
			cr.SameRows = 19
		}
		res.Cases = append(res.Cases, cr)
	}
	md := res.Markdown()
	if !strings.HasPrefix(md, Heading+"\n") {
		t.Errorf("the section does not start with its heading: %.80q", md)
	}
	for _, want := range []string{"| first page | 20 | 110 ms |", "| 13.6× |", "the screens that differed are listed below",
		"- page 5000 of the completed view: the screens differed, smid 20 rows, original 20, 19 jobs on both"} {
		if !strings.Contains(md, want) {
			t.Errorf("the section lacks %q:\n%s", want, md)
		}
	}
}
