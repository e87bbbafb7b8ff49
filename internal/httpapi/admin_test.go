package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

const adminWebhookSecret = "whsec_test_httpapi_admin_0123456789"

// editor is the WordPress user the admin requests come from.
const editor = "wp:7:editor"

var downloadRE = regexp.MustCompile(`/smi-download/([0-9a-f]{64})`)

// adminStack is the whole daemon behind the API: a real database, the
// stateful Stripe fake, the Upsampler fake and Mailpit.
type adminStack struct {
	*bundle
	pipe  *pipeline.Service
	adm   *admin.Service
	fake  *stripetest.Fake
	mail  *mailtest.Server
	site  *httptest.Server
	now   *adminClock
	files *storage.Store
}

type adminClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *adminClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *adminClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newAdminStack(t *testing.T) *adminStack {
	t.Helper()
	s := &adminStack{now: &adminClock{t: time.Now().UTC().Truncate(time.Second)}}
	db := storetest.New(t, storetest.Options{Now: s.now.Now})
	s.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent) // Upsampler callbacks; the tests poll
	}))
	t.Cleanup(s.site.Close)
	up := upscaletest.New(upscaletest.Options{Now: s.now.Now, ImageSize: upscaletest.FixedSize(200, 150)})
	t.Cleanup(up.Close)
	s.fake = stripetest.NewFake(t)
	payc, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: adminWebhookSecret, APIBase: s.fake.URL(), MaxNetworkRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.mail = mailtest.Start(t)
	mailer, err := mail.New(mail.Config{Host: s.mail.SMTPHost(), Port: s.mail.SMTPPort(), TLS: "none", From: "Shop <shop@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: up.URL(), APIKey: up.APIKey(), FetchClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	if s.files, err = storage.New(storage.Config{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.files.Close() })
	pr, _ := pricing.New(pricing.Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	s.pipe, err = pipeline.New(pipeline.Config{SiteURL: s.site.URL, AllowPrivateHosts: true, Now: s.now.Now,
		PollInterval: 30 * time.Second, RevokeOnFullRefund: true, StatusChecksPerMinute: 600000},
		pipeline.Deps{Store: db, Payments: payc, Upscaler: provider, Mailer: mailer, Files: s.files, Pricing: pr, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	s.adm = admin.New(admin.Config{}, s.pipe, db, quietLog())
	t.Cleanup(s.adm.Stop)

	ts := httptest.NewUnstartedServer(nil)
	api := httpapi.New(httpapi.Config{Listen: ts.Listener.Addr().String(), Secret: secret, Version: "test", Now: s.now.Now},
		db, httpapi.Services{Pipeline: s.pipe, Admin: s.adm}, quietLog())
	ts.Config.Handler = api.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	s.bundle = &bundle{t: t, db: db, srv: ts}
	return s
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

func (s *adminStack) job(id string) *job.Job {
	s.t.Helper()
	j, err := s.db.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return j
}

func (s *adminStack) events(id string) []job.Event {
	s.t.Helper()
	evs, err := s.db.Events(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return evs
}

// paid is a checkout the buyer paid, announced by Stripe's webhook: a
// pending job. pi is its PaymentIntent.
func (s *adminStack) paid(email string) (id, pi string) {
	s.t.Helper()
	ctx := context.Background()
	res, err := s.pipe.Checkout(ctx, pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: s.site.URL + "/wp-content/uploads/photo.png", ImageWidth: 200, ImageHeight: 150, Resolution: "4x",
		Email: email, SuccessURL: s.site.URL + "/thanks", CancelURL: s.site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		s.t.Fatal(err)
	}
	sess := *s.job(res.JobID).StripeCheckoutSessionID
	pi = "pi_" + strings.ReplaceAll(res.JobID[:13], "-", "")
	s.fake.SetSessionPaid(sess, pi)
	payload, sig := stripetest.SignEvent(s.t, adminWebhookSecret, stripetest.EventJSON("evt_"+res.JobID[:8], "checkout.session.completed", s.fake.Session(sess)))
	if _, err := s.pipe.HandleStripeWebhook(ctx, payload, sig); err != nil {
		s.t.Fatal(err)
	}
	return res.JobID, pi
}

// unpaid is a checkout nobody paid.
func (s *adminStack) unpaid() string {
	s.t.Helper()
	res, err := s.pipe.Checkout(context.Background(), pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: s.site.URL + "/wp-content/uploads/photo.png", ImageWidth: 200, ImageHeight: 150, Resolution: "4x",
		SuccessURL: s.site.URL + "/thanks", CancelURL: s.site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.JobID
}

// completed runs a paid job through the worker and the poller.
func (s *adminStack) completed(email string) (id, pi string) {
	s.t.Helper()
	ctx := context.Background()
	id, pi = s.paid(email)
	if _, err := s.pipe.Work(ctx); err != nil {
		s.t.Fatal(err)
	}
	s.now.Advance(31 * time.Second)
	if _, err := s.pipe.Poll(ctx); err != nil {
		s.t.Fatal(err)
	}
	if j := s.job(id); j.Status != job.StatusCompleted {
		s.t.Fatalf("job %s is %s (%v)", id, j.Status, j.LastError)
	}
	return id, pi
}

// download fetches a link's file through the API; it returns the status.
func (s *adminStack) download(token string) int {
	s.t.Helper()
	resp, _ := s.do("GET", "/v1/downloads/"+token, nil)
	return resp.StatusCode
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestAdminRoutesBadInputIs400NamingTheField(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	id, pi := s.paid("bad@example.com")
	before := len(s.events(id))
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
	j := s.job(id)
	if j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid || len(s.events(id)) != before {
		t.Fatalf("bad requests changed the job: %s/%s, %d events (was %d)", j.Status, j.PaymentStatus, len(s.events(id)), before)
	}
	if rs, _ := s.db.Refunds(context.Background(), id); len(rs) != 0 || s.fake.RefundRequests() != 0 || len(s.fake.Refunds(pi)) != 0 {
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
	unpaid := s.unpaid()
	pending, _ := s.paid("pending@example.com")
	disputed, pi := s.paid("disputed@example.com")
	s.fake.SetDisputed(pi)
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
	s.now.Advance(25 * time.Hour)
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
	for _, e := range s.events(id) {
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
	evs := s.events(id)
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
	for _, e := range s.events(id) {
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
	id, pi := s.paid("idem@example.com")
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
	if n := len(s.fake.Refunds(pi)); n != 1 {
		t.Fatalf("%d refunds at Stripe, want 1", n)
	}
	rs, _ := s.db.Refunds(context.Background(), id)
	if len(rs) != 1 || rs[0].Actor != editor {
		t.Fatalf("history %+v, want one refund by %s", rs, editor)
	}
	var ev *job.Event
	for _, e := range s.events(id) {
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
	a, _ := s.paid("b1@example.com")
	bb, _ := s.paid("b2@example.com")
	unpaid := s.unpaid()

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
		if got := s.job(j); got.Status != job.StatusFailed || got.PaymentStatus != job.PaymentRefunded {
			t.Fatalf("job %s after the batch: %s/%s", j, got.Status, got.PaymentStatus)
		}
	}
	if s.job(unpaid).Status != job.StatusAwaitingPayment {
		t.Fatal("the batch touched a job outside its filter")
	}
	code, body = s.post("/v1/batches/"+id+"/cancel", nil)
	if _, _, msg := errOf(body); code != 409 || !strings.Contains(msg, "done") {
		t.Fatalf("cancel of a finished batch: %d %v", code, body)
	}
}
