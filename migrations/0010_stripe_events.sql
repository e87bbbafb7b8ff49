-- Stripe delivers events at least once: each processed event id is kept so
-- a repeat is answered 200 with no effect.
CREATE TABLE IF NOT EXISTS {prefix}smi_stripe_events (
  event_id varchar(255) NOT NULL,
  type varchar(64) NOT NULL,
  job_id varchar(255) DEFAULT NULL,
  received_at datetime(6) NOT NULL,
  PRIMARY KEY (event_id),
  KEY smi_stripe_event_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
