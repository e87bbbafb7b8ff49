-- Exact totals per status and per payment status, kept by the store in the
-- same transaction as every insert and status change, so the Jobs page never
-- counts a million rows. Spread over 16 slots so concurrent writers rarely
-- wait on the same row; a total is the sum of its slots.
CREATE TABLE IF NOT EXISTS {prefix}smi_job_counts (
  dim varchar(16) NOT NULL,
  value varchar(32) NOT NULL,
  slot tinyint unsigned NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (dim, value, slot)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
