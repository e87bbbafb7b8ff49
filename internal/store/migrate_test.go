package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

func TestMigrateEmptyThenAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.Open(t, storetest.EmptyDB(t), storetest.Options{}, false)
	st, err := db.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current || st.Applied != 0 || st.Latest == 0 {
		t.Fatalf("fresh database should be behind: %+v", st)
	}
	done, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != st.Latest {
		t.Fatalf("applied %d of %d migrations", len(done), st.Latest)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run should do nothing: %v %v", again, err)
	}
	if st, _ := db.Schema(ctx); !st.Current {
		t.Fatalf("schema not current after migrate: %+v", st)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.EmptyDB(t)
	a := storetest.Open(t, dsn, storetest.Options{}, false)
	b := storetest.Open(t, dsn, storetest.Options{}, false)
	var wg sync.WaitGroup
	var na, nb []string
	var ea, eb error
	wg.Add(2)
	go func() { defer wg.Done(); na, ea = a.Migrate(ctx) }()
	go func() { defer wg.Done(); nb, eb = b.Migrate(ctx) }()
	wg.Wait()
	if ea != nil || eb != nil {
		t.Fatalf("concurrent migrate failed: %v / %v", ea, eb)
	}
	st, _ := a.Schema(ctx)
	if len(na)+len(nb) != st.Latest {
		t.Fatalf("each migration must be applied exactly once: %d + %d != %d", len(na), len(nb), st.Latest)
	}
}

func TestMigrateAdoptsLegacyTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.EmptyDB(t)
	raw := sqlx.MustOpen("mysql", dsn)
	defer raw.Close()
	raw.MustExec(storetest.LegacySchema("wp_smi_jobs"))
	token := "4f1c2e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e"
	raw.MustExec(`INSERT INTO wp_smi_jobs (job_id, image_url, resolution, email, post_id, attachment_id, status,
		payment_status, amount_charged, amount_cost, refund_amount, download_token, download_expires_at, created_at)
		VALUES ('11111111-2222-4333-8444-555555555555', 'https://example.com/a.jpg', '4x', 'ann@example.com', 7, 9,
		'completed', 'paid', 12.34, 0.08, NULL, ?, '2030-01-01 00:00:00', '2026-05-01 10:00:00'),
		('21111111-2222-4333-8444-555555555555', 'https://example.com/b.jpg', '8x', 'bob@example.com', 7, 10,
		'failed', 'refunded', 5.00, 0.16, 5.00, NULL, NULL, '2026-05-02 10:00:00')`, token)

	db := storetest.Open(t, dsn, storetest.Options{}, true)
	j, err := db.Get(ctx, "11111111-2222-4333-8444-555555555555")
	if err != nil {
		t.Fatal(err)
	}
	if j.Email != "ann@example.com" || j.PostID != 7 || *j.AttachmentID != 9 || string(j.Status) != "completed" {
		t.Fatalf("legacy row changed: %+v", j)
	}
	if *j.AmountCharged != 1234 || *j.AmountCost != 8 || j.Currency != "usd" {
		t.Fatalf("money not exact after adoption: charged=%v cost=%v", *j.AmountCharged, *j.AmountCost)
	}
	sum := sha256.Sum256([]byte(token))
	if j.DownloadTokenDigest == nil || *j.DownloadTokenDigest != hex.EncodeToString(sum[:]) {
		t.Fatalf("token must become its SHA-256 digest, got %v", j.DownloadTokenDigest)
	}
	// The emailed link still resolves: the daemon looks tokens up by digest.
	byTok, err := db.GetByTokenDigest(ctx, hex.EncodeToString(sum[:]))
	if err != nil || byTok.JobID != j.JobID {
		t.Fatalf("old link no longer resolves: %v", err)
	}
	c, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 2 || c.ByStatus["completed"] != 1 || c.ByStatus["failed"] != 1 || c.ByPaymentStatus["refunded"] != 1 {
		t.Fatalf("counters not started from legacy rows: %+v", c)
	}
	var n int
	if err := raw.Get(&n, `SELECT COUNT(*) FROM wp_smi_jobs`); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("rows lost: %d", n)
	}
	// Running again changes nothing: the digest is not hashed twice.
	if done, err := db.Migrate(ctx); err != nil || len(done) != 0 {
		t.Fatalf("re-run: %v %v", done, err)
	}
	j2, _ := db.Get(ctx, j.JobID)
	if *j2.DownloadTokenDigest != *j.DownloadTokenDigest {
		t.Fatal("token hashed twice")
	}
	page, err := db.List(ctx, store.ListQuery{OrderBy: "created_at", Desc: true, PerPage: 10, Page: 1})
	if err != nil || len(page.Jobs) != 2 || page.Total != 2 {
		t.Fatalf("list after adoption: %v %+v", err, page)
	}
}
