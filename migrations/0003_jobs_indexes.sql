-- Indexes designed for the Jobs page and the pipeline. InnoDB appends the
-- primary key to every secondary index, so (status, created_at) is really
-- (status, created_at, id): every list order is (column, created_at, id), the
-- keyset cursor's order, read straight off an index with no filesort.
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_created (created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_status_created (status, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_payment_created (payment_status, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_email_created (email, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_domain_created (email_domain, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_post_created (post_id, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_attachment_created (attachment_id, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_paid (paid_at, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_completed (completed_at, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_amount (amount_charged, created_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_status_due (status, due_at);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_download_token (download_token);
ALTER TABLE {prefix}smi_jobs ADD INDEX smi_payment_intent (stripe_payment_intent_id);
-- Every index costs each insert and status change (about 3-4 µs a row
-- each here), so there are no others: Stripe and Upsampler callbacks find
-- their job by the job_id they carry, not by session or upsampler id.
-- The PHP plugin's single-column indexes are covered by the ones above; each
-- one dropped is one less index to write on every status change.
ALTER TABLE {prefix}smi_jobs DROP INDEX status;
ALTER TABLE {prefix}smi_jobs DROP INDEX payment_status;
ALTER TABLE {prefix}smi_jobs DROP INDEX email;
ALTER TABLE {prefix}smi_jobs DROP INDEX created_at;
ALTER TABLE {prefix}smi_jobs DROP INDEX post_id;
ALTER TABLE {prefix}smi_jobs DROP INDEX attachment_id;
ALTER TABLE {prefix}smi_jobs DROP INDEX post_attachment;
ALTER TABLE {prefix}smi_jobs DROP INDEX download_token;
ALTER TABLE {prefix}smi_jobs DROP INDEX stripe_checkout_session_id;
ALTER TABLE {prefix}smi_jobs DROP INDEX upsampler_job_id;
ALTER TABLE {prefix}smi_jobs DROP INDEX source_type;
