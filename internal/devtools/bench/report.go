package bench

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/store"
)

// Heading starts this benchmark's section of docs/benchmarks.md.
const Heading = "## Jobs list and export"

// Command is what `make bench` runs for this section (the Makefile starts
// the private MariaDB under .var/bench-db first and builds bin/smid).
const Command = `go run ./internal/devtools/bench/cmd/smibench --dsn "root@unix(.var/bench-db/mysqld.sock)/" --smid bin/smid --out docs/benchmarks.md`

const docIntro = `# Benchmarks

Every figure here comes from a real run, with its date and machine. Each
section says how to reproduce it.

`

// Markdown renders the results as the doc section, starting with Heading.
func (r *Results) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m := r.Machine
	w("%s\n\n", Heading)
	w("Run on %s. `make bench` runs `%s`", r.Date.Format("2006-01-02 15:04 UTC"), Command)
	if r.Config.Invocation != "" {
		w("; this run was `%s`", r.Config.Invocation)
	}
	w(".\n\n")
	if m.Tree != "" {
		w("- Code: `%s` (git describe --always; \"-dirty\" when a tracked file other than the benchmarks' own outputs differs from it).\n", m.Tree)
	}
	w("- Machine: %d CPUs (%s), %s RAM, load average %s when the run began and %s when it ended; MariaDB %s on the same machine over its Unix socket, InnoDB buffer pool %s; %s.\n",
		m.CPUs, m.CPUModel, m.RAM, m.LoadAvg, m.LoadAvgEnd, m.MariaDB, m.BufferPool, m.Go)
	w("- Data: %s jobs from `internal/seed` (seed 1, 18 months ending %s)", Thousands(r.Params.Rows), SeedAnchor.Format(time.DateOnly))
	if s := r.Seed; s != nil {
		when := "by this run"
		if !s.ThisRun {
			when = "on " + s.At.Format("2006-01-02 15:04 UTC") + " and reused by this run"
		}
		w("; seeded %s: %s rows in %s by `smid seed`'s bulk load, **%.0f rows/s**", when, Thousands(s.Rows), s.Elapsed.Round(time.Second), s.Rate())
	}
	w(".\n")
	for _, t := range m.Tables {
		w("- `%s`: %d indexes counting the primary key, %.0f MiB data + %.0f MiB indexes.\n", t.Name, t.IndexCount, float64(t.Data)/(1<<20), float64(t.Index)/(1<<20))
	}
	p := r.Params
	w("- Parameters, read from the data: status `%s`; email `%s`; UUID prefix `%s`; post id %d; week %s to %s.\n\n",
		p.Status, p.Email, p.JobPrefix, p.PostID, p.WeekFrom.Format(time.DateOnly), p.WeekTo.Format(time.DateOnly))
	w("**Daemon** is `store.List` (the page query plus the total from the counters, or counted up to %d and then estimated), `store.Count` or `store.Counts`: "+
		"what `GET /v1/jobs` runs before it writes JSON. **HTTP** is the same request to `GET /v1/jobs` on a `smid serve` subprocess over loopback, JSON included. "+
		"**Legacy** is the original plugin's page view on `%s`, a copy of the same rows with that plugin's schema and single-column indexes: "+
		"`SELECT COUNT(*) … WHERE …` then `SELECT * … WHERE … ORDER BY created_at DESC LIMIT %d OFFSET m`, its search being `(email LIKE '%%q%%' OR job_id LIKE '%%q%%')`. "+
		"Each side gets one untimed warm-up, then the sides take turns; a side whose warm-up took over %s gets %d runs instead of %d (the runs column, daemon/legacy).\n\n",
		store.ExactCountLimit, legacyTable, r.Config.PerPage, r.Config.Slow, r.Config.SlowRuns, r.Config.Runs)

	w("| case | daemon median | daemon p95 | HTTP median | legacy median | legacy p95 | runs | legacy ÷ daemon | target | result |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, c := range r.Cases {
		w("| %s | %s | %s | %s | %s | %s | %d/%d | %s | %s | %s |\n", c.Name, MS(c.Daemon.Median()), MS(c.Daemon.P95()), MS(c.HTTP.Median()),
			MS(c.Legacy.Median()), MS(c.Legacy.P95()), len(c.Daemon.Runs), len(c.Legacy.Runs), Times(c.Ratio), c.Target, verdict(c))
	}
	w("\n")
	w("Notes: the post-id row's legacy side is the old plugin's post filter, `post_id = ?` on its own index (its search box could not find a post id at all), " +
		"while the daemon's `q=<number>` searches `post_id OR attachment_id`; the row below it is the same filter on both sides. " +
		"Legacy p95 over 5 runs is the slowest run. Both tables together are larger than the buffer pool, so the sides evict each other's pages, as on a real host.\n\n")
	speed, mem, sr, mr := r.ExportMet()
	w("**Export** is `GET /v1/jobs/export.csv` (newest first) on a fresh `smid serve` per run, so each peak RSS (`VmHWM`) is that export's own; "+
		"the baseline is `mariadb --batch --quick` printing the same 27 columns in the same order. Median of %d runs.\n\n", r.Config.ExportRuns)
	w("| export | rows | smid rows/s | mariadb rows/s | smid ÷ mariadb | smid peak RSS |\n|---|--:|--:|--:|--:|--:|\n")
	for _, e := range r.Export {
		w("| %s | %s | %s | %s | %.2f× | %.1f MiB |\n", exportName(e, r.Params.Rows), Thousands(e.Rows), Thousands(int(e.SmidRate())),
			Thousands(int(e.MariadbRate())), e.SmidRate()/e.MariadbRate(), float64(e.MaxRSS())/(1<<20))
	}
	w("\n- Export speed at %s rows: %.2f× the mariadb client (target ≥ 0.5×): %s.\n", Thousands(r.Params.Rows), sr, metWord(speed, fmt.Sprintf("%.2f×", sr)))
	w("- Peak RSS at %s rows ÷ at %s rows: %.2f× (target ≤ 1.5×): %s.\n\n", Thousands(r.Params.Rows), Thousands(r.Export[0].Rows), mr, metWord(mem, fmt.Sprintf("%.2f×", mr)))

	met, total := 0, 0
	var missed []string
	for _, c := range r.Cases {
		if c.Target == TargetNone {
			continue
		}
		total++
		if c.Met {
			met++
		} else {
			missed = append(missed, c.Name)
		}
	}
	for _, x := range []struct {
		ok   bool
		name string
	}{{speed, "export speed"}, {mem, "export memory"}} {
		total++
		if x.ok {
			met++
		} else {
			missed = append(missed, x.name)
		}
	}
	w("Targets met: %d of %d.", met, total)
	if len(missed) > 0 {
		w(" NOT MET: %s.", strings.Join(missed, "; "))
	}
	w("\n")
	return b.String()
}

func exportName(e ExportSize, all int) string {
	if e.Rows == all {
		return "every job"
	}
	return "created_from (newest ~10k)"
}

func verdict(c CaseResult) string {
	switch c.Target {
	case TargetNone:
		return "—"
	case TargetFlat:
		return metWord(c.Met, fmt.Sprintf("%.2f× its page 1", c.Flat))
	case TargetNear:
		return metWord(c.Met, fmt.Sprintf("%.2f× its filter", c.Flat))
	}
	return metWord(c.Met, Times(c.Ratio))
}

func metWord(ok bool, figure string) string {
	if ok {
		return "met (" + figure + ")"
	}
	return "**NOT MET** (" + figure + ")"
}

// Times shows a ratio with about three significant digits.
func Times(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f×", x)
	case x >= 10:
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

// MS shows a duration in milliseconds with about three significant digits.
func MS(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	x := float64(d) / float64(time.Millisecond)
	switch {
	case x >= 1000:
		return fmt.Sprintf("%.2f s", x/1000)
	case x >= 100:
		return fmt.Sprintf("%.0f ms", x)
	case x >= 10:
		return fmt.Sprintf("%.1f ms", x)
	}
	return fmt.Sprintf("%.2f ms", x)
}

// Thousands writes n with commas between groups of three digits.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// WriteSection puts section (which starts with Heading) into the markdown
// file at path: in place of the previous one, up to the next "## " heading,
// or at the end. Other sections are kept; a missing file gets an intro.
func WriteSection(path, section string) error { return WriteSectionUnder(path, Heading, section) }

// WriteSectionUnder is WriteSection for the section starting with heading.
func WriteSectionUnder(path, heading, section string) error {
	body, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		body, err = []byte(docIntro), nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(replaceSection(string(body), heading, section)), 0o644)
}

func replaceSection(doc, heading, section string) string {
	section = strings.TrimRight(section, "\n") + "\n"
	start := strings.Index(doc, heading+"\n")
	if start < 0 {
		return strings.TrimRight(doc, "\n") + "\n\n" + section
	}
	rest := doc[start+len(heading)+1:]
	end := len(doc)
	if i := strings.Index(rest, "\n## "); i >= 0 {
		end = start + len(heading) + 1 + i + 1
		section += "\n"
	}
	return doc[:start] + section + doc[end:]
}
