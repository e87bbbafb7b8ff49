package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/metrics"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/seed"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

const secret = "test-secret-0123456789-abcdefghijklmnop"

type bundle struct {
	t    *testing.T
	db   *store.DB
	srv  *httptest.Server
	jobs []*job.Job
}

func setup(t *testing.T, n int) *bundle {
	t.Helper()
	db := storetest.New(t)
	var all []*job.Job
	if n > 0 {
		g := seed.New(1, n, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		for j := g.Next(); j != nil; j = g.Next() {
			all = append(all, j)
		}
		if err := db.InsertBulk(context.Background(), all, store.EventInput{Type: "seeded", Message: "seeded"}); err != nil {
			t.Fatal(err)
		}
	}
	return serve(t, db, all)
}

func serve(t *testing.T, db *store.DB, all []*job.Job) *bundle {
	ts := pipelinetest.ServeAPI(t, httpapi.Config{Secret: secret, Version: "test",
		Now:     func() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) },
		Metrics: metrics.New(db.Pool(), db, pipelinetest.Quiet())},
		db, httpapi.Services{}, nil)
	return &bundle{t: t, db: db, srv: ts, jobs: all}
}

func (b *bundle) do(method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, body)
	req.Header.Set("Authorization", "Bearer "+secret)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

type apiError struct {
	Error struct{ Code, Message, Param string } `json:"error"`
}

func TestAuthAndHost(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	for _, hdr := range [][]string{{"Authorization", ""}, {"Authorization", "Bearer wrong"}, {"Authorization", "Basic " + secret}} {
		resp, _ := b.do("GET", "/v1/jobs", nil, hdr...)
		if resp.StatusCode != 401 {
			t.Errorf("%v: status %d, want 401", hdr, resp.StatusCode)
		}
	}
	resp, body := b.do("GET", "/v1/jobs", nil, "Host", "evil.example:8787")
	if resp.StatusCode != 403 {
		t.Errorf("foreign Host: %d %s", resp.StatusCode, body)
	}
	_, port, _ := strings.Cut(b.srv.Listener.Addr().String(), ":")
	if resp, _ := b.do("GET", "/v1/jobs", nil, "Host", "localhost:"+port); resp.StatusCode != 200 {
		t.Errorf("localhost Host refused: %d", resp.StatusCode)
	}
	for _, p := range []string{"/healthz", "/metrics"} {
		r, err := http.Get(b.srv.URL + p)
		if err != nil || r.StatusCode != 200 {
			t.Errorf("%s must answer without the secret: %v %v", p, err, r.StatusCode)
		}
	}
	if resp, _ := b.do("GET", "/v1/jobs", nil, "X-SMI-Actor", "root"); resp.StatusCode != 400 {
		t.Errorf("bad actor accepted: %d", resp.StatusCode)
	}
}

func TestBadParameters(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	cases := []struct{ query, param string }{
		{"status=done", "status"},
		{"payment_status=paid,nope", "payment_status"},
		{"created_from=yesterday", "created_from"},
		{"created_to=2026-13-01", "created_to"},
		{"created_from=2026-05-02&created_to=2026-05-01", "created_to"},
		{"per_page=0", "per_page"},
		{"per_page=501", "per_page"},
		{"page=-1", "page"},
		{"orderby=id", "orderby"},
		{"order=sideways", "order"},
		{"post_id=abc", "post_id"},
		{"attachment_id=0", "attachment_id"},
		{"q=a%25", "q"},
		{"cursor=garbage", "cursor"},
		{"colour=red", "colour"},
	}
	for _, c := range cases {
		resp, body := b.do("GET", "/v1/jobs?"+c.query, nil)
		var e apiError
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%v in %s", err, body)
		}
		if resp.StatusCode != 400 || e.Error.Code != "invalid" || e.Error.Param != c.param || e.Error.Message == "" {
			t.Errorf("%s: %d %s; want 400 naming %s", c.query, resp.StatusCode, body, c.param)
		}
	}
	resp, body := b.do("GET", "/v1/jobs?orderby=id", nil)
	if !strings.Contains(string(body), "created_at, paid_at") {
		t.Errorf("orderby error must list accepted values: %s (%d)", body, resp.StatusCode)
	}
	resp, body = b.do("GET", "/v1/jobs/11111111-2222-4333-8444-555555555555", nil)
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"not_found"`) {
		t.Errorf("unknown job: %d %s", resp.StatusCode, body)
	}
	resp, _ = b.do("GET", "/v1/jobs/not-a-uuid", nil)
	if resp.StatusCode != 404 {
		t.Errorf("malformed job id: %d", resp.StatusCode)
	}
}

func TestListAndDetail(t *testing.T) {
	t.Parallel()
	b := setup(t, 400)
	resp, body := b.do("GET", "/v1/jobs?status=completed&per_page=10&orderby=amount_charged&order=asc", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var list struct {
		Jobs                             []map[string]any `json:"jobs"`
		Total, Page, PerPage, TotalPages int
		TotalCapped                      bool   `json:"total_capped"`
		NextCursor                       string `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	want := 0
	for _, j := range b.jobs {
		if j.Status == job.StatusCompleted {
			want++
		}
	}
	if list.Total != want || len(list.Jobs) != 10 || list.NextCursor == "" || list.TotalCapped {
		t.Fatalf("total=%d want %d, %d jobs, cursor %q", list.Total, want, len(list.Jobs), list.NextCursor)
	}
	prev := -1.0
	for _, j := range list.Jobs {
		if j["status"] != "completed" {
			t.Fatalf("status filter leaked %v", j["status"])
		}
		if _, ok := j["download_token"]; ok {
			t.Fatal("list exposes the token digest")
		}
		amt := j["amount_charged"].(float64)
		if amt != float64(int64(amt)) || amt < prev {
			t.Fatalf("amount must be integer minor units in ascending order: %v after %v", amt, prev)
		}
		prev = amt
	}
	// Detail of a completed job: durations, token state, no digest.
	var done *job.Job
	for _, j := range b.jobs {
		if j.Status == job.StatusCompleted && j.PaymentStatus == job.PaymentPartiallyRefunded {
			done = j
			break
		}
	}
	resp, body = b.do("GET", "/v1/jobs/"+done.JobID, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if bytes.Contains(body, []byte(*done.DownloadTokenDigest)) {
		t.Fatal("detail exposes the token digest")
	}
	var d struct {
		Job       map[string]any `json:"job"`
		Durations map[string]*int64
		Download  struct {
			TokenState string `json:"token_state"`
		}
		Events  []map[string]any
		Refunds struct{ Total, Remaining int64 }
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if d.Job["amount_charged"].(float64) != float64(*done.AmountCharged) {
		t.Fatalf("money round trip: %v vs %v", d.Job["amount_charged"], *done.AmountCharged)
	}
	if d.Durations["processing_seconds"] == nil || *d.Durations["processing_seconds"] != int64(done.CompletedAt.Sub(*done.ProcessingStartedAt).Seconds()) {
		t.Fatalf("processing duration wrong: %v", d.Durations)
	}
	if d.Download.TokenState != "expired" { // seeded long before the test clock
		t.Fatalf("token state %q", d.Download.TokenState)
	}
	if d.Refunds.Total != int64(*done.RefundAmount) || d.Refunds.Remaining != int64(*done.AmountCharged-*done.RefundAmount) {
		t.Fatalf("refund totals %+v", d.Refunds)
	}
	if len(d.Events) != 1 {
		t.Fatalf("events: %v", d.Events)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	b := setup(t, 300)
	var rev, refunded int64
	byStatus := map[string]int64{}
	for _, j := range b.jobs {
		byStatus[string(j.Status)]++
		if j.PaymentStatus.Captured() {
			rev += int64(*j.AmountCharged)
		}
		if j.RefundAmount != nil {
			refunded += int64(*j.RefundAmount)
		}
	}
	_, body := b.do("GET", "/v1/stats", nil)
	var st struct {
		ByStatus                 map[string]int64 `json:"by_status"`
		Total, Revenue, Refunded int64
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if st.Total != 300 || st.Revenue != rev || st.Refunded != refunded || st.ByStatus["completed"] != byStatus["completed"] {
		t.Fatalf("stats %s; want revenue %d refunded %d", body, rev, refunded)
	}
	_, body = b.do("GET", "/v1/stats?only=counts&created_from=2026-01-01&created_to=2026-01-31", nil)
	var c struct{ Total int64 }
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	var want int64
	for _, j := range b.jobs {
		if j.CreatedAt.Year() == 2026 && j.CreatedAt.Month() == 1 {
			want++
		}
	}
	if c.Total != want || bytes.Contains(body, []byte("revenue")) {
		t.Fatalf("January counts %s, want %d", body, want)
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	b := setup(t, 50)
	ctx := context.Background()
	hostile := &job.Job{JobID: "aaaaaaaa-2222-4333-8444-555555555555", ImageURL: "https://example.com/x.jpg", Resolution: "4x",
		Email: "=HYPERLINK(\"http://evil\")@x.com", PostID: 1, Status: job.StatusFailed, PaymentStatus: job.PaymentRefunded,
		Currency: "usd", AmountCharged: ptr(job.Money(1205)), RefundAmount: ptr(job.Money(1205)),
		RefundReason: ptr("+1, \"quoted\",\nnew line"), LastError: ptr("-2+3"),
		CreatedAt: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)}
	if err := b.db.Insert(ctx, hostile, store.EventInput{Type: "created", Message: "x"}); err != nil {
		t.Fatal(err)
	}
	resp, body := b.do("GET", "/v1/jobs/export.csv?"+url.Values{"orderby": {"created_at"}}.Encode(), nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v", err)
	}
	if len(recs) != 52 || recs[0][0] != "job_id" {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	row := recs[1] // newest first
	if row[0] != hostile.JobID {
		t.Fatalf("first row %v", row[0])
	}
	if row[4] != `'=HYPERLINK("http://evil")@x.com` || row[20] != "'+1, \"quoted\",\nnew line" || row[26] != "'-2+3" {
		t.Fatalf("formula cells not neutralised: %q %q %q", row[4], row[20], row[26])
	}
	if row[11] != "12.05" || row[10] != "usd" || row[1] != "2026-10-31T00:00:00Z" {
		t.Fatalf("money/time format: %q %q %q", row[11], row[10], row[1])
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Fatal("RFC 4180 wants CRLF line ends")
	}
	resp, _ = b.do("GET", "/v1/jobs/export.csv?status=completed", nil)
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.EmptyDB(t), storetest.Options{}, false)
	b := serve(t, db, nil)
	r, _ := http.Get(b.srv.URL + "/readyz")
	if r.StatusCode != 503 {
		t.Fatalf("unmigrated schema must be unready: %d", r.StatusCode)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	r, _ = http.Get(b.srv.URL + "/readyz")
	if r.StatusCode != 200 {
		t.Fatalf("migrated schema must be ready: %d", r.StatusCode)
	}
	r, _ = http.Get(b.srv.URL + "/metrics")
	m, _ := io.ReadAll(r.Body)
	if !bytes.Contains(m, []byte(`smid_http_requests_total{code="503",route="GET /readyz"}`)) || !bytes.Contains(m, []byte(`go_sql_open_connections{db_name="smid"}`)) {
		t.Fatalf("metrics missing per-route counts or pool stats:\n%s", m)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCSVQuoting(t *testing.T) {
	t.Parallel()
	b := setup(t, 0)
	ctx := context.Background()
	odd := &job.Job{JobID: "bbbbbbbb-2222-4333-8444-555555555555", ImageURL: "https://example.com/x.jpg", Resolution: "4x",
		Email: " padded@x.com ", PostID: 1, Status: job.StatusFailed, PaymentStatus: job.PaymentPending, Currency: "usd",
		RefundReason: ptr("tab\there, \"quote\" and\r\nCRLF"), LastError: ptr("@SUM(1)"),
		CreatedAt: time.Date(2026, 10, 30, 8, 9, 10, 0, time.UTC)}
	if err := b.db.Insert(ctx, odd, store.EventInput{Type: "created", Message: "x"}); err != nil {
		t.Fatal(err)
	}
	_, body := b.do("GET", "/v1/jobs/export.csv", nil)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v %d", err, len(recs))
	}
	row := recs[1]
	// encoding/csv reads a quoted CRLF back as LF; the bytes sent keep it.
	if !bytes.Contains(body, []byte("\"tab\there, \"\"quote\"\" and\r\nCRLF\"")) {
		t.Fatalf("quoted cell not as RFC 4180 wants:\n%s", body)
	}
	if row[4] != " padded@x.com " || row[20] != "tab\there, \"quote\" and\nCRLF" || row[26] != "'@SUM(1)" || row[1] != "2026-10-30T08:09:10Z" {
		t.Fatalf("cells: %q %q %q %q", row[4], row[20], row[26], row[1])
	}
	if row[11] != "" || row[13] != "" {
		t.Fatalf("NULL money must be empty: %q %q", row[11], row[13])
	}
}
