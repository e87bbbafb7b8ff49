package wpscreen

import (
	"fmt"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/bench"
)

// Heading starts this benchmark's section of docs/benchmarks.md.
const Heading = "## Jobs screen server time"

// Command is how `make bench` runs this benchmark, after building bin/smid.
const Command = "go run ./internal/devtools/bench/wpscreen/cmd/wpscreen --smid bin/smid --out docs/benchmarks.md"

// Results is everything one run measured.
type Results struct {
	Date    time.Time
	Command string // as run; Command when empty
	Config  Config
	Machine Machine
	Params  *Params
	Cases   []CaseResult
}

// Markdown renders the results as the doc section, starting with Heading.
func (r *Results) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	m, p := r.Machine, r.Params
	if len(r.Cases) > 0 {
		m.PHP, m.WordPress, m.Opcache = r.Cases[0].Probe.PHP, r.Cases[0].Probe.WP, r.Cases[0].Probe.Opcache
	}
	opcache := "OPcache off"
	if m.Opcache {
		opcache = "OPcache on"
	}
	w("%s\n\n", Heading)
	w("Run on %s with `%s`, bin/smid built by `go build -o bin/smid ./daemon` (`make bench` runs both).\n\n", r.Date.Format("2006-01-02 15:04 UTC"), cmpOr(r.Command, Command))
	if m.Tree != "" {
		w("- Code: `%s`.\n", m.Tree)
	}
	w("- Machine: a shared VM with %d CPUs (%s) and %s RAM, other work running beside the benchmark: load average %s when the run began and %s when it ended. "+
		"MariaDB %s on the same machine over its Unix socket, InnoDB buffer pool %s; PHP %s (its built-in server via `scripts/wp/serve.sh`, %s workers, %s); WordPress %s; %s.\n",
		m.CPUs, m.CPUModel, m.RAM, m.LoadAvg, m.LoadAvgEnd, m.MariaDB, m.BufferPool, m.PHP, m.PHPWorkers, opcache, m.WordPress, m.Go)
	w("- Data: the list benchmark database `%s`, %s jobs in `wp_smi_jobs` and the same rows in `legacy_smi_jobs` with the original plugin's schema and single-column indexes; "+
		"the site (`scripts/wp/site.sh`, table prefix `wp_`) installed beside them with the plugin active. It is site.sh's test site: `WP_DEBUG` on, logging to a file; "+
		"its posts are only WordPress's defaults, so the jobs' posts and attachments are not there, as for a shop whose posts were deleted: the list table learns that from the one query that primes the page's posts and asks no more (WordPress caches only the posts it finds). "+
		"Parameters as the list benchmark picks them (the job in the middle of the table): status `%s`; email `%s`; job-id prefix `%s`.\n\n",
		r.Config.DB, bench.Thousands(p.Rows), p.Status, p.Email, p.JobPrefix)
	w("**smid screen** is the real `wp-admin/admin.php?page=smi-jobs` (`SMI_Jobs_List_Table`, %d a page by the admin's screen option): WordPress loads, the plugin asks a `smid serve` on loopback for "+
		"`GET /v1/stats?only=counts` and `GET /v1/jobs`, and draws the list table. "+
		"**Original** is the original plugin's Jobs page replayed as a must-use plugin in the same WordPress, behind the same login: through `$wpdb` on `legacy_smi_jobs`, "+
		"`SELECT status, COUNT(*) … GROUP BY status` for its status views, `SELECT COUNT(*) … WHERE …`, then `SELECT * … WHERE … ORDER BY created_at DESC LIMIT %d OFFSET m`, "+
		"its search being `(email LIKE '%%q%%' OR job_id LIKE '%%q%%')`; drawn as that plugin drew it, a plain table in the admin chrome (no `WP_List_Table`) with the status views, "+
		"filters, \"Showing a-b of n jobs\" and page links. "+
		"Times run from sending the request to reading its last byte, in Go, as one logged-in admin, one request at a time. "+
		"**in daemon calls** and **in SQL** are medians of what a probe (another must-use plugin) timed inside PHP: the screen's `wp_remote_*` calls to the daemon, the original page's three `$wpdb` calls. "+
		"Page %d is asked for as the screens' own page links do, by number (`paged=%d`, which the plugin passes on to the daemon as `page=%d`, not as a cursor). "+
		"**direct** is the same two daemon requests made from Go. Each side gets one untimed warm-up, which also checks the rows (%s), then the sides take turns; "+
		"a side whose warm-up took over %s gets %d runs instead of %d (runs: smid screen/original/direct).\n\n",
		PerPage, PerPage, p.Deep, p.Deep, p.Deep, r.rowsCheck(), r.Config.Slow, r.Config.SlowRuns, r.Config.Runs)

	w("| case | rows | smid screen median | smid screen p95 | in daemon calls | direct | original median | original p95 | in SQL | runs | original ÷ smid |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.Cases {
		w("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d/%d/%d | %s |\n", c.Name, c.SmidRows,
			bench.MS(c.Smid.Median()), bench.MS(c.Smid.P95()), bench.MS(c.SmidCalls.Median()), bench.MS(c.Direct.Median()),
			bench.MS(c.Legacy.Median()), bench.MS(c.Legacy.P95()), bench.MS(c.LegacySQL.Median()),
			len(c.Smid.Runs), len(c.Legacy.Runs), len(c.Direct.Runs), bench.Times(c.Ratio()))
	}
	var floor bench.Timing
	for _, c := range r.Cases {
		floor.Runs = append(floor.Runs, c.Floor.Runs...)
	}
	w("\nWhere the time goes. The **empty screen** is an admin page of the same WordPress that does nothing of its own "+
		"(logged in, plugin active, same menu), timed in turn with each case's screens: the floor under both. Over all cases its median is %s, p95 %s (%d runs). "+
		"**Rest** is the median over runs of a screen's time less the part the probe timed in that same request, less the case's empty-screen median: "+
		"drawing the page, with the WordPress queries its columns make. **WP queries** counts every query of the request, WordPress's own included: the original page's are its three and WordPress's; **on the empty screen** is what the empty screen's request makes, WordPress's own and whatever the plugin asks on every admin page, so the difference is the screen's own.\n\n",
		bench.MS(floor.Median()), bench.MS(floor.P95()), len(floor.Runs))
	w("| case | smid screen | empty screen | in daemon calls | rest | daemon calls | WP queries | on the empty screen | original | in status counts | in COUNT(*) | in the page | rest | WP queries |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, c := range r.Cases {
		fl := c.Floor.Median()
		w("| %s | %s | %s | %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %d |\n", c.Name,
			bench.MS(c.Smid.Median()), bench.MS(fl), bench.MS(c.SmidCalls.Median()), signedMS(c.SmidOther.Median()-fl), c.DaemonCalls, c.SmidQueries, c.FloorQueries,
			bench.MS(c.Legacy.Median()), bench.MS(c.LegacyParts[0].Median()), bench.MS(c.LegacyParts[1].Median()), bench.MS(c.LegacyParts[2].Median()), signedMS(c.LegacyOther.Median()-fl), c.LegacyQueries)
	}
	w("\n")
	for _, c := range r.Cases {
		if !c.sameJobs() {
			w("- %s: the screens differed, smid %d rows, original %d, %d jobs on both (ties in created_at are ordered by id on the smid side only).\n",
				c.Name, c.SmidRows, c.LegacyRows, c.SameRows)
		}
	}
	return b.String()
}

// rowsCheck says whether both screens showed the same jobs in every case.
func (r *Results) rowsCheck() string {
	for _, c := range r.Cases {
		if !c.sameJobs() {
			return "the screens that differed are listed below the tables"
		}
	}
	return "in every case both screens showed the same jobs"
}

func (c CaseResult) sameJobs() bool { return c.SameRows == c.SmidRows && c.LegacyRows == c.SmidRows }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// signedMS is ms for a difference, which can come out negative: the empty
// screen's median is a separate sample.
func signedMS(d time.Duration) string {
	if d < 0 {
		return "−" + bench.MS(-d)
	}
	return bench.MS(d)
}

// WriteSection puts section (which starts with Heading) into the markdown
// file at path, in place of the previous one; other sections are kept.
func WriteSection(path, section string) error { return bench.WriteSectionUnder(path, Heading, section) }
