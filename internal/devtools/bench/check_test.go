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
		{Name: "page 1", Target: TargetList, Daemon: timing(3), Legacy: timing(200)},
		{Name: "deep", Target: TargetFlat, Versus: "page 1", Daemon: timing(5), Legacy: timing(900)},
	}}
	bad, err := worse.CheckBaseline(path)
	if err != nil || len(bad) != 2 || !strings.Contains(bad[0], "deep") || !strings.Contains(bad[1], "page 1") {
		t.Fatalf("regressions: %v %v", bad, err)
	}
}
