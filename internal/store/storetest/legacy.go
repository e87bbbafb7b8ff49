package storetest

import (
	"fmt"
	"strings"
)

// LegacySchema is the PHP-only Sell My Images plugin's jobs table as that
// plugin created it from August 2025 (v1.2) until uploads came, with its
// own single-column indexes, under the given name: what adoption tests
// migrate and what benchmarks compare against.
func LegacySchema(table string) string { return fmt.Sprintf(legacyDDL, table) }

// LegacyOldestSchema is that plugin's first table (July 2025): no
// upscaled_url, no processing, completion, failure or refund columns, no
// source_type or upload_file_path.
func LegacyOldestSchema(table string) string {
	ddl := LegacySchema(table)
	for _, col := range []string{"upscaled_url", "processing_started_at", "completed_at", "failed_at",
		"refunded_at", "refund_reason", "refund_amount"} {
		ddl = dropLine(ddl, "  "+col+" ")
	}
	return ddl
}

// LegacyNewestSchema is that plugin's last table (February 2026): uploads
// added source_type, upload_file_path and an index on source_type.
func LegacyNewestSchema(table string) string {
	ddl := strings.Replace(LegacySchema(table), "  status varchar(20)", `  source_type varchar(20) DEFAULT 'attachment',
  upload_file_path varchar(500) DEFAULT NULL,
  status varchar(20)`, 1)
	return strings.Replace(ddl, "KEY created_at (created_at)", "KEY created_at (created_at), KEY source_type (source_type)", 1)
}

func dropLine(ddl, prefix string) string {
	var out []string
	for _, l := range strings.Split(ddl, "\n") {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

const legacyDDL = `CREATE TABLE %s (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  job_id varchar(255) NOT NULL,
  image_url text NOT NULL,
  resolution varchar(10) NOT NULL,
  email varchar(255) NOT NULL,
  post_id bigint(20) unsigned NOT NULL,
  attachment_id bigint(20) unsigned DEFAULT NULL,
  image_width int unsigned DEFAULT NULL,
  image_height int unsigned DEFAULT NULL,
  status varchar(20) DEFAULT 'pending',
  upsampler_job_id varchar(255) DEFAULT NULL,
  upscaled_url text DEFAULT NULL,
  upscaled_file_path text DEFAULT NULL,
  stripe_payment_intent_id varchar(255) DEFAULT NULL,
  stripe_checkout_session_id varchar(255) DEFAULT NULL,
  payment_status varchar(20) DEFAULT 'pending',
  amount_charged decimal(10,2) DEFAULT NULL,
  amount_cost decimal(10,2) DEFAULT NULL,
  credits_used int DEFAULT NULL,
  download_token varchar(64) DEFAULT NULL,
  download_expires_at datetime DEFAULT NULL,
  email_sent tinyint(1) DEFAULT 0,
  paid_at datetime DEFAULT NULL,
  processing_started_at datetime DEFAULT NULL,
  completed_at datetime DEFAULT NULL,
  failed_at datetime DEFAULT NULL,
  refunded_at datetime DEFAULT NULL,
  refund_reason text DEFAULT NULL,
  refund_amount decimal(10,2) DEFAULT NULL,
  created_at datetime DEFAULT CURRENT_TIMESTAMP,
  updated_at datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY job_id (job_id),
  KEY post_id (post_id), KEY attachment_id (attachment_id), KEY post_attachment (post_id, attachment_id),
  KEY status (status), KEY payment_status (payment_status), KEY download_token (download_token),
  KEY stripe_checkout_session_id (stripe_checkout_session_id), KEY upsampler_job_id (upsampler_job_id),
  KEY email (email), KEY created_at (created_at)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`
