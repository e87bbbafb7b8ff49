package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// PipelineHeading starts the pipeline section of docs/benchmarks.md.
const PipelineHeading = "## Pipeline and admin batches"

// PipelineCommand is what `make bench` runs for that section.
const PipelineCommand = `go test -run XXX -bench . -benchtime 1x ./internal/devtools/bench/pipelinebench/ | go run ./internal/devtools/bench/cmd/pipetable --out docs/benchmarks.md`

// pipelineRow says how one metric of the pipeline benchmarks reads in
// the table, and its target.
type pipelineRow struct {
	bench, metric, what, target string
	met                         func(v float64) bool
}

var pipelineRows = []pipelineRow{
	{"BenchmarkDrain10k", "jobs/s", "drain 10,000 paid jobs pending → completed, fakes answering at once", "≥ 400 jobs/s", func(v float64) bool { return v >= 400 }},
	{"BenchmarkDrain10k", "stmts/job", "statements per drained job", "≤ 12", func(v float64) bool { return v <= 12 }},
	{"BenchmarkPickupLatency", "p50-ms", "pickup latency p50, verified payment webhook → Upsampler submission (ms)", "—", nil},
	{"BenchmarkPickupLatency", "p95-ms", "pickup latency p95 (ms)", "≤ 1000 ms", func(v float64) bool { return v <= 1000 }},
	{"BenchmarkPickupLatency", "idle-queries/s/worker", "idle worker cost (statements per second per worker)", "≤ 1", func(v float64) bool { return v <= 1 }},
	{"BenchmarkInFlight10k", "peak-RSS-MB", "10,000 jobs in flight, real `smid serve`: peak RSS (MB)", "≤ 150 MB", func(v float64) bool { return v <= 150 }},
	{"BenchmarkInFlight10k", "max-checks-in-a-minute", "10,000 in flight: most status checks in any minute", "≤ 240", func(v float64) bool { return v <= 240 }},
	{"BenchmarkInFlight10k", "rate-limited", "10,000 in flight: answers rate-limited", "0", func(v float64) bool { return v == 0 }},
	{"BenchmarkWebhookVerify", "ratio", "verified Stripe webhooks ÷ a trivial net/http handler", "—", nil},
	{"BenchmarkBatch500", "regenerate_token-jobs/s", "500-id synchronous batch, `regenerate_token` (jobs/s)", "—", nil},
	{"BenchmarkBatch500", "set_status-jobs/s", "500-id synchronous batch, `set_status` (jobs/s)", "—", nil},
	{"BenchmarkResendEmail10k", "emails/s", "10,000-job background batch, `resend_email`, delivered to Mailpit (emails/s)", "—", nil},
}

// ParseBenchOutput reads `go test -bench` output into metrics by
// benchmark name (without the -N CPU suffix), then by unit.
func ParseBenchOutput(r io.Reader) (map[string]map[string]float64, []string, error) {
	out := map[string]map[string]float64{}
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			m[f[i+1]] = v
		}
		out[name] = m
	}
	return out, lines, sc.Err()
}

// PipelineMarkdown renders the pipeline section from parsed metrics.
func PipelineMarkdown(metrics map[string]map[string]float64, m Machine, at time.Time) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("%s\n\nRun on %s with `make bench` (`%s`).\n\n", PipelineHeading, at.Format("2006-01-02 15:04 UTC"), PipelineCommand)
	if m.Tree != "" {
		w("- Code: `%s`.\n", m.Tree)
	}
	w("- Machine: %d CPUs (%s), %s RAM, load average %s when the table was written; %s. Real parts: MariaDB, stripe-mock, the Upsampler fake (`internal/upscale/upscaletest`), Mailpit; the in-flight case runs the real `smid` binary.\n\n",
		m.CPUs, m.CPUModel, m.RAM, m.LoadAvg, m.Go)
	w("| benchmark | result | target | |\n|---|--:|--:|---|\n")
	for _, r := range pipelineRows {
		v, ok := metrics[r.bench][r.metric]
		if !ok {
			w("| %s | not run | %s | |\n", r.what, r.target)
			continue
		}
		verdict := ""
		if r.met != nil {
			verdict = metWord(r.met(v), strconv.FormatFloat(v, 'f', -1, 64))
		}
		w("| %s | %s | %s | %s |\n", r.what, strconv.FormatFloat(roundSig(v), 'f', -1, 64), r.target, verdict)
	}
	return b.String()
}

// roundSig keeps three significant digits.
func roundSig(v float64) float64 {
	s := strconv.FormatFloat(v, 'g', 3, 64)
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

// HostMachine describes this machine without a database connection.
func HostMachine(ctx context.Context) Machine { return hostMachine(ctx) }
