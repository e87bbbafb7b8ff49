package wpscreen

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

// CaseResult is one case measured on every side.
type CaseResult struct {
	Case
	// Smid and Legacy are the screens' times over HTTP; SmidCalls is the
	// part of each smid screen spent in its calls to the daemon and
	// LegacySQL the part of each original page spent in its $wpdb calls,
	// both as the probe measured them inside PHP. Direct is the same
	// daemon requests made from Go (stats, then jobs).
	Smid, Legacy, SmidCalls, LegacySQL, Direct bench.Timing
	// LegacyParts split LegacySQL: status counts, COUNT(*), the page.
	LegacyParts [3]bench.Timing
	// SmidOther and LegacyOther are each run's time less its probed part;
	// Floor is the empty admin screen, timed in turn with the others.
	SmidOther, LegacyOther, Floor bench.Timing
	// Rows each screen showed, and how many of the smid screen's job ids
	// the original page showed too.
	SmidRows, LegacyRows, SameRows int
	// Per view (the last timed one): the daemon calls the smid screen
	// made, and each screen's WordPress database queries (the empty
	// screen's: WordPress's own, with whatever the plugin asks on every
	// admin page).
	DaemonCalls, SmidQueries, LegacyQueries, FloorQueries int
	Probe                                                 probe // the smid screen's warm-up, for the versions
}

// Ratio is the original page's median over the smid screen's.
func (c CaseResult) Ratio() float64 { return float64(c.Legacy.Median()) / float64(c.Smid.Median()) }

// side is one thing timed per run.
type side struct {
	run  func(context.Context) (time.Duration, error)
	t    *bench.Timing
	runs int
}

// measure loads both screens once, untimed, to warm them up and check them
// (the right rows, no error, the same jobs on both), then times the sides
// (and the daemon's requests from Go, and the empty screen) in turn so
// they see the same cache state and the same load on the machine. A side whose warm-up took
// longer than cfg.Slow gets cfg.SlowRuns runs instead of cfg.Runs.
func (r *runner) measure(ctx context.Context, c Case, b *browser, d *daemonClient) (CaseResult, error) {
	res := CaseResult{Case: c}
	smidPath := "/wp-admin/admin.php?" + c.Smid.Encode()
	legacyPath := "/wp-admin/admin.php?" + c.Legacy.Encode()

	smidWarm, body, err := b.get(ctx, smidPath)
	if err != nil {
		return res, err
	}
	smidIDs, err := checkSmid(body)
	if err != nil {
		return res, err
	}
	res.Probe, _ = parseProbe(body)
	res.SmidRows = len(smidIDs)

	legacyWarm, body, err := b.get(ctx, legacyPath)
	if err != nil {
		return res, err
	}
	legacyIDs, err := checkLegacy(body)
	if err != nil {
		return res, err
	}
	res.LegacyRows = len(legacyIDs)
	for _, id := range smidIDs {
		if slices.Contains(legacyIDs, id) {
			res.SameRows++
		}
	}

	direct := d.screenCalls(c.Jobs)
	directWarm, err := direct(ctx)
	if err != nil {
		return res, err
	}

	sides := []*side{
		{run: b.timedScreen(smidPath, func(took time.Duration, p probe) {
			res.SmidCalls.Runs = append(res.SmidCalls.Runs, msDur(p.HTTPMS))
			res.SmidOther.Runs = append(res.SmidOther.Runs, took-msDur(p.HTTPMS))
			res.DaemonCalls, res.SmidQueries = p.HTTPCalls, p.Queries
		}), t: &res.Smid, runs: r.runsFor(smidWarm)},
		{run: b.timedScreen(legacyPath, func(took time.Duration, p probe) {
			res.LegacySQL.Runs = append(res.LegacySQL.Runs, msDur(p.SQLMS))
			res.LegacyOther.Runs = append(res.LegacyOther.Runs, took-msDur(p.SQLMS))
			res.LegacyQueries = p.Queries
			for i, part := range p.SQLParts {
				res.LegacyParts[i].Runs = append(res.LegacyParts[i].Runs, msDur(part))
			}
		}), t: &res.Legacy, runs: r.runsFor(legacyWarm)},
		{run: direct, t: &res.Direct, runs: r.runsFor(directWarm)},
		{run: b.timedScreen(floorPath, func(_ time.Duration, p probe) { res.FloorQueries = p.Queries }), t: &res.Floor, runs: r.cfg.Runs},
	}
	most := 0
	for _, s := range sides {
		most = max(most, s.runs)
	}
	for i := range most {
		for _, s := range sides {
			if i >= s.runs {
				continue
			}
			took, err := s.run(ctx)
			if err != nil {
				return res, err
			}
			s.t.Runs = append(s.t.Runs, took)
		}
	}
	return res, nil
}

func (r *runner) runsFor(warm time.Duration) int {
	if warm > r.cfg.Slow {
		return min(r.cfg.SlowRuns, r.cfg.Runs)
	}
	return r.cfg.Runs
}

// timedScreen loads a screen and returns its time; that time and what
// the probe reported go to record.
func (b *browser) timedScreen(path string, record func(time.Duration, probe)) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		took, body, err := b.get(ctx, path)
		if err != nil {
			return took, err
		}
		p, ok := parseProbe(body)
		if !ok {
			return took, fmt.Errorf("GET %s: no probe comment: %s", path, excerpt(body))
		}
		record(took, p)
		return took, nil
	}
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// checkSmid accepts a plugin screen that drew its table with rows and no
// daemon error.
func checkSmid(body []byte) ([]string, error) {
	if !bytes.Contains(body, []byte(`id="smi-jobs-table"`)) {
		return nil, fmt.Errorf("the Jobs screen has no table: %s", excerpt(body))
	}
	for _, bad := range []string{`id="smi-daemon-error"`, `id="smi-stats-error"`} {
		if bytes.Contains(body, []byte(bad)) {
			return nil, fmt.Errorf("the Jobs screen shows %s: %s", bad, excerpt(body))
		}
	}
	if _, ok := parseProbe(body); !ok {
		return nil, fmt.Errorf("the Jobs screen has no probe comment (mu-plugin not loaded?)")
	}
	ids := rowIDs(smidRowRE, body)
	if len(ids) == 0 || len(ids) > PerPage {
		return nil, fmt.Errorf("the Jobs screen shows %d rows, want 1 to %d", len(ids), PerPage)
	}
	return ids, nil
}

// checkLegacy accepts an original page with rows.
func checkLegacy(body []byte) ([]string, error) {
	if _, ok := parseProbe(body); !ok {
		return nil, fmt.Errorf("the original page has no probe comment: %s", excerpt(body))
	}
	ids := rowIDs(legacyRowRE, body)
	if len(ids) == 0 || len(ids) > PerPage {
		return nil, fmt.Errorf("the original page shows %d rows, want 1 to %d: %s", len(ids), PerPage, excerpt(body))
	}
	return ids, nil
}

// floorPath is the empty admin screen: WordPress's own cost of any admin
// page, logged in, with the plugin active.
const floorPath = "/wp-admin/admin.php?page=smi-bench-empty"

// checkFloor loads the empty screen once (untimed) to see that it is there.
func checkFloor(ctx context.Context, b *browser) error {
	_, body, err := b.get(ctx, floorPath)
	if err != nil {
		return err
	}
	if !bytes.Contains(body, []byte(`id="smi-bench-empty"`)) {
		return fmt.Errorf("the empty screen is not there: %s", excerpt(body))
	}
	return nil
}

func excerpt(body []byte) string {
	if len(body) > 400 {
		body = body[len(body)-400:]
	}
	return string(body)
}
