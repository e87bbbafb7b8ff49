-- Columns that early versions of the PHP plugin lacked, then the daemon's own.
-- Its first table (July 2025) had no upscaled_url, no processing, completion,
-- failure and refund columns; uploads (February 2026) added source_type and
-- upload_file_path. On a newer table each of these is already there.
ALTER TABLE {prefix}smi_jobs ADD COLUMN source_type varchar(20) DEFAULT 'attachment' AFTER image_height;
ALTER TABLE {prefix}smi_jobs ADD COLUMN upload_file_path varchar(500) DEFAULT NULL AFTER source_type;
ALTER TABLE {prefix}smi_jobs ADD COLUMN upscaled_url text DEFAULT NULL AFTER upsampler_job_id;
ALTER TABLE {prefix}smi_jobs ADD COLUMN processing_started_at datetime DEFAULT NULL AFTER paid_at;
ALTER TABLE {prefix}smi_jobs ADD COLUMN completed_at datetime DEFAULT NULL AFTER processing_started_at;
ALTER TABLE {prefix}smi_jobs ADD COLUMN failed_at datetime DEFAULT NULL AFTER completed_at;
ALTER TABLE {prefix}smi_jobs ADD COLUMN refunded_at datetime DEFAULT NULL AFTER failed_at;
ALTER TABLE {prefix}smi_jobs ADD COLUMN refund_reason text DEFAULT NULL AFTER refunded_at;
ALTER TABLE {prefix}smi_jobs ADD COLUMN refund_amount decimal(10,2) DEFAULT NULL AFTER refund_reason;
ALTER TABLE {prefix}smi_jobs ADD COLUMN currency char(3) NOT NULL DEFAULT 'usd';
ALTER TABLE {prefix}smi_jobs ADD COLUMN attempts int unsigned NOT NULL DEFAULT 0;
ALTER TABLE {prefix}smi_jobs ADD COLUMN last_error text DEFAULT NULL;
-- When the daemon next acts on the job: pending, its next submission attempt;
-- processing, its next status check; completed, its token expiry and then
-- its file's deletion. One column, one index (status, due_at) for every loop.
ALTER TABLE {prefix}smi_jobs ADD COLUMN due_at datetime DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN lease_owner varchar(64) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN lease_expires_at datetime(6) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN submitted_at datetime DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN download_count int unsigned NOT NULL DEFAULT 0;
ALTER TABLE {prefix}smi_jobs ADD COLUMN output_width int unsigned DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN output_height int unsigned DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN email_attempts int unsigned NOT NULL DEFAULT 0;
ALTER TABLE {prefix}smi_jobs ADD COLUMN file_deleted_at datetime DEFAULT NULL;
-- The part after the @, indexed, so "@example.com" searches seek instead of scanning.
ALTER TABLE {prefix}smi_jobs ADD COLUMN email_domain varchar(255) GENERATED ALWAYS AS (SUBSTRING_INDEX(email, '@', -1)) VIRTUAL;
