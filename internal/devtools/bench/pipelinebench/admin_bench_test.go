package pipelinebench

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
)

// deliveredJobs inserts n completed jobs with a live token and a stored
// file (one file on disk shared by all rows: the benchmark is about the
// batch, not the disk).
func deliveredJobs(b testing.TB, e *pipelinetest.Env, n int, tag string) []string {
	ctx := context.Background()
	file := e.StoredFile(uuid.NewString())
	now := e.Clock.Now()
	exp := now.Add(24 * time.Hour)
	var ids []string
	batch := make([]*job.Job, 0, 1000)
	for i := range n {
		id := uuid.NewString()
		w, h, ow, oh := 200, 150, 800, 600
		price := job.Money(50)
		digest := "d" + strconv.Itoa(i) + tag
		path := file
		pi := "pi_adm_" + tag + strconv.Itoa(i)
		batch = append(batch, &job.Job{JobID: id, ImageURL: e.Site.URL + "/wp-content/uploads/x.png", Resolution: "4x",
			Email: "buyer" + strconv.Itoa(i%50) + "@example.com", PostID: 42, ImageWidth: &w, ImageHeight: &h,
			OutputWidth: &ow, OutputHeight: &oh, Status: job.StatusCompleted, PaymentStatus: job.PaymentPaid, Currency: "usd",
			AmountCharged: &price, StripePaymentIntentID: &pi, UpscaledFilePath: &path, DownloadTokenDigest: &digest,
			DownloadExpiresAt: &exp, EmailSent: true, PaidAt: &now, CompletedAt: &now, DueAt: &exp, CreatedAt: now, UpdatedAt: now})
		ids = append(ids, id)
		if len(batch) == cap(batch) || i == n-1 {
			if err := e.DB.InsertBulk(ctx, batch, store.EventInput{Type: "seeded", Message: "bench"}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return ids
}

func awaitingJobs(b testing.TB, e *pipelinetest.Env, n int) []string {
	ctx := context.Background()
	now := e.Clock.Now()
	var ids []string
	var batch []*job.Job
	for range n {
		id := uuid.NewString()
		price := job.Money(50)
		batch = append(batch, &job.Job{JobID: id, ImageURL: e.Site.URL + "/x.png", Resolution: "4x", PostID: 5,
			Status: job.StatusAwaitingPayment, PaymentStatus: job.PaymentPending, Currency: "usd", AmountCharged: &price,
			CreatedAt: now, UpdatedAt: now})
		ids = append(ids, id)
	}
	if err := e.DB.InsertBulk(ctx, batch, store.EventInput{Type: "seeded", Message: "bench"}); err != nil {
		b.Fatal(err)
	}
	return ids
}

func adminService(e *pipelinetest.Env) *admin.Service {
	return e.NewAdmin(admin.Config{Concurrency: 4, ResumeEvery: 200 * time.Millisecond})
}

// BenchmarkBatch500: a 500-id synchronous batch of regenerate_token and
// one of set_status, in jobs/s.
func BenchmarkBatch500(b *testing.B) {
	for range b.N {
		e := pipelinetest.New(b, pipelinetest.Options{})
		a := adminService(e)
		ctx := context.Background()
		run := func(action string, ids []string, params any) float64 {
			p, _ := json.Marshal(params)
			start := time.Now()
			res, _, err := a.Batch(ctx, admin.BatchRequest{Action: action, JobIDs: ids, Params: p}, "wp:1:bench")
			if err != nil {
				b.Fatal(err)
			}
			if res.OK != len(ids) {
				b.Fatalf("%s: %d ok of %d (first error %+v)", action, res.OK, len(ids), res.Results[0].Error)
			}
			return float64(len(ids)) / time.Since(start).Seconds()
		}
		tok := run("regenerate_token", deliveredJobs(b, e, 500, "t"), map[string]any{})
		st := run("set_status", awaitingJobs(b, e, 500), map[string]any{"status": "abandoned", "reason": "bench"})
		b.ReportMetric(tok, "regenerate_token-jobs/s")
		b.ReportMetric(st, "set_status-jobs/s")
		b.ReportMetric(0, "ns/op")
	}
}

// BenchmarkResendEmail10k: a background batch of resend_email over a
// 10,000-job filter, every email delivered to Mailpit.
func BenchmarkResendEmail10k(b *testing.B) {
	for range b.N {
		n := 10000
		if s := jobsEnv("SMI_BENCH_RESEND_JOBS"); s > 0 {
			n = s
		}
		e := pipelinetest.New(b, pipelinetest.Options{})
		a := adminService(e)
		ctx := context.Background()
		deliveredJobs(b, e, n, "r")
		a.Start(ctx)
		defer a.Stop()
		start := time.Now()
		_, id, err := a.Batch(ctx, admin.BatchRequest{Action: "resend_email", Filter: map[string]string{"post_id": "42"}}, "wp:1:bench")
		if err != nil {
			b.Fatal(err)
		}
		for {
			st, err := a.GetBatch(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			if st.State == "done" {
				if st.Done != int64(n) {
					b.Fatalf("done %d of %d, failed %d: %+v", st.Done, n, st.Failed, st.Errors)
				}
				break
			}
			if time.Since(start) > 20*time.Minute {
				b.Fatalf("batch still running: %d of %d", st.Done, n)
			}
			time.Sleep(100 * time.Millisecond)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "emails/s")
		b.ReportMetric(0, "ns/op")
	}
}

func jobsEnv(name string) int {
	n, _ := strconv.Atoi(getenv(name))
	return n
}
