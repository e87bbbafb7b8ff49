package pipelinebench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

func freeAddr(b testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// procKB reads a /proc/<pid>/status field in kB.
func procKB(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkInFlight10k: 10,000 jobs in flight at once against an Upsampler
// fake that takes 60 s per job, with the real smid binary: its peak RSS and
// the status-check rate it sends. The window is SMI_BENCH_INFLIGHT_WINDOW
// (default 150s): long enough for every job to finish at the fake and for
// the callbacks to arrive.
func BenchmarkInFlight10k(b *testing.B) {
	for range b.N {
		n := 10000
		if s := os.Getenv("SMI_BENCH_INFLIGHT_JOBS"); s != "" {
			n, _ = strconv.Atoi(s)
		}
		window := 150 * time.Second
		if s := os.Getenv("SMI_BENCH_INFLIGHT_WINDOW"); s != "" {
			window, _ = time.ParseDuration(s)
		}
		bin := filepath.Join(b.TempDir(), "smid")
		if out, err := exec.Command("go", "build", "-o", bin, "../../../../daemon").CombinedOutput(); err != nil {
			b.Fatalf("build smid: %v\n%s", err, out)
		}
		dsn := storetest.EmptyDB(b)
		db := storetest.Open(b, dsn, storetest.Options{}, true)
		up := upscaletest.New(upscaletest.Options{ProcessingTime: 60 * time.Second, ImageSize: upscaletest.FixedSize(200, 150), TinyResults: true})
		defer up.Close()
		api := freeAddr(b)
		const secret = "inflight-secret-0123456789abcdefghijkl"
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/smi-webhook/upsampler/" {
				http.NotFound(w, r)
				return
			}
			// The plugin's bridge: forward to the daemon with the secret.
			req, _ := http.NewRequest("POST", "http://"+api+"/v1/webhooks/upsampler?job="+r.URL.Query().Get("job"), r.Body)
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				w.WriteHeader(503)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			w.WriteHeader(resp.StatusCode)
		}))
		defer site.Close()
		mockURL, stopMock, err := stripetest.StartMockProcess()
		if err != nil {
			b.Fatal(err)
		}
		defer stopMock()
		mp, err := mailtest.StartProcess(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer mp.Close()

		// Submit n jobs to the fake and record them as processing.
		client, _ := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: up.URL(), APIKey: up.APIKey()})
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		due := now.Add(30 * time.Second)
		batch := make([]*job.Job, 0, 1000)
		for i := range n {
			id := uuid.NewString()
			sub, err := client.Submit(ctx, site.URL+"/x.png?n="+strconv.Itoa(i), 4, site.URL+"/smi-webhook/upsampler/?job="+id)
			if err != nil {
				b.Fatal(err)
			}
			w, h, price := 200, 150, job.Money(50)
			pi := "pi_if_" + strconv.Itoa(i)
			batch = append(batch, &job.Job{JobID: id, ImageURL: site.URL + "/x.png?n=" + strconv.Itoa(i), Resolution: "4x",
				PostID: 1, ImageWidth: &w, ImageHeight: &h, Status: job.StatusProcessing, PaymentStatus: job.PaymentPaid,
				Currency: "usd", AmountCharged: &price, StripePaymentIntentID: &pi, UpsamplerJobID: &sub.ID,
				PaidAt: &now, ProcessingStartedAt: &now, SubmittedAt: &now, Attempts: 1, DueAt: &due, CreatedAt: now, UpdatedAt: now})
			if len(batch) == cap(batch) || i == n-1 {
				if err := db.InsertBulk(ctx, batch, store.EventInput{Type: "seeded", Message: "in flight"}); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		checks0 := up.StatusChecks()

		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "SMI_DATABASE_DSN="+dsn, "SMI_API_SECRET="+secret, "SMI_API_LISTEN="+api,
			"SMI_SITE_URL="+site.URL, "SMI_STRIPE_SECRET_KEY=sk_test_inflight", "SMI_STRIPE_WEBHOOK_SECRET=whsec_inflight",
			"SMI_STRIPE_API_BASE="+mockURL, "SMI_UPSAMPLER_API_KEY="+up.APIKey(), "SMI_UPSAMPLER_BASE_URL="+up.URL(),
			"SMI_NETWORK_ALLOW_PRIVATE_HOSTS=true", "SMI_MAIL_SMTP_PORT="+strconv.Itoa(mp.SMTPPort()),
			"SMI_STORAGE_DIR="+b.TempDir(), "SMI_CRON_POLL=@every 10s", "SMI_UPSCALER_POLL_INTERVAL=10s", "SMI_LOG_LEVEL=warn")
		var logs bytes.Buffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		pid := cmd.Process.Pid
		var peakRSS int64
		var perMinute []int
		start := time.Now()
		last := checks0
		for time.Since(start) < window {
			time.Sleep(time.Second)
			if r := procKB(pid, "VmRSS"); r > peakRSS {
				peakRSS = r
			}
			if s := int(time.Since(start).Seconds()); s%60 == 0 {
				c := up.StatusChecks()
				perMinute = append(perMinute, c-last)
				last = c
			}
		}
		hwm := procKB(pid, "VmHWM")
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		c, _ := db.Counts(ctx)
		el := time.Since(start)
		total := up.StatusChecks() - checks0
		maxMin := 0
		for _, m := range perMinute {
			maxMin = max(maxMin, m)
		}
		b.ReportMetric(float64(max(hwm, peakRSS))/1024, "peak-RSS-MB")
		b.ReportMetric(float64(total)/el.Minutes(), "status-checks/min")
		b.ReportMetric(float64(maxMin), "max-checks-in-a-minute")
		b.ReportMetric(float64(up.RateLimited()), "rate-limited")
		b.ReportMetric(float64(c.ByStatus[job.StatusCompleted]), "completed-in-window")
		b.ReportMetric(0, "ns/op")
		if testing.Verbose() {
			b.Logf("smid log tail:\n%s", tail(logs.String(), 2000))
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
