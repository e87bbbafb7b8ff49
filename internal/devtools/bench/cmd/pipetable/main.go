// Command pipetable turns the pipeline benchmarks' `go test -bench` output
// (on stdin) into the pipeline section of docs/benchmarks.md, so that
// table is written by the run, not copied by hand. It echoes its input
// and fails when a benchmark failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

func main() {
	out := flag.String("out", "", "markdown file whose pipeline section is replaced")
	flag.Parse()
	metrics, lines, err := bench.ParseBenchOutput(os.Stdin)
	for _, l := range lines {
		fmt.Println(l)
	}
	if err != nil {
		fail(err)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "--- FAIL") {
			fail(fmt.Errorf("a pipeline benchmark failed; %s not written", *out))
		}
	}
	if len(metrics) == 0 {
		fail(fmt.Errorf("no benchmark results on stdin"))
	}
	md := bench.PipelineMarkdown(metrics, bench.HostMachine(context.Background()), time.Now().UTC())
	fmt.Print("\n" + md)
	if *out != "" {
		if err := bench.WriteSectionUnder(*out, bench.PipelineHeading, md); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pipetable:", err)
	os.Exit(1)
}
