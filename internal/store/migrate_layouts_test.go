package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// oldToken is a token as the original plugin made them:
// wp_generate_password(64, false, false), letters and digits.
const oldToken = "Xq7LmP2vR9tKzW4nB8cJ3hF6yD1sG5aE0uQiOoNpMrTlVkHjZxCbYwAeSdUfIgh2"

// columns lists a table's columns with their types, by name.
func columns(t *testing.T, raw *sqlx.DB) map[string]string {
	t.Helper()
	rows, err := raw.Query(`SELECT column_name, column_type FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name = 'wp_smi_jobs'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, ty string
		if err := rows.Scan(&n, &ty); err != nil {
			t.Fatal(err)
		}
		out[n] = ty
	}
	return out
}

// TestMigrateAdoptsEveryLayout adopts the original plugin's first and last
// tables, each with a completed sale whose emailed link and file path are
// the plugin's own, and checks that nothing is lost and that the table
// ends with the same columns as a fresh install.
func TestMigrateAdoptsEveryLayout(t *testing.T) {
	t.Parallel()
	// The columns of a fresh install, to compare each adopted table with.
	freshDSN := storetest.EmptyDB(t)
	storetest.Open(t, freshDSN, storetest.Options{}, true)
	fresh := sqlx.MustOpen("mysql", freshDSN)
	want := columns(t, fresh)
	fresh.Close()
	for _, tc := range []struct {
		name   string
		schema string
		// insert adds the layout's rows; the first is a paid, completed sale.
		insert string
		args   []any
	}{
		{"oldest (July 2025)", storetest.LegacyOldestSchema("wp_smi_jobs"),
			`INSERT INTO wp_smi_jobs (job_id, image_url, resolution, email, post_id, attachment_id, image_width, image_height,
			status, upsampler_job_id, upscaled_file_path, stripe_payment_intent_id, stripe_checkout_session_id, payment_status,
			amount_charged, amount_cost, credits_used, download_token, download_expires_at, email_sent, paid_at, created_at)
			VALUES ('a1111111-2222-4333-8444-555555555555', 'https://shop.example/a.jpg', '4x', 'ann@example.com', 7, 9, 800, 600,
			'completed', 'ups_1', '/var/www/html/wp-content/uploads/sell-my-images/smi_a1111111-2222-4333-8444-555555555555_1753000000.png',
			'pi_1', 'cs_1', 'paid', 12.34, 0.08, 2, ?, '2030-01-01 00:00:00', 1, '2025-07-25 10:00:00', '2025-07-25 09:59:00'),
			('b1111111-2222-4333-8444-555555555555', 'https://shop.example/b.jpg', '8x', 'bob@example.com', 7, 10, NULL, NULL,
			'pending', NULL, NULL, NULL, 'cs_2', 'pending', 5.00, 0.16, NULL, NULL, NULL, 0, NULL, '2025-07-26 09:00:00')`,
			[]any{oldToken}},
		{"newest (February 2026)", storetest.LegacyNewestSchema("wp_smi_jobs"),
			`INSERT INTO wp_smi_jobs (job_id, image_url, resolution, email, post_id, attachment_id, image_width, image_height,
			source_type, upload_file_path, status, upsampler_job_id, upscaled_url, upscaled_file_path, stripe_payment_intent_id,
			stripe_checkout_session_id, payment_status, amount_charged, amount_cost, credits_used, download_token, download_expires_at,
			email_sent, paid_at, processing_started_at, completed_at, failed_at, refunded_at, refund_reason, refund_amount, created_at)
			VALUES ('a1111111-2222-4333-8444-555555555555', 'https://shop.example/a.jpg', '4x', 'ann@example.com', 7, 9, 800, 600,
			'attachment', NULL, 'completed', 'ups_1', 'https://upsampler.example/out/1.png',
			'/var/www/html/wp-content/uploads/sell-my-images/smi_a1111111-2222-4333-8444-555555555555_1770000000.png',
			'pi_1', 'cs_1', 'paid', 12.34, 0.08, 2, ?, '2030-01-01 00:00:00', 1, '2026-02-06 10:00:00', '2026-02-06 10:00:05',
			'2026-02-06 10:01:00', NULL, NULL, NULL, NULL, '2026-02-06 09:59:00'),
			('b1111111-2222-4333-8444-555555555555', 'https://shop.example/wp-content/uploads/smi-uploads/u.jpg', '8x', 'bob@example.com', 0, NULL, 1200, 900,
			'upload', '/var/www/html/wp-content/uploads/smi-uploads/u.jpg', 'failed', 'ups_2', NULL, NULL, 'pi_2', 'cs_2', 'refunded',
			5.00, 0.16, NULL, NULL, NULL, 0, '2026-02-07 10:00:00', '2026-02-07 10:00:05', NULL, '2026-02-07 10:10:00',
			'2026-02-07 10:11:00', 'upscaling failed', 5.00, '2026-02-07 09:59:00')`,
			[]any{oldToken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := storetest.EmptyDB(t)
			raw := sqlx.MustOpen("mysql", dsn)
			defer raw.Close()
			raw.MustExec(tc.schema)
			raw.MustExec(tc.insert, tc.args...)

			db := storetest.Open(t, dsn, storetest.Options{}, true)
			j, err := db.Get(ctx, "a1111111-2222-4333-8444-555555555555")
			if err != nil {
				t.Fatal(err)
			}
			if j.Email != "ann@example.com" || j.PostID != 7 || *j.AttachmentID != 9 || string(j.Status) != "completed" ||
				string(j.PaymentStatus) != "paid" || *j.AmountCharged != 1234 || *j.AmountCost != 8 || j.Currency != "usd" ||
				*j.ImageWidth != 800 || *j.StripePaymentIntentID != "pi_1" || j.SourceType != "attachment" || j.PaidAt == nil {
				t.Fatalf("the sale changed in adoption: %+v", j)
			}
			if j.UpscaledFilePath == nil || !strings.HasPrefix(*j.UpscaledFilePath, "/var/www/html/wp-content/uploads/sell-my-images/smi_a1111111-") {
				t.Fatalf("the old absolute file path was not kept: %v", j.UpscaledFilePath)
			}
			sum := sha256.Sum256([]byte(oldToken))
			digest := hex.EncodeToString(sum[:])
			if j.DownloadTokenDigest == nil || *j.DownloadTokenDigest != digest {
				t.Fatalf("the 64-letter token must become its SHA-256 digest, got %v", j.DownloadTokenDigest)
			}
			var plain int
			if err := raw.Get(&plain, `SELECT COUNT(*) FROM wp_smi_jobs WHERE download_token = ?`, oldToken); err != nil {
				t.Fatal(err)
			}
			if plain != 0 {
				t.Fatal("the token is still stored in clear")
			}
			if byTok, err := db.GetByTokenDigest(ctx, digest); err != nil || byTok.JobID != j.JobID {
				t.Fatalf("the emailed link no longer finds its job: %v", err)
			}

			b, err := db.Get(ctx, "b1111111-2222-4333-8444-555555555555")
			if err != nil {
				t.Fatal(err)
			}
			refunds, err := db.Refunds(ctx, b.JobID)
			if err != nil {
				t.Fatal(err)
			}
			c, err := db.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total != 2 || c.ByStatus["completed"] != 1 {
				t.Fatalf("counters not started from the rows: %+v", c)
			}
			if strings.HasPrefix(tc.name, "oldest") {
				if string(b.Status) != "pending" || b.RefundAmount != nil || b.CompletedAt != nil || len(refunds) != 0 {
					t.Fatalf("the unpaid checkout changed: %+v, refunds %+v", b, refunds)
				}
			} else {
				if b.SourceType != "upload" || b.UploadFilePath == nil || *b.UploadFilePath != "/var/www/html/wp-content/uploads/smi-uploads/u.jpg" ||
					*b.RefundAmount != 500 || b.FailedAt == nil {
					t.Fatalf("the refunded upload changed: %+v", b)
				}
				if len(refunds) != 1 || refunds[0].Amount != 500 || refunds[0].Reason != "upscaling failed" {
					t.Fatalf("the refund on the row did not become history: %+v", refunds)
				}
				if c.ByPaymentStatus["refunded"] != 1 {
					t.Fatalf("refunded not counted: %+v", c)
				}
			}
			page, err := db.List(ctx, store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 10, Page: 1})
			if err != nil || len(page.Jobs) != 2 {
				t.Fatalf("list after adoption: %v %+v", err, page)
			}

			// The adopted table has every column a fresh install has, of
			// the same type (the original's email stays NOT NULL).
			got := columns(t, raw)
			for n, ty := range want {
				if got[n] != ty {
					t.Errorf("column %s: adopted %q, fresh %q", n, got[n], ty)
				}
			}
			if len(got) != len(want) {
				t.Errorf("adopted table has %d columns, a fresh one %d", len(got), len(want))
			}
		})
	}
}
