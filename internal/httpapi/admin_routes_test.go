package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// editor is the WordPress user the admin requests come from.
const editor = "wp:7:editor"

var downloadRE = regexp.MustCompile(`/smi-download/([0-9a-f]{64})`)

// adminStack is the whole daemon behind the API: the shared test stack on
// the stateful Stripe fake, with the admin service, served over HTTP.
// Upsampler's callbacks are dropped: the tests poll.
type adminStack struct {
	*bundle
	*pipelinetest.Env
}

func newAdminStack(t *testing.T) *adminStack {
	t.Helper()
	e := pipelinetest.New(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{ImageSize: upscaletest.FixedSize(200, 150)}})
	e.OnCallback(nil)
	srv := e.Serve(httpapi.Config{Secret: secret}, httpapi.Services{Pipeline: e.Svc, Admin: e.Admin})
	return &adminStack{bundle: &bundle{t: t, db: e.DB, srv: srv}, Env: e}
}

// post sends a JSON body as editor; hdr adds or overrides headers.
func (s *adminStack) post(path string, body any, hdr ...string) (int, map[string]any) {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case nil:
	default:
		raw, _ = json.Marshal(b)
	}
	return s.send("POST", path, raw, hdr...)
}

func (s *adminStack) send(method, path string, raw []byte, hdr ...string) (int, map[string]any) {
	s.t.Helper()
	h := append([]string{"Content-Type", "application/json", "X-SMI-Actor", editor}, hdr...)
	resp, data := s.do(method, path, bytes.NewReader(raw), h...)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		s.t.Fatalf("%s %s: %d %q is not JSON", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

// errOf is the error object of an answer ("" fields when there is none).
func errOf(body map[string]any) (code, param, message string) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	param, _ = e["param"].(string)
	message, _ = e["message"].(string)
	return
}

// completed is a paid job run through the worker and the poller.
func (s *adminStack) completed(email string) (id, pi string) {
	s.T.Helper()
	id, pi = s.Paid(email)
	s.Complete(id)
	return id, pi
}

// download fetches a link's file through the API; it returns the status.
func (s *adminStack) download(token string) int {
	s.t.Helper()
	resp, _ := s.do("GET", "/v1/downloads/"+token, nil)
	return resp.StatusCode
}

func TestAdminRoutesBadInputIs400NamingTheField(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	id, pi := s.Paid("bad@example.com")
	before := len(s.Events(id))
	key := []string{"Idempotency-Key", "k-1"}
	many := make([]string, admin.MaxBatchIDs+1)
	for i := range many {
		many[i] = uuid.NewString()
	}
	cases := []struct {
		path  string
		body  any
		hdr   []string
		param string
	}{
		{"/refunds", `{"amount":10}`, key, "reason"},
		{"/refunds", `{"amount":0,"reason":"r"}`, key, "amount"},
		{"/refunds", `{"amount":-5,"reason":"r"}`, key, "amount"},
		{"/refunds", `{"amount":12.5,"reason":"r"}`, key, "amount"},
		{"/refunds", `{"amount":"12","reason":"r"}`, key, "amount"},
		{"/refunds", `{"amount":51,"reason":"r"}`, key, "amount"},
		{"/refunds", `{"amount":10,"reason":"r"}`, nil, "Idempotency-Key"},
		{"/refunds", `{"amount":10,"reason":"r","currency":"eur"}`, key, "currency"},
		{"/status", `{"status":"done","reason":"r"}`, nil, "status"},
		{"/status", `{"status":"failed"}`, nil, "reason"},
		{"/retry", `{"forse":true}`, nil, "forse"},
		{"/retry", `{"force":"yes"}`, nil, "force"},
		{"/token", `{"expires_in":"forever"}`, nil, "expires_in"},
		{"/retry", `{"reason":`, nil, "body"},
		{"/retry", `{}`, []string{"X-SMI-Actor", "root"}, "X-SMI-Actor"},
		{"/retry", `{}`, []string{"Content-Type", "text/plain"}, "body"},
	}
	for _, c := range cases {
		code, body := s.post("/v1/jobs/"+id+c.path, c.body, c.hdr...)
		ec, param, msg := errOf(body)
		if code != 400 || ec != "invalid" || param != c.param || msg == "" {
			t.Errorf("%s %s: %d %v; want 400 naming %s", c.path, c.body, code, body, c.param)
		}
	}
	batches := []struct {
		body  any
		param string
	}{
		{map[string]any{"action": "delete", "job_ids": []string{id}}, "action"},
		{map[string]any{"action": "retry", "job_ids": many}, "job_ids"},
		{map[string]any{"action": "retry", "filter": map[string]string{}}, "confirm_all"},
		{map[string]any{"action": "refund", "filter": map[string]string{"status": "pending"}}, "params.reason"},
		{map[string]any{"action": "retry", "filter": map[string]string{"status": "nope"}}, "filter.status"},
		{map[string]any{"action": "set_status", "job_ids": []string{id}, "params": map[string]string{"status": "gone", "reason": "r"}}, "params.status"},
		{map[string]any{"action": "retry", "job_ids": []string{id}, "confirm": true}, "confirm"},
	}
	for _, c := range batches {
		code, body := s.post("/v1/jobs/batch", c.body)
		ec, param, _ := errOf(body)
		if code != 400 || ec != "invalid" || param != c.param {
			t.Errorf("batch %v: %d %v; want 400 naming %s", c.body, code, body, c.param)
		}
	}
	// Nothing changed on any error.
	j := s.Get(id)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || len(s.Events(id)) != before {
		t.Fatalf("bad requests changed the job: %s/%s, %d events (was %d)", j.Status, j.PaymentStatus, len(s.Events(id)), before)
	}
	if rs, _ := s.db.Refunds(context.Background(), id); len(rs) != 0 || s.Fake.RefundRequests() != 0 || len(s.Fake.Refunds(pi)) != 0 {
		t.Fatal("a bad refund request reached the history or Stripe")
	}
}

func TestAdminRoutesUnknownJobIs404(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	for _, id := range []string{uuid.NewString(), "not-a-job", strings.Repeat("a", 36)} {
		for _, r := range []struct{ path, body string }{
			{"/retry", `{}`}, {"/token", `{}`}, {"/email", `{}`}, {"/status", `{"status":"failed","reason":"r"}`},
			{"/reconcile", `{}`}, {"/refunds", `{"reason":"r"}`},
		} {
			code, body := s.post("/v1/jobs/"+id+r.path, r.body, "Idempotency-Key", "k")
			if ec, _, msg := errOf(body); code != 404 || ec != "not_found" || msg == "" {
				t.Errorf("%s%s: %d %v, want 404", id, r.path, code, body)
			}
		}
	}
	for _, path := range []string{"/v1/batches/" + uuid.NewString(), "/v1/batches/nope"} {
		if code, body := s.send("GET", path, nil); code != 404 {
			t.Errorf("GET %s: %d %v", path, code, body)
		}
		if code, body := s.post(path+"/cancel", nil); code != 404 {
			t.Errorf("cancel %s: %d %v", path, code, body)
		}
	}
}

func TestAdminRoutesConflictsSayWhy(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	done, _ := s.completed("done@example.com") // first: the worker takes the oldest pending job
	unpaid := s.Checkout("").JobID
	pending, _ := s.Paid("pending@example.com")
	disputed, pi := s.Paid("disputed@example.com")
	s.Fake.SetDisputed(pi)
	cases := []struct {
		path, body string
		status     int
		code, says string
	}{
		{"/v1/jobs/" + unpaid + "/retry", `{}`, 409, "conflict", "not paid"},
		{"/v1/jobs/" + unpaid + "/refunds", `{"reason":"r"}`, 409, "conflict", "no captured payment"},
		{"/v1/jobs/" + pending + "/email", `{}`, 409, "conflict", "completed"},
		{"/v1/jobs/" + pending + "/token", `{}`, 409, "conflict", "completed"},
		{"/v1/jobs/" + done + "/status", `{"status":"failed","reason":"r"}`, 409, "conflict", "cannot be moved"},
		{"/v1/jobs/" + unpaid + "/status", `{"status":"pending","reason":"they say they paid"}`, 409, "conflict", "Stripe does not confirm"},
		{"/v1/jobs/" + disputed + "/refunds", `{"reason":"r"}`, 402, "payment_refused", "charged back"},
	}
	for _, c := range cases {
		code, body := s.post(c.path, c.body, "Idempotency-Key", "k-"+c.path)
		ec, _, msg := errOf(body)
		if code != c.status || ec != c.code || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %v; want %d %s saying %q", c.path, code, body, c.status, c.code, c.says)
		}
	}
	// An expired link: resend says to regenerate.
	s.Clock.Advance(25 * time.Hour)
	code, body := s.post("/v1/jobs/"+done+"/email", `{}`)
	if _, _, msg := errOf(body); code != 409 || !strings.Contains(msg, "regenerate") {
		t.Fatalf("resend of an expired link: %d %v", code, body)
	}
}

func TestAdminActionsRecordTheActor(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	id, _ := s.completed("actor@example.com")
	code, body := s.post("/v1/jobs/"+id+"/retry", `{"reason":"customer asked"}`)
	if code != 200 || body["queued"] != true || body["credits_estimate"].(float64) <= 0 {
		t.Fatalf("retry: %d %v", code, body)
	}
	var requeued *job.Event
	for _, e := range s.Events(id) {
		if e.Type == "requeued" {
			requeued = &e
		}
	}
	if requeued == nil || requeued.Actor != editor || !strings.Contains(requeued.Message, "customer asked") ||
		*requeued.FromStatus != job.StatusCompleted || *requeued.ToStatus != job.StatusPending {
		t.Fatalf("requeued event %+v, want one by %s with the reason and the statuses", requeued, editor)
	}
	// Without the header the daemon itself is the actor.
	code, _ = s.send("POST", "/v1/jobs/"+id+"/reconcile", nil, "X-SMI-Actor", "")
	if code != 200 {
		t.Fatalf("reconcile: %d", code)
	}
	evs := s.Events(id)
	if last := evs[len(evs)-1]; last.Type != "reconciled" || last.Actor != job.ActorSystem {
		t.Fatalf("last event %+v, want reconciled by system", last)
	}
}

func TestAdminTokenAndEmailRoutes(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	id, _ := s.completed("link@example.com")
	code, body := s.post("/v1/jobs/"+id+"/token", `{"expires_in":"72h"}`)
	if code != 200 {
		t.Fatalf("token: %d %v", code, body)
	}
	m := downloadRE.FindStringSubmatch(fmt.Sprint(body["download_url"]))
	if m == nil {
		t.Fatalf("no download_url in %v", body)
	}
	first := m[1]
	if got := s.download(first); got != 200 {
		t.Fatalf("the new link answers %d", got)
	}
	code, body = s.post("/v1/jobs/"+id+"/token", `{}`)
	second := downloadRE.FindStringSubmatch(fmt.Sprint(body["download_url"]))[1]
	if code != 200 || s.download(first) == 200 || s.download(second) != 200 {
		t.Fatalf("after a second regeneration: %d; old link %d, new %d", code, s.download(first), s.download(second))
	}
	code, body = s.post("/v1/jobs/"+id+"/email", nil)
	if code != 200 || body["email_sent"] != true || body["download_url"] != nil {
		t.Fatalf("email: %d %v (the link goes to the customer only)", code, body)
	}
	var ev job.Event
	for _, e := range s.Events(id) {
		if e.Type == "token_regenerated" {
			ev = e
		}
	}
	if ev.Actor != editor {
		t.Fatalf("token_regenerated event %+v", ev)
	}
}

func TestAdminRefundRouteIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	id, pi := s.Paid("idem@example.com")
	path := "/v1/jobs/" + id + "/refunds"
	code, first := s.post(path, `{"amount":20,"reason":"wrong crop"}`, "Idempotency-Key", "wp-nonce-1")
	if code != 200 || first["replayed"] != false || first["payment_status"] != "partially_refunded" ||
		first["refund_total"].(float64) != 20 || first["remaining"].(float64) != 30 {
		t.Fatalf("refund: %d %v", code, first)
	}
	code, again := s.post(path, `{"amount":20,"reason":"wrong crop"}`, "Idempotency-Key", "wp-nonce-1")
	r1, _ := first["refund"].(map[string]any)
	r2, _ := again["refund"].(map[string]any)
	if code != 200 || again["replayed"] != true || r1["id"] != r2["id"] || r1["stripe_refund_id"] == nil {
		t.Fatalf("replay: %d %v", code, again)
	}
	if n := len(s.Fake.Refunds(pi)); n != 1 {
		t.Fatalf("%d refunds at Stripe, want 1", n)
	}
	rs, _ := s.db.Refunds(context.Background(), id)
	if len(rs) != 1 || rs[0].Actor != editor {
		t.Fatalf("history %+v, want one refund by %s", rs, editor)
	}
	var ev *job.Event
	for _, e := range s.Events(id) {
		if e.Type == "refunded" {
			ev = &e
		}
	}
	if ev == nil || ev.Actor != editor || ev.Data["stripe_refund_id"] != r1["stripe_refund_id"] {
		t.Fatalf("refunded event %+v", ev)
	}
	// The rest, with another key: the answer says nothing is left.
	code, rest := s.post(path, `{"reason":"all of it"}`, "Idempotency-Key", "wp-nonce-2")
	if code != 200 || rest["payment_status"] != "refunded" || rest["remaining"].(float64) != 0 {
		t.Fatalf("refund of the rest: %d %v", code, rest)
	}
	code, body := s.post(path, `{"reason":"more"}`, "Idempotency-Key", "wp-nonce-3")
	if _, _, msg := errOf(body); code != 409 || !strings.Contains(msg, "fully refunded") {
		t.Fatalf("refund of a refunded job: %d %v", code, body)
	}
}

func TestAdminBatchRoutes(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	a, _ := s.Paid("b1@example.com")
	bb, _ := s.Paid("b2@example.com")
	unpaid := s.Checkout("").JobID

	code, body := s.post("/v1/jobs/batch", map[string]any{"action": "reconcile", "job_ids": []string{a, bb, unpaid}})
	if code != 200 || body["ok"].(float64) != 3 || len(body["results"].([]any)) != 3 {
		t.Fatalf("synchronous batch: %d %v", code, body)
	}

	code, body = s.post("/v1/jobs/batch", map[string]any{"action": "set_status", "filter": map[string]string{"status": "pending"},
		"params": map[string]string{"status": "failed", "reason": "source images were removed"}})
	id, _ := body["batch_id"].(string)
	if code != 202 || id == "" {
		t.Fatalf("background batch: %d %v", code, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body = s.send("GET", "/v1/batches/"+id, nil)
		if code != 200 {
			t.Fatalf("GET batch: %d %v", code, body)
		}
		if body["state"] != "running" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if body["state"] != "done" || body["total"].(float64) != 2 || body["done"].(float64) != 2 || body["actor"] != editor {
		t.Fatalf("batch at the end: %v", body)
	}
	for _, j := range []string{a, bb} {
		if got := s.Get(j); got.Status != job.StatusFailed || got.PaymentStatus != job.PaymentRefunded {
			t.Fatalf("job %s after the batch: %s/%s", j, got.Status, got.PaymentStatus)
		}
	}
	if s.Get(unpaid).Status != job.StatusAwaitingPayment {
		t.Fatal("the batch touched a job outside its filter")
	}
	code, body = s.post("/v1/batches/"+id+"/cancel", nil)
	if _, _, msg := errOf(body); code != 409 || !strings.Contains(msg, "done") {
		t.Fatalf("cancel of a finished batch: %d %v", code, body)
	}
}
