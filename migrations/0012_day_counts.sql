-- Per-day counters (by created_at's UTC day) for each status and payment
-- status, so a date range with a status — the Jobs page's date filter —
-- has an exact total without counting rows. Values are "<status>|YYYY-MM-DD",
-- which sort by day within a status.
DELETE FROM {prefix}smi_job_counts WHERE dim IN ('status_day', 'payment_day');
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'status_day', CONCAT(COALESCE(status, ''), '|', COALESCE(DATE(created_at), '0000-00-00')), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY 2;
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'payment_day', CONCAT(COALESCE(payment_status, ''), '|', COALESCE(DATE(created_at), '0000-00-00')), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY 2;
