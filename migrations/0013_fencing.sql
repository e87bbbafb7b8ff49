-- Who holds a job: every claim (a worker taking it, a finisher taking its
-- result, a delivery taking its email) moves fence on by one, and every
-- write by a worker, the poller or a callback is conditioned on the fence it
-- was given. A stale actor then changes nothing.
ALTER TABLE {prefix}smi_jobs ADD COLUMN fence bigint unsigned NOT NULL DEFAULT 0;
-- The delivery link is derived from a server-held key and token_seq, so an
-- email sent again after a crash carries the same link as the first.
ALTER TABLE {prefix}smi_jobs ADD COLUMN token_seq bigint unsigned DEFAULT NULL;
-- A link being replaced: the new digest waits here, and works, until the
-- email carrying it has been accepted; then it becomes the link.
ALTER TABLE {prefix}smi_jobs ADD COLUMN next_download_token varchar(64) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN next_download_expires_at datetime DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN next_token_seq bigint unsigned DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_next_download_token (next_download_token);
-- Facts about this installation: install_id keeps Stripe idempotency keys
-- apart between a site and its staging copy or a restored backup.
CREATE TABLE IF NOT EXISTS {prefix}smi_meta (
  name varchar(64) NOT NULL,
  value varchar(255) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT IGNORE INTO {prefix}smi_meta (name, value) VALUES ('install_id', LEFT(SHA2(CONCAT(UUID(), RAND(), NOW(6)), 256), 32));
-- One run of each cron task per tick across every replica.
CREATE TABLE IF NOT EXISTS {prefix}smi_cron_ticks (
  task varchar(64) NOT NULL,
  tick datetime NOT NULL,
  owner varchar(64) NOT NULL,
  claimed_at datetime(6) NOT NULL,
  PRIMARY KEY (task, tick)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- Refunds reserved before this migration keep the idempotency key they
-- may already have been sent with; later ones carry install_id.
INSERT IGNORE INTO {prefix}smi_meta (name, value) SELECT 'refund_keys_v2_from', COALESCE(MAX(id), 0) + 1 FROM {prefix}smi_refunds;
-- Why an admin should look at the job (a payment that did not match its
-- checkout, say); NULL when nothing is wrong beyond what the status says.
ALTER TABLE {prefix}smi_jobs ADD COLUMN attention_reason varchar(255) DEFAULT NULL;
-- The latest dispute of the job's charge.
ALTER TABLE {prefix}smi_jobs ADD COLUMN dispute_id varchar(255) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN dispute_status varchar(32) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN dispute_reason varchar(64) DEFAULT NULL;
ALTER TABLE {prefix}smi_jobs ADD COLUMN dispute_amount decimal(10,2) DEFAULT NULL;
