-- The job's timeline and audit trail.
CREATE TABLE IF NOT EXISTS {prefix}smi_job_events (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  job_id varchar(255) NOT NULL,
  created_at datetime(6) NOT NULL,
  actor varchar(128) NOT NULL,
  type varchar(64) NOT NULL,
  from_status varchar(20) DEFAULT NULL,
  to_status varchar(20) DEFAULT NULL,
  message text NOT NULL,
  data longtext DEFAULT NULL,
  PRIMARY KEY (id),
  KEY smi_event_job (job_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
