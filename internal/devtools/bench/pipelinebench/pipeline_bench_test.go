package pipelinebench

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"

	"database/sql"
	"fmt"
	"github.com/sellmyimages/smid/internal/httpapi"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// questions reads the server's statement counter (global: run alone).
func questions(b testing.TB) int64 {
	cfg := storetest.ServerDSN(b)
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var name string
	var n int64
	if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Questions'").Scan(&name, &n); err != nil {
		b.Fatal(err)
	}
	return n
}

func jobsN() int {
	if s := os.Getenv("SMI_BENCH_PIPELINE_JOBS"); s != "" {
		n, _ := strconv.Atoi(s)
		return n
	}
	return 10000
}

// paidJobs inserts n paid pending jobs, due now, each with its own image URL.
func paidJobs(b testing.TB, e *pipelinetest.Env, n int, email string) []string {
	now := e.Clock.Now()
	var ids []string
	batch := make([]*job.Job, 0, 1000)
	flush := func() {
		if err := e.DB.InsertBulk(context.Background(), batch, store.EventInput{Type: "seeded", Message: "bench"}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		id := uuid.NewString()
		w, h := 200, 150
		price, cost := job.Money(50), job.Money(4)
		pi := "pi_bench_" + strconv.Itoa(i)
		batch = append(batch, &job.Job{JobID: id, ImageURL: e.Site.URL + "/wp-content/uploads/b.png?n=" + strconv.Itoa(i),
			Resolution: "4x", Email: email, PostID: 7, ImageWidth: &w, ImageHeight: &h, SourceType: "attachment",
			Status: job.StatusPending, PaymentStatus: job.PaymentPaid, Currency: "usd", AmountCharged: &price,
			AmountCost: &cost, StripePaymentIntentID: &pi, PaidAt: &now, DueAt: &now, CreatedAt: now, UpdatedAt: now})
		ids = append(ids, id)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return ids
}

// BenchmarkDrain10k: 10,000 paid jobs drained from pending to completed
// with the fakes answering at once. Reports jobs/s and statements per job.
func BenchmarkDrain10k(b *testing.B) {
	for range b.N {
		e := pipelinetest.New(b, pipelinetest.Options{
			Upsampler: upscaletest.Options{ImageSize: upscaletest.FixedSize(200, 150), TinyResults: true},
			Config:    pipeline.Config{Concurrency: 16, PollInterval: time.Hour, IdlePoll: time.Second, StatusChecksPerMinute: 6000000},
		})
		n := jobsN()
		paidJobs(b, e, n, "")
		q0 := questions(b)
		start := time.Now()
		e.Svc.Start(context.Background())
		for {
			c, err := e.DB.Counts(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if c.ByStatus[job.StatusCompleted] == int64(n) {
				break
			}
			if c.ByStatus[job.StatusFailed] > 0 {
				b.Fatalf("%d jobs failed", c.ByStatus[job.StatusFailed])
			}
			if time.Since(start) > 10*time.Minute {
				b.Fatalf("only %d of %d completed", c.ByStatus[job.StatusCompleted], n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		el := time.Since(start)
		e.Svc.Stop()
		q := questions(b) - q0
		if e.Up.Submissions() != n {
			b.Fatalf("%d submissions for %d jobs", e.Up.Submissions(), n)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "jobs/s")
		b.ReportMetric(float64(q)/float64(n), "stmts/job")
		b.ReportMetric(0, "ns/op")
	}
}

// BenchmarkPickupLatency: time from a verified payment webhook to the
// Upsampler submission, with idle workers; and what idle workers cost.
func BenchmarkPickupLatency(b *testing.B) {
	for range b.N {
		e := pipelinetest.New(b, pipelinetest.Options{
			Upsampler: upscaletest.Options{ImageSize: upscaletest.FixedSize(200, 150), TinyResults: true,
				QueueTime: time.Hour}, // submitted, then sits: only pickup is timed
			Config: pipeline.Config{Concurrency: 4, IdlePoll: time.Second, PollInterval: time.Hour},
		})
		ctx := context.Background()
		e.Svc.Start(ctx)
		time.Sleep(1500 * time.Millisecond)
		// Idle cost: statements over 10 s with 4 idle workers.
		q0 := questions(b)
		time.Sleep(10 * time.Second)
		// The reading itself costs two statements: its connection's
		// SET time_zone and the SHOW STATUS.
		idle := float64(questions(b)-q0-2) / 10 / 4
		var lat []time.Duration
		for i := range 40 {
			res := e.Checkout("")
			j := e.Get(res.JobID)
			payload, sig := e.SessionEvent(fmt.Sprintf("evt_lat_%d", i), "checkout.session.completed", res.JobID,
				*j.StripeCheckoutSessionID, "pi_lat_"+strconv.Itoa(i), "paid", int64(*j.AmountCharged), "")
			t0 := time.Now()
			if _, err := e.Svc.HandleStripeWebhook(ctx, payload, sig); err != nil {
				b.Fatal(err)
			}
			for {
				if got := e.Get(res.JobID); got.UpsamplerJobID != nil {
					break
				}
				if time.Since(t0) > 10*time.Second {
					b.Fatal("job not picked up")
				}
				time.Sleep(2 * time.Millisecond)
			}
			lat = append(lat, time.Since(t0))
			time.Sleep(150 * time.Millisecond)
		}
		e.Svc.Stop()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(idle, "idle-queries/s/worker")
		b.ReportMetric(0, "ns/op")
	}
}

// BenchmarkWebhookVerify: verified Stripe webhooks per second through the
// daemon's HTTP API (signature check, event record, handler), next to a
// trivial net/http handler on the same box, driven by the same client loop.
func BenchmarkWebhookVerify(b *testing.B) {
	for range b.N {
		e := pipelinetest.New(b, pipelinetest.Options{})
		const n, workers = 4000, 8
		payloads := make([][2]string, n)
		for i := range n {
			p, s := e.SessionEvent(fmt.Sprintf("evt_rate_%d", i), "checkout.session.expired", uuid.NewString(), "cs_x", "", "unpaid", 0, "")
			payloads[i] = [2]string{string(p), s}
		}
		ts := pipelinetest.ServeAPI(b, httpapi.Config{Secret: benchSecret}, e.DB, httpapi.Services{Pipeline: e.Svc}, nil)
		trivialSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(200)
		}))
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
		post := func(base string, i int) error {
			req, _ := http.NewRequest("POST", base+"/v1/webhooks/stripe", strings.NewReader(payloads[i][0]))
			req.Header.Set("Authorization", "Bearer "+benchSecret)
			req.Header.Set("Stripe-Signature", payloads[i][1])
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
		run := func(base string) float64 {
			var next atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= n {
							return
						}
						if err := post(base, i); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			return float64(n) / time.Since(start).Seconds()
		}
		verified := run(ts.URL)
		trivial := run(trivialSrv.URL)
		ts.Close()
		trivialSrv.Close()
		b.ReportMetric(verified, "verified/s")
		b.ReportMetric(trivial, "trivial/s")
		b.ReportMetric(verified/trivial, "ratio")
		b.ReportMetric(0, "ns/op")
	}
}

const benchSecret = "bench-secret-0123456789abcdefghijklmn"

func getenv(k string) string { return os.Getenv(k) }
