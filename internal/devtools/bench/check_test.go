package bench

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func timing(ms ...int) Timing {
	var t Timing
	for _, m := range ms {
		t.Runs = append(t.Runs, time.Duration(m)*time.Millisecond)
	}
	return t
}

// A ratio 30% behind its baseline fails the check; noise within it and
// slow outliers (the fastest run counts) do not.
func TestCheckBaseline(t *testing.T) {
	base := &Results{Params: &Params{Rows: 100}, Cases: []CaseResult{
		{Name: "page 1", Target: TargetList, Daemon: timing(2, 3), Legacy: timing(200, 210)},
		{Name: "deep", Target: TargetFlat, Versus: "page 1", Daemon: timing(2, 2), Legacy: timing(900)},
	}}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := WriteBaseline(path, base.Baseline()); err != nil {
		t.Fatal(err)
	}
	noisy := &Results{Params: &Params{Rows: 100}, Cases: []CaseResult{
		{Name: "page 1", Target: TargetList, Daemon: timing(2, 90), Legacy: timing(180, 700)},
		{Name: "deep", Target: TargetFlat, Versus: "page 1", Daemon: timing(2, 40), Legacy: timing(900)},
	}}
	if bad, err := noisy.CheckBaseline(path); err != nil || len(bad) != 0 {
		t.Fatalf("noise within 30%%: %v %v", bad, err)
	}
	worse := &Results{Params: &Params{Rows: 100}, Cases: []CaseResult{
		{Name: "page 1", Target: TargetList, Daemon: timing(5), Legacy: timing(200)},
		{Name: "deep", Target: TargetFlat, Versus: "page 1", Daemon: timing(9), Legacy: timing(900)},
	}}
	bad, err := worse.CheckBaseline(path)
	if err != nil || len(bad) != 2 || !strings.Contains(bad[0], "deep") || !strings.Contains(bad[1], "page 1") {
		t.Fatalf("regressions: %v %v", bad, err)
	}
}

// A machine whose round trips cost more moves sub-millisecond ratios far
// beyond 30% with no change in the code; that is not a regression. A wrong
// plan, several milliseconds slower, is.
func TestCheckBaselineSlack(t *testing.T) {
	us := func(d ...int) Timing {
		var t Timing
		for _, x := range d {
			t.Runs = append(t.Runs, time.Duration(x)*time.Microsecond)
		}
		return t
	}
	run := func(page1, deep, counts int) *Results {
		return &Results{Params: &Params{Rows: 100}, Cases: []CaseResult{
			{Name: "page 1", Target: TargetList, Daemon: us(page1), Legacy: us(8000)},
			{Name: "deep", Target: TargetFlat, Versus: "page 1", Daemon: us(deep), Legacy: us(150000)},
			{Name: "counts", Target: TargetNone, Daemon: us(counts), Legacy: us(9300)},
		}}
	}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := WriteBaseline(path, run(1000, 1540, 330).Baseline()); err != nil {
		t.Fatal(err)
	}
	// CI's machine on 2026-12-05 against the baseline then: its figures.
	if bad, err := run(1166, 2390, 480).CheckBaseline(path); err != nil || len(bad) != 0 {
		t.Fatalf("round-trip overhead counted as a regression: %v %v", bad, err)
	}
	// The deep page read through the wrong index, the counts by a scan.
	bad, err := run(1000, 97000, 8000).CheckBaseline(path)
	if err != nil || len(bad) != 2 || !strings.Contains(bad[0], "counts") || !strings.Contains(bad[1], "deep") {
		t.Fatalf("regressions: %v %v", bad, err)
	}
}

// A regression counts only when every re-run finds it.
func TestConfirmed(t *testing.T) {
	first := []string{"a: 2.00× its reference, baseline 1.00×", "b: 3.00× the old plugin, baseline 9.00×"}
	second := []string{"b: 2.00× the old plugin, baseline 9.00×", "c: 1.00× the old plugin, baseline 2.00×"}
	if got := Confirmed(first, second); len(got) != 1 || got[0] != second[0] {
		t.Fatalf("confirmed %v, want only b's second line", got)
	}
	if got := Confirmed(first, nil); len(got) != 0 {
		t.Fatalf("a clean re-run confirmed %v", got)
	}
	if got := Confirmed(first); len(got) != 2 {
		t.Fatalf("a single check confirmed %v", got)
	}
}

// The baseline of three runs holds each ratio's middle value.
func TestMedianBaseline(t *testing.T) {
	run := func(legacy, self, export float64) Baseline {
		return Baseline{Jobs: 100, Export: export, Cases: map[string]BaselineRatio{"a": {Legacy: legacy, Self: self}}}
	}
	bl := MedianBaseline(run(10, 1.1, 1), run(30, 2.0, 3), run(20, 1.6, 2))
	if got := bl.Cases["a"]; got.Legacy != 20 || got.Self != 1.6 || bl.Export != 2 || bl.Jobs != 100 {
		t.Fatalf("median baseline %+v", bl)
	}
}
