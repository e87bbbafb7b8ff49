package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/reqid"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
)

// /metrics and /readyz answer only requests addressed to the daemon, like
// the /v1 routes: a DNS-rebinding page cannot read them.
func TestOperatorRoutesCheckTheHost(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	for _, p := range []string{"/metrics", "/readyz"} {
		if resp, _ := b.do("GET", p, nil, "Host", "evil.example:8787", "Authorization", ""); resp.StatusCode != 403 {
			t.Errorf("%s with a foreign Host: %d, want 403", p, resp.StatusCode)
		}
		if resp, _ := b.do("GET", p, nil, "Authorization", ""); resp.StatusCode != 200 {
			t.Errorf("%s addressed to the daemon: %d, want 200", p, resp.StatusCode)
		}
	}
}

// The plugin's X-Request-Id is echoed and lands on the request's log
// lines; a malformed one is replaced rather than logged.
func TestRequestIDReachesTheLog(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	var logs syncBuffer
	log := slog.New(reqid.Handler(slog.NewTextHandler(&logs, nil)))
	ts := pipelinetest.ServeAPI(t, httpapi.Config{Secret: secret}, b.db, httpapi.Services{}, log)

	// Checkout without a pipeline answers 503 and logs why.
	post := func(id string) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/checkouts", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post("wp-0123456789abcdef")
	if resp.StatusCode != 503 || resp.Header.Get("X-Request-Id") != "wp-0123456789abcdef" {
		t.Fatalf("status %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	if !strings.Contains(logs.String(), "request_id=wp-0123456789abcdef") {
		t.Fatalf("the log lines lack the request id:\n%s", logs.String())
	}
	resp = post("bad id\twith=text")
	got := resp.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(got) || strings.Contains(logs.String(), "bad id") {
		t.Fatalf("a malformed id was kept: answer %q, log:\n%s", got, logs.String())
	}
	if !strings.Contains(logs.String(), "request_id="+got) {
		t.Fatalf("the generated id is not logged:\n%s", logs.String())
	}
}

// /metrics shows the Go runtime, the process, the pool and the business:
// jobs by status as the counters hold them, the due queue and its oldest
// wait, refunds pending.
func TestMetricsShowTheBusiness(t *testing.T) {
	t.Parallel()
	b := setup(t, 300)
	ctx := context.Background()
	now := time.Now().UTC()
	// Three pending jobs due ten minutes ago, one due tomorrow.
	g := seed.New(7, 4, now)
	var extra []*job.Job
	for j := g.Next(); j != nil; j = g.Next() {
		j.Status = job.StatusPending
		due := now.Add(-10 * time.Minute)
		if len(extra) == 3 {
			due = now.Add(24 * time.Hour)
		}
		j.DueAt = &due
		extra = append(extra, j)
	}
	if err := b.db.InsertBulk(ctx, extra, store.EventInput{Type: "seeded", Message: "seeded"}); err != nil {
		t.Fatal(err)
	}
	// One refund reserved and not yet answered by Stripe.
	var paid *job.Job
	for _, j := range b.jobs {
		if j.PaymentStatus == job.PaymentPaid && j.Status == job.StatusCompleted {
			paid = j
			break
		}
	}
	if _, _, _, err := b.db.ReserveRefund(ctx, store.RefundRequest{JobID: paid.JobID, Amount: 1, Reason: "test",
		Actor: job.ActorSystem, Source: "admin", IdempotencyKey: "metrics-test"}); err != nil {
		t.Fatal(err)
	}
	counts, err := b.db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}

	resp, body := b.do("GET", "/metrics", nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	m := string(body)
	for _, st := range job.Statuses {
		want := fmt.Sprintf("smid_jobs{status=%q} %d\n", st, counts.ByStatus[st])
		if !strings.Contains(m, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, want := range []string{
		"smid_queue_due_jobs 3\n", "smid_refunds_pending 1\n", "smid_business_metrics_up 1\n",
		`smid_errors_total{kind="auth",party="stripe"} 0`, "go_goroutines ", "process_cpu_seconds_total ",
		`go_sql_max_open_connections{db_name="smid"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("missing %q", want)
		}
	}
	age := regexp.MustCompile(`(?m)^smid_queue_oldest_due_age_seconds (\S+)$`).FindStringSubmatch(m)
	if age == nil {
		t.Fatal("no oldest due age")
	}
	var secs float64
	if _, err := fmt.Sscan(age[1], &secs); err != nil {
		t.Fatalf("age %q: %v", age[1], err)
	}
	if secs < 590 || secs > 900 {
		t.Errorf("oldest due age %v s; the oldest due job waits about 600 s", secs)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
