package bench

import (
	"context"
	"fmt"
	"time"
)

// CaseResult is one case measured on both sides.
type CaseResult struct {
	Name                 string
	Target               Target
	Daemon, HTTP, Legacy Timing
	// Ratio is the legacy median over the daemon's; Flat, for TargetFlat,
	// is the daemon's median over its own page 1.
	Ratio, Flat float64
	Versus      string
	Met         bool
}

// Results is everything one run measured.
type Results struct {
	Date    time.Time
	Machine Machine
	Params  *Params
	Seed    *SeedReport
	Config  Config
	Cases   []CaseResult
	Export  []ExportSize
}

// Run times every case and the export.
func (b *Bench) Run(ctx context.Context) (*Results, error) {
	p, err := b.params(ctx)
	if err != nil {
		return nil, err
	}
	b.logf("parameters: status=%s email=%s uuid-prefix=%s post=%d week=%s..%s",
		p.Status, p.Email, p.JobPrefix, p.PostID, p.WeekFrom.Format(time.DateOnly), p.WeekTo.Format(time.DateOnly))
	cases, err := b.cases(ctx, p)
	if err != nil {
		return nil, err
	}
	srv, err := b.startServer(ctx)
	if err != nil {
		return nil, err
	}
	res := &Results{Date: time.Now().UTC(), Params: p, Seed: b.Seeding, Config: b.cfg, Machine: b.machine(ctx)}
	for _, c := range cases {
		r, err := b.measure(ctx, c, srv)
		if err != nil {
			srv.stop()
			return nil, fmt.Errorf("benchmark: %s: %w", c.Name, err)
		}
		res.Cases = append(res.Cases, r)
		b.logf("  %-48s daemon %9s  legacy %9s  (%d/%d runs)", c.Name, MS(r.Daemon.Median()), MS(r.Legacy.Median()), len(r.Daemon.Runs), len(r.Legacy.Runs))
	}
	srv.stop()
	judge(res.Cases)
	b.logf("exporting (a fresh smid serve per export)…")
	if res.Export, err = b.exportSizes(ctx, p); err != nil {
		return nil, err
	}
	res.Machine.LoadAvgEnd = LoadAvg()
	return res, nil
}

// measure gives each side one untimed warm-up run, then times them in
// turn, so both see the same cache state. A side whose warm-up took
// longer than cfg.Slow gets cfg.SlowRuns runs instead of cfg.Runs.
func (b *Bench) measure(ctx context.Context, c Case, srv *server) (CaseResult, error) {
	r := CaseResult{Name: c.Name, Target: c.Target, Versus: c.Versus}
	type side struct {
		fn   func(context.Context) error
		t    *Timing
		runs int
	}
	sides := []*side{{fn: c.Daemon, t: &r.Daemon}, {fn: c.Legacy, t: &r.Legacy}}
	if c.HTTP != nil {
		v := c.HTTP
		sides = append(sides, &side{fn: func(ctx context.Context) error { _, err := srv.get(ctx, "/v1/jobs", v); return err }, t: &r.HTTP})
	}
	most := 0
	for _, s := range sides {
		warm, err := timeOnce(ctx, s.fn)
		if err != nil {
			return r, err
		}
		s.runs = b.cfg.Runs
		if warm > b.cfg.Slow {
			s.runs = min(b.cfg.SlowRuns, b.cfg.Runs)
		}
		most = max(most, s.runs)
	}
	for i := range most {
		for _, s := range sides {
			if i >= s.runs {
				continue
			}
			d, err := timeOnce(ctx, s.fn)
			if err != nil {
				return r, err
			}
			s.t.Runs = append(s.t.Runs, d)
		}
	}
	return r, nil
}

// judge computes each case's ratio and whether it met its target: the
// relative targets hold the daemon to its own page 1 or to the case named
// in Versus, timed in the same run.
func judge(cs []CaseResult) {
	page1 := cs[0].Daemon.Median()
	byName := map[string]time.Duration{}
	for _, c := range cs {
		byName[c.Name] = c.Daemon.Median()
	}
	for i := range cs {
		c := &cs[i]
		c.Ratio = float64(c.Legacy.Median()) / float64(c.Daemon.Median())
		switch {
		case c.Target == TargetNone:
			c.Met = true
		case c.Target.relative():
			ref := page1
			if c.Versus != "" {
				ref = byName[c.Versus]
			}
			c.Flat = float64(c.Daemon.Median()) / float64(ref)
			c.Met = c.Flat <= c.Target.Factor()
		default:
			c.Met = c.Ratio >= c.Target.Factor()
		}
	}
}

// ExportMet reports the export targets: at 1M rows at least half the
// mariadb client's rate, and peak memory at most 1.5× that at 10k.
func (r *Results) ExportMet() (speed, memory bool, speedRatio, memRatio float64) {
	if len(r.Export) < 2 {
		return false, false, 0, 0
	}
	small, full := r.Export[0], r.Export[len(r.Export)-1]
	speedRatio = full.SmidRate() / full.MariadbRate()
	memRatio = float64(full.MaxRSS()) / float64(small.MaxRSS())
	return speedRatio >= 0.5, memRatio <= 1.5, speedRatio, memRatio
}
