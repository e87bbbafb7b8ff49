package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// csvColumns are the columns of GET /v1/jobs/export.csv, which the mariadb
// baseline selects too.
const csvColumns = `job_id, created_at, status, payment_status, email, post_id, attachment_id,
	resolution, image_width, image_height, currency, amount_charged, amount_cost, refund_amount,
	credits_used, paid_at, processing_started_at, completed_at, failed_at, refunded_at, refund_reason,
	upsampler_job_id, stripe_payment_intent_id, stripe_checkout_session_id, download_count,
	email_sent, last_error`

// ExportSize is the export measured at one row count.
type ExportSize struct {
	Rows     int
	Smid     []float64 // rows/s of each run
	Mariadb  []float64 // rows/s of each `mariadb --batch --quick` run
	PeakRSS  []int64   // smid's VmHWM after each run, bytes
	Baseline string    // the mariadb command, for the record
}

// SmidRate is smid's median rate.
func (e ExportSize) SmidRate() float64 { return medianF(e.Smid) }

// MariadbRate is the mariadb client's median rate.
func (e ExportSize) MariadbRate() float64 { return medianF(e.Mariadb) }

// MaxRSS is the highest peak over the runs.
func (e ExportSize) MaxRSS() int64 { return slices.Max(e.PeakRSS) }

// exportSizes times the export of about ExportSmall rows and of every row.
func (b *Bench) exportSizes(ctx context.Context, p *Params) ([]ExportSize, error) {
	var out []ExportSize
	for _, from := range []*time.Time{&p.ExportFrom, nil} {
		e, err := b.exportSize(ctx, from)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (b *Bench) exportSize(ctx context.Context, from *time.Time) (ExportSize, error) {
	var e ExportSize
	v := url.Values{}
	where := ""
	if from != nil {
		v.Set("created_from", from.UTC().Format(time.RFC3339))
		where = " WHERE created_at >= '" + from.UTC().Format("2006-01-02 15:04:05") + "'"
	}
	query := "SELECT " + strings.Join(strings.Fields(csvColumns), " ") + " FROM wp_smi_jobs" + where + " ORDER BY created_at DESC, id DESC"
	for run := 0; run < b.cfg.ExportRuns; run++ {
		// A fresh process per export, so each peak RSS is that export's own.
		srv, err := b.startServer(ctx)
		if err != nil {
			return e, err
		}
		start := time.Now()
		lines, err := srv.get(ctx, "/v1/jobs/export.csv", v)
		el := time.Since(start)
		rss, rerr := srv.peakRSS()
		srv.stop()
		if err != nil {
			return e, fmt.Errorf("benchmark: export: %w", err)
		}
		if rerr != nil {
			return e, rerr
		}
		rows := lines - 1 // the header
		if e.Rows != 0 && rows != e.Rows {
			return e, fmt.Errorf("benchmark: export returned %d rows, then %d", e.Rows, rows)
		}
		e.Rows = rows
		e.Smid = append(e.Smid, float64(rows)/el.Seconds())
		e.PeakRSS = append(e.PeakRSS, rss)
		if b.cfg.Scale { // the daemon alone: its rate and memory
			b.logf("  export of %d rows: smid %.0f rows/s (peak RSS %.1f MiB)", rows, e.Smid[run], float64(rss)/(1<<20))
			continue
		}

		n, el, cmd, err := b.mariadbBatch(ctx, query)
		if err != nil {
			return e, err
		}
		if n != rows {
			return e, fmt.Errorf("benchmark: mariadb returned %d rows, the export %d", n, rows)
		}
		e.Mariadb = append(e.Mariadb, float64(n)/el.Seconds())
		e.Baseline = cmd
		b.logf("  export of %d rows: smid %.0f rows/s (peak RSS %.1f MiB), mariadb %.0f rows/s", rows, e.Smid[run], float64(rss)/(1<<20), e.Mariadb[run])
	}
	return e, nil
}

// mariadbBatch runs the query with `mariadb --batch --quick` (rows are
// written as the server sends them) and counts the lines it prints.
func (b *Bench) mariadbBatch(ctx context.Context, query string) (int, time.Duration, string, error) {
	args := []string{"--batch", "--quick", "--skip-column-names", "--user=" + b.mc.User, "--database=" + b.cfg.DB}
	switch b.mc.Net {
	case "unix":
		args = append(args, "--socket="+b.mc.Addr)
	default:
		host, port, _ := strings.Cut(b.mc.Addr, ":")
		args = append(args, "--host="+host, "--port="+port, "--protocol=tcp")
	}
	shown := "mariadb " + strings.Join(args, " ") + ` -e "SELECT <the CSV's 27 columns> FROM wp_smi_jobs … ORDER BY created_at DESC, id DESC" | wc -l`
	cmd := exec.CommandContext(ctx, "mariadb", append(args, "-e", query)...)
	cmd.Env = os.Environ()
	if b.mc.Passwd != "" {
		cmd.Env = append(cmd.Env, "MYSQL_PWD="+b.mc.Passwd)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, shown, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, shown, fmt.Errorf("benchmark: mariadb client: %w", err)
	}
	n, cerr := countLines(out)
	werr := cmd.Wait()
	el := time.Since(start)
	if werr != nil || cerr != nil {
		return 0, 0, shown, fmt.Errorf("benchmark: mariadb client: %v %v: %s", werr, cerr, stderr.String())
	}
	return n, el, shown, nil
}

func medianF(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
