-- Admin batch operations over a whole filter run in the background. Each
-- job a batch touches gets an item row (unique per batch and job) before
-- its action runs, so a batch resumed after a restart never handles a job
-- twice, and its progress and per-job errors survive the restart.
CREATE TABLE IF NOT EXISTS {prefix}smi_batches (
  batch_id varchar(36) NOT NULL,
  action varchar(32) NOT NULL,
  params longtext NOT NULL,
  filter longtext NOT NULL,
  actor varchar(128) NOT NULL,
  state varchar(16) NOT NULL,
  total bigint NOT NULL DEFAULT 0,
  done bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  last_id bigint unsigned NOT NULL DEFAULT 0,
  created_at datetime(6) NOT NULL,
  updated_at datetime(6) NOT NULL,
  finished_at datetime(6) DEFAULT NULL,
  PRIMARY KEY (batch_id),
  KEY smi_batch_state (state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS {prefix}smi_batch_items (
  batch_id varchar(36) NOT NULL,
  job_id varchar(255) NOT NULL,
  result varchar(8) DEFAULT NULL,
  error text DEFAULT NULL,
  updated_at datetime(6) NOT NULL,
  PRIMARY KEY (batch_id, job_id),
  KEY smi_batch_item_result (batch_id, result)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
