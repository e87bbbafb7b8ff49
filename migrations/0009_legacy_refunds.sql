-- Refunds the PHP plugin recorded only on the job row become history rows,
-- so the total refunded stays right after adoption.
INSERT INTO {prefix}smi_refunds (job_id, stripe_refund_id, amount, currency, reason, actor, source, status, created_at, updated_at)
SELECT job_id, NULL, refund_amount, currency, COALESCE(refund_reason, 'recorded by the previous plugin'), 'system', 'legacy', 'succeeded',
       COALESCE(refunded_at, updated_at, created_at, UTC_TIMESTAMP()), COALESCE(refunded_at, updated_at, created_at, UTC_TIMESTAMP())
FROM {prefix}smi_jobs j
WHERE refund_amount IS NOT NULL AND refund_amount > 0
  AND NOT EXISTS (SELECT 1 FROM {prefix}smi_refunds r WHERE r.job_id = j.job_id);
