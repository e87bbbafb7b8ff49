-- Counters per status and payment status pair, overall and per created day,
-- and per day alone, so every combination of the Jobs screen's status,
-- payment and date filters has an exact total without counting rows, and a
-- typed page number can find its day without skipping rows.
DELETE FROM {prefix}smi_job_counts WHERE dim IN ('sp', 'sp_day', 'day');
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'sp', CONCAT(COALESCE(status, ''), '|', COALESCE(payment_status, '')), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY 2;
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'sp_day', CONCAT(COALESCE(status, ''), '|', COALESCE(payment_status, ''), '|', COALESCE(DATE(created_at), '0000-00-00')), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY 2;
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'day', COALESCE(DATE(created_at), '0000-00-00'), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY 2;
