-- Start the counters from what the table holds (rows the PHP plugin wrote).
DELETE FROM {prefix}smi_job_counts;
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'status', COALESCE(status, ''), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY COALESCE(status, '');
INSERT INTO {prefix}smi_job_counts (dim, value, slot, n) SELECT 'payment', COALESCE(payment_status, ''), 0, COUNT(*) FROM {prefix}smi_jobs GROUP BY COALESCE(payment_status, '');
