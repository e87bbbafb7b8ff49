package bench

import "github.com/sellmyimages/smid/internal/store/storetest"

// The original plugin's table (storetest.LegacySchema), renamed so it sits
// beside the daemon's table in the scratch database. Its queries are in legacycases.go: the benchmark is the
// one place outside the store that holds SQL, because its job is to replay
// SQL the daemon never runs.
const legacyTable = "legacy_smi_jobs"

var legacySchema = storetest.LegacySchema(legacyTable)

// legacyColumns are the legacy table's columns, copied from the daemon's
// table with their ids so both tables hold the very same rows.
const legacyColumns = `id, job_id, image_url, resolution, email, post_id, attachment_id, image_width,
	image_height, status, upsampler_job_id, upscaled_url, upscaled_file_path, stripe_payment_intent_id,
	stripe_checkout_session_id, payment_status, amount_charged, amount_cost, credits_used, download_token,
	download_expires_at, email_sent, paid_at, processing_started_at, completed_at, failed_at, refunded_at,
	refund_reason, refund_amount, created_at, updated_at`
