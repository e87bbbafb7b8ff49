package storetest

import (
	"fmt"
	"strings"

	"github.com/sellmyimages/smid/migrations"
)

// The PHP-only Sell My Images plugin's jobs table, in the three layouts it
// had, under a given name: what adoption tests migrate and what benchmarks
// compare against. Its columns are read from migrations/0001_jobs_table.sql,
// which creates exactly the plugin's last table (so a fresh install and an
// adopted one start alike); the plugin's own single-column indexes, which
// 0001 leaves to 0003, are added here.

// LegacyNewestSchema is that plugin's last table (February 2026), with the
// source_type and upload_file_path columns uploads added.
func LegacyNewestSchema(table string) string {
	return withIndexes(baseDDL(table), ", KEY source_type (source_type)")
}

// LegacySchema is the table as that plugin created it from August 2025
// (v1.2) until uploads came: the last table without source_type and
// upload_file_path.
func LegacySchema(table string) string {
	return withIndexes(dropColumns(baseDDL(table), "source_type", "upload_file_path"), "")
}

// LegacyOldestSchema is that plugin's first table (July 2025): no
// upscaled_url, no processing, completion, failure or refund columns, no
// source_type or upload_file_path.
func LegacyOldestSchema(table string) string {
	return dropColumns(LegacySchema(table), "upscaled_url", "processing_started_at", "completed_at",
		"failed_at", "refunded_at", "refund_reason", "refund_amount")
}

const pluginIndexes = `,
  KEY post_id (post_id), KEY attachment_id (attachment_id), KEY post_attachment (post_id, attachment_id),
  KEY status (status), KEY payment_status (payment_status), KEY download_token (download_token),
  KEY stripe_checkout_session_id (stripe_checkout_session_id), KEY upsampler_job_id (upsampler_job_id),
  KEY email (email), KEY created_at (created_at)`

// baseDDL is 0001's CREATE TABLE under the given name, without its comments
// and final semicolon.
func baseDDL(table string) string {
	b, err := migrations.FS.ReadFile("0001_jobs_table.sql")
	if err != nil {
		panic(fmt.Sprintf("storetest: %v", err))
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "--") && strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	ddl := strings.TrimSuffix(strings.Join(lines, "\n"), ";")
	const head = "CREATE TABLE IF NOT EXISTS {prefix}smi_jobs ("
	if !strings.HasPrefix(ddl, head) || strings.Count(ddl, "UNIQUE KEY job_id (job_id)") != 1 {
		panic("storetest: migrations/0001_jobs_table.sql is no longer the plugin's CREATE TABLE")
	}
	return "CREATE TABLE " + table + " (" + strings.TrimPrefix(ddl, head)
}

func withIndexes(ddl, more string) string {
	return strings.Replace(ddl, "UNIQUE KEY job_id (job_id)", "UNIQUE KEY job_id (job_id)"+pluginIndexes+more, 1)
}

func dropColumns(ddl string, cols ...string) string {
	var out []string
	for _, l := range strings.Split(ddl, "\n") {
		keep := true
		for _, c := range cols {
			if strings.HasPrefix(l, "  "+c+" ") {
				keep = false
			}
		}
		if keep {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
