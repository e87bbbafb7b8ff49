// Command smibench is `make bench`: it seeds a scratch database with a
// million jobs (once), then times the daemon's Jobs page queries against
// the original plugin's and the CSV export against the mariadb client, and
// prints the table (optionally into a markdown file).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

func main() {
	cfg := bench.Config{Out: os.Stdout}
	flag.StringVar(&cfg.RootDSN, "dsn", "root@unix(/tmp/smidb/mysqld.sock)/", "DSN of the server (no database), with rights to create one")
	flag.StringVar(&cfg.DB, "db", "smi_bench", "scratch database; its name must contain \"bench\"")
	flag.IntVar(&cfg.Jobs, "jobs", 1_000_000, "jobs to seed")
	flag.IntVar(&cfg.Runs, "runs", 21, "timed runs per case and side")
	flag.IntVar(&cfg.SlowRuns, "slow-runs", 5, "timed runs for a side whose warm-up took longer than --slow")
	flag.DurationVar(&cfg.Slow, "slow", 500*time.Millisecond, "warm-up time above which a side gets --slow-runs")
	flag.IntVar(&cfg.ExportRuns, "export-runs", 3, "timed exports per size")
	flag.StringVar(&cfg.Smid, "smid", "bin/smid", "the smid binary, run as `smid serve` for the HTTP and export timings")
	out := flag.String("out", "", "markdown file to write the results into (its own section is replaced)")
	baseline := flag.String("baseline", "", "baseline file of ratios (docs/bench-baseline.json)")
	check := flag.Bool("check", false, "compare the ratios with --baseline and fail on a regression beyond 30%")
	confirm := flag.Int("confirm", 3, "with --check: a ratio fails only when it is beyond 30% in this many runs in a row; with --write-baseline: the baseline is the median of this many runs")
	write := flag.Bool("write-baseline", false, "store this run's ratios in --baseline")
	maxLoad := flag.Float64("max-load", 2*float64(runtime.NumCPU()), "with --check: above this 1-minute load average the machine is too busy to judge; say so and pass")
	flag.BoolVar(&cfg.Scale, "scale", false, "time the daemon alone on data seeded beforehand (the ten-million-job section)")
	flag.Parse()
	cfg.Invocation = strings.Join(append([]string{"smibench"}, os.Args[1:]...), " ")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *check && bench.Load1() > *maxLoad {
		fmt.Printf("smibench: NOT CHECKED: load average %.1f is above --max-load %.1f; two runs of the same code differ by more than 30%% on a machine this busy\n", bench.Load1(), *maxLoad)
		return
	}
	if err := run(ctx, cfg, *out, *baseline, *check, *write, *confirm); err != nil {
		fmt.Fprintln(os.Stderr, "smibench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg bench.Config, out, baseline string, check, write bool, confirm int) error {
	b, err := bench.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	if cfg.Scale {
		res, err := b.RunScale(ctx)
		if err != nil {
			return err
		}
		md := res.Markdown(cfg.Invocation)
		fmt.Fprint(cfg.Out, "\n"+md)
		if out == "" {
			return nil
		}
		return bench.WriteSectionUnder(out, bench.ScaleHeading, md)
	}
	res, err := b.Run(ctx)
	if err != nil {
		return err
	}
	md := res.Markdown()
	fmt.Fprintln(cfg.Out)
	fmt.Fprint(cfg.Out, md)
	if write && baseline != "" {
		// Each ratio is the median of --confirm runs: one run's sub-millisecond
		// timings can be a lucky draw that later runs are held to.
		runs := []bench.Baseline{res.Baseline()}
		for len(runs) < confirm {
			fmt.Fprintf(cfg.Out, "measuring again (%d of %d) for the baseline's medians…\n", len(runs)+1, confirm)
			again, err := b.Run(ctx)
			if err != nil {
				return err
			}
			runs = append(runs, again.Baseline())
		}
		if err := bench.WriteBaseline(baseline, bench.MedianBaseline(runs...)); err != nil {
			return err
		}
	}
	if check {
		bad, err := res.CheckBaseline(baseline)
		if err != nil {
			return err
		}
		// A ratio off in one run is measured again; it fails the check
		// only if it is off in every one of --confirm runs.
		checks := [][]string{bad}
		for len(bad) > 0 && len(checks) < confirm {
			fmt.Fprintf(cfg.Out, "%d ratios beyond 30%% of %s; measuring again (%d of %d) to tell noise from a regression…\n", len(bad), baseline, len(checks)+1, confirm)
			again, err := b.Run(ctx)
			if err != nil {
				return err
			}
			now, err := again.CheckBaseline(baseline)
			if err != nil {
				return err
			}
			checks = append(checks, now)
			bad = bench.Confirmed(checks...)
		}
		if len(bad) > 0 {
			return fmt.Errorf("ratios regressed beyond 30%% of %s:\n  %s", baseline, strings.Join(bad, "\n  "))
		}
		fmt.Fprintf(cfg.Out, "every ratio within 30%% of %s\n", baseline)
	}
	if out == "" {
		return nil
	}
	return bench.WriteSection(out, md)
}
