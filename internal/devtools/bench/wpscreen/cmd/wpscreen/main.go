// Command wpscreen is the Jobs-screen part of `make bench`: it installs a
// WordPress with the plugin into the bench database, starts smid serve and
// PHP's server on it, and times the Jobs screen against the original
// plugin's page over HTTP, then prints the table (optionally into a
// markdown file).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench/wpscreen"
)

func main() {
	cfg := wpscreen.Config{Out: os.Stdout}
	flag.StringVar(&cfg.Root, "root", ".", "the repository (scripts/, wpplugin/)")
	flag.StringVar(&cfg.Socket, "socket", "/tmp/smidb/mysqld.sock", "MariaDB socket; root needs no password")
	flag.StringVar(&cfg.DB, "db", "smi_bench", "bench database (internal/devtools/bench's); its name must contain \"bench\"")
	flag.IntVar(&cfg.Jobs, "jobs", 1_000_000, "jobs the bench database must hold (seeded by internal/devtools/bench when it does not)")
	flag.StringVar(&cfg.Smid, "smid", "bin/smid", "the smid binary")
	flag.IntVar(&cfg.Runs, "runs", 21, "timed runs per case and side")
	flag.IntVar(&cfg.SlowRuns, "slow-runs", 11, "timed runs for a side whose warm-up took longer than --slow")
	flag.DurationVar(&cfg.Slow, "slow", 500*time.Millisecond, "warm-up time above which a side gets --slow-runs")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the site's folder and logs")
	out := flag.String("out", "", "markdown file to write the results into (its own section is replaced)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, *out); err != nil {
		fmt.Fprintln(os.Stderr, "wpscreen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg wpscreen.Config, out string) error {
	res, err := wpscreen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	res.Command = commandLine()
	md := res.Markdown()
	fmt.Fprintln(cfg.Out)
	fmt.Fprint(cfg.Out, md)
	if out == "" {
		return nil
	}
	return wpscreen.WriteSection(out, md)
}

// commandLine is how this run was started, for the doc; `go run` builds
// into a temporary folder, so the package path stands for the binary.
func commandLine() string {
	name := "go run ./internal/devtools/bench/wpscreen/cmd/wpscreen"
	if !strings.Contains(os.Args[0], "go-build") {
		name = os.Args[0]
	}
	return strings.Join(append([]string{name}, os.Args[1:]...), " ")
}
