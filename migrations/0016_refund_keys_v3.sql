-- Stripe idempotency keys of refunds, third form: they carry the job id
-- too. install_id is copied with the database (a staging copy made from a
-- dump, a restore next to the original), so two copies on one Stripe
-- account numbered their next refunds alike and sent the same key for
-- refunds of different jobs: Stripe refused the second (idempotency_error)
-- for a day. Rows reserved before this migration keep the key they may
-- already have been sent with.
INSERT IGNORE INTO {prefix}smi_meta (name, value) SELECT 'refund_keys_v3_from', COALESCE(MAX(id), 0) + 1 FROM {prefix}smi_refunds;
