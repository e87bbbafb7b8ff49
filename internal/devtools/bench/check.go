package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Tolerance is how far a ratio may fall behind the baseline before
// CheckBaseline fails: 30%.
const Tolerance = 1.3

// Slack is how much slower than the baseline's ratio predicts the daemon's
// time must also be before a ratio counts as regressed. The daemon's cases
// take about a millisecond, much of it the machine's round trips: CI's
// machine added 0.2 to 0.6 ms to every one of them (the old plugin's
// scans took the same time there as here), which put sub-millisecond
// ratios 30 to 45% off with no change in the code. A lost index or a
// wrong plan costs several milliseconds at 100,000 jobs (a filtered cursor
// read in place took 97 ms instead of 2).
const Slack = time.Millisecond

// Baseline is the ratios of one run, committed so later runs are held to
// them. Ratios, not times: each is taken side by side in one run, so a
// busier or faster machine moves both sides; and ratios of each side's
// fastest run, which other work on a shared machine disturbs least (the
// medians move by several times at a load average of 30).
type Baseline struct {
	Jobs   int                      `json:"jobs"`
	Taken  time.Time                `json:"taken"`
	Tree   string                   `json:"tree"`
	Cases  map[string]BaselineRatio `json:"cases"`
	Export float64                  `json:"export_vs_mariadb"`
}

// BaselineRatio is one case's figures: Legacy is the old plugin's time
// over the daemon's (higher is better); Self, for cases held to page 1 or
// to their filter, the daemon's time over that reference (lower is better).
type BaselineRatio struct {
	Legacy float64 `json:"legacy_over_daemon"`
	Self   float64 `json:"daemon_over_reference,omitempty"`
}

// Baseline makes the baseline of these results.
func (r *Results) Baseline() Baseline {
	bl := Baseline{Jobs: r.Params.Rows, Taken: r.Date, Tree: r.Machine.Tree, Cases: map[string]BaselineRatio{}}
	for _, c := range r.Cases {
		br := BaselineRatio{Legacy: round3(float64(c.Legacy.Fastest()) / float64(c.Daemon.Fastest()))}
		if c.Target.relative() {
			br.Self = round3(float64(c.Daemon.Fastest()) / float64(r.reference(c)))
		}
		bl.Cases[c.Name] = br
	}
	if len(r.Export) > 0 {
		e := r.Export[len(r.Export)-1]
		bl.Export = round3(e.SmidRate() / e.MariadbRate())
	}
	return bl
}

// reference is the daemon's fastest time of the case c is held to: the
// one it names, else the first case (page 1).
func (r *Results) reference(c CaseResult) time.Duration {
	name := r.Cases[0].Name
	if c.Versus != "" {
		name = c.Versus
	}
	for _, x := range r.Cases {
		if x.Name == name {
			return x.Daemon.Fastest()
		}
	}
	return 0
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// WriteBaseline stores the baseline as indented JSON.
func WriteBaseline(path string, bl Baseline) error {
	b, err := json.MarshalIndent(bl, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// CheckBaseline compares the results with the baseline at path and lists
// every ratio that regressed by more than Tolerance, the daemon's time
// being more than Slack above what the baseline predicts (empty: all hold).
func (r *Results) CheckBaseline(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bl Baseline
	if err := json.Unmarshal(raw, &bl); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if bl.Jobs != r.Params.Rows {
		return nil, fmt.Errorf("baseline %s was taken on %d jobs, this run has %d", path, bl.Jobs, r.Params.Rows)
	}
	now := r.Baseline()
	byName := map[string]CaseResult{}
	for _, c := range r.Cases {
		byName[c.Name] = c
	}
	var bad []string
	names := make([]string, 0, len(bl.Cases))
	for n := range bl.Cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want := bl.Cases[n]
		got, ok := now.Cases[n]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: case no longer measured", n))
			continue
		}
		c := byName[n]
		// over is how far the daemon's time is above what the baseline's
		// ratio predicts for it.
		over := func(predicted float64) time.Duration { return c.Daemon.Fastest() - time.Duration(predicted) }
		switch {
		case want.Self > 0 && got.Self > max(want.Self, 1)*Tolerance &&
			over(max(want.Self, 1)*float64(r.reference(c))) > Slack:
			bad = append(bad, fmt.Sprintf("%s: %.2f× its reference, baseline %.2f×", n, got.Self, want.Self))
		case got.Legacy < want.Legacy/Tolerance &&
			over(float64(c.Legacy.Fastest())/want.Legacy) > Slack:
			bad = append(bad, fmt.Sprintf("%s: %.2f× the old plugin, baseline %.2f×", n, got.Legacy, want.Legacy))
		}
	}
	if bl.Export > 0 && now.Export < bl.Export/Tolerance {
		bad = append(bad, fmt.Sprintf("export: %.2f× the mariadb client, baseline %.2f×", now.Export, bl.Export))
	}
	return bad, nil
}

// Confirmed keeps the regressions of the last check whose case regressed
// in every check before it too. One run on a shared machine puts a few
// ratios of sub-millisecond timings more than 30% off the baseline (a
// different few each time); a real regression is off in every run.
func Confirmed(checks ...[]string) []string {
	if len(checks) == 0 {
		return nil
	}
	seen := map[string]int{}
	for _, bad := range checks {
		for _, b := range bad {
			seen[caseOf(b)]++
		}
	}
	var out []string
	for _, b := range checks[len(checks)-1] {
		if seen[caseOf(b)] == len(checks) {
			out = append(out, b)
		}
	}
	return out
}

// caseOf is the case a CheckBaseline line is about.
func caseOf(line string) string {
	name, _, _ := strings.Cut(line, ": ")
	return name
}

// MedianBaseline is the baseline of several runs: each ratio the median of
// its runs, so one lucky or unlucky run does not become the bar.
func MedianBaseline(runs ...Baseline) Baseline {
	bl := runs[len(runs)-1]
	bl.Cases = map[string]BaselineRatio{}
	median := func(get func(Baseline) float64) float64 {
		xs := make([]float64, 0, len(runs))
		for _, r := range runs {
			xs = append(xs, get(r))
		}
		sort.Float64s(xs)
		return xs[len(xs)/2]
	}
	for name := range runs[len(runs)-1].Cases {
		bl.Cases[name] = BaselineRatio{
			Legacy: median(func(b Baseline) float64 { return b.Cases[name].Legacy }),
			Self:   median(func(b Baseline) float64 { return b.Cases[name].Self }),
		}
	}
	bl.Export = median(func(b Baseline) float64 { return b.Export })
	return bl
}
