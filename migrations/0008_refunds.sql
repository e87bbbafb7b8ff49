-- Refund history: one row per Stripe refund, unique on Stripe's id, so a
-- refund recorded by the admin action and again by Stripe's webhook is one
-- row and counts once. A refund Stripe refused has no Stripe id and keeps
-- its error.
CREATE TABLE IF NOT EXISTS {prefix}smi_refunds (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  job_id varchar(255) NOT NULL,
  stripe_refund_id varchar(255) DEFAULT NULL,
  amount decimal(10,2) NOT NULL,
  currency char(3) NOT NULL DEFAULT 'usd',
  reason text NOT NULL,
  actor varchar(128) NOT NULL,
  source varchar(16) NOT NULL,
  status varchar(32) NOT NULL,
  error text DEFAULT NULL,
  idempotency_key varchar(255) DEFAULT NULL,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY smi_refund_stripe (stripe_refund_id),
  UNIQUE KEY smi_refund_idem (idempotency_key),
  KEY smi_refund_job (job_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
