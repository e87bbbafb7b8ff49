package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

func pipelineServer(t *testing.T, e *pipelinetest.Env) *bundle {
	return &bundle{t: t, db: e.DB, srv: e.Serve(httpapi.Config{Secret: secret}, httpapi.Services{Pipeline: e.Svc})}
}

func TestPipelineRoutes(t *testing.T) {
	t.Parallel()
	e := pipelinetest.New(t, pipelinetest.Options{})
	b := pipelineServer(t, e)

	resp, body := b.do("GET", "/v1/prices?image_width=1500&image_height=1000", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"resolution":"4x","amount":72`)) {
		t.Fatalf("prices: %d %s", resp.StatusCode, body)
	}
	resp, body = b.do("GET", "/v1/prices?image_width=10&image_height=1000", nil)
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte(`"param":"image_width"`)) {
		t.Fatalf("tiny image: %d %s", resp.StatusCode, body)
	}
	order := map[string]any{"post_id": 7, "attachment_id": 9, "image_url": e.Site.URL + "/wp-content/uploads/a.png",
		"image_width": 200, "image_height": 150, "resolution": "8x", "email": "c@example.com",
		"success_url": e.Site.URL + "/ok", "cancel_url": e.Site.URL + "/no"}
	raw, _ := json.Marshal(order)
	resp, body = b.do("POST", "/v1/checkouts", bytes.NewReader(raw), "Content-Type", "application/json", "X-SMI-Actor", "wp:1:admin")
	var co struct {
		JobID       string `json:"job_id"`
		CheckoutURL string `json:"checkout_url"`
		Amount      int64
	}
	if err := json.Unmarshal(body, &co); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if resp.StatusCode != 201 || co.JobID == "" || co.CheckoutURL == "" {
		t.Fatalf("checkout: %d %s", resp.StatusCode, body)
	}
	order["resolution"] = "3x"
	raw, _ = json.Marshal(order)
	if resp, body = b.do("POST", "/v1/checkouts", bytes.NewReader(raw)); resp.StatusCode != 400 || !bytes.Contains(body, []byte(`"param":"resolution"`)) {
		t.Fatalf("bad resolution: %d %s", resp.StatusCode, body)
	}

	// The hook refuses an unpaid job unless overridden.
	hook := func(override bool) (*http.Response, []byte) {
		raw, _ := json.Marshal(map[string]any{"job_id": co.JobID, "context": map[string]any{"admin_override": override}})
		return b.do("POST", "/v1/hooks/payment-completed", bytes.NewReader(raw))
	}
	if resp, body = hook(false); resp.StatusCode != 409 || !bytes.Contains(body, []byte("not paid")) {
		t.Fatalf("unpaid hook: %d %s", resp.StatusCode, body)
	}

	// Webhooks: a bad signature is 400, a good one 200, a repeat a duplicate.
	j := e.Get(co.JobID)
	payload, sig := e.SessionEvent("evt_http_1", "checkout.session.completed", co.JobID, *j.StripeCheckoutSessionID, "pi_http_1", "paid", int64(*j.AmountCharged), "")
	if resp, body = b.do("POST", "/v1/webhooks/stripe", bytes.NewReader(payload), "Stripe-Signature", "t=1,v1=00"); resp.StatusCode != 400 {
		t.Fatalf("bad signature: %d %s", resp.StatusCode, body)
	}
	if resp, body = b.do("POST", "/v1/webhooks/stripe", bytes.NewReader(payload), "Stripe-Signature", sig); resp.StatusCode != 200 {
		t.Fatalf("webhook: %d %s", resp.StatusCode, body)
	}
	if _, body = b.do("POST", "/v1/webhooks/stripe", bytes.NewReader(payload), "Stripe-Signature", sig); !bytes.Contains(body, []byte(`"duplicate":true`)) {
		t.Fatalf("repeat not seen as duplicate: %s", body)
	}
	if _, body = hook(false); !bytes.Contains(body, []byte(`"queued":false`)) {
		t.Fatalf("hook on a queued job: %s", body)
	}

	e.Svc.Start(context.Background())
	defer e.Svc.Stop()
	e.WaitStatus(co.JobID, "completed", 10*time.Second)
	msg := e.Mail.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) > 0 && s.To[0].Address == "c@example.com" }, 5*time.Second)
	token := regexp.MustCompile(`/smi-download/([0-9a-f]{64})`).FindStringSubmatch(msg.Text)[1]

	resp, body = b.do("GET", "/v1/downloads/"+token, nil, "X-SMI-Client-IP", "198.51.100.7")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; filename=") || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	full := len(body)
	resp, body = b.do("GET", "/v1/downloads/"+token, nil, "Range", "bytes=10-19")
	if resp.StatusCode != 206 || len(body) != 10 || resp.Header.Get("Content-Range") != "bytes 10-19/"+strconv.Itoa(full) {
		t.Fatalf("range: %d %d %s", resp.StatusCode, len(body), resp.Header.Get("Content-Range"))
	}
	if got := e.Get(co.JobID).DownloadCount; got != 1 {
		t.Fatalf("a resumed range must not count as a new download: count %d", got)
	}
	// A HEAD sends no file, and a conditional GET gets the file, never a
	// bodiless 304: the count and the download log follow the bytes sent.
	if resp, body = b.do("HEAD", "/v1/downloads/"+token, nil); resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("HEAD: %d with %d bytes", resp.StatusCode, len(body))
	}
	if got := e.Get(co.JobID).DownloadCount; got != 1 {
		t.Fatalf("a HEAD counted as a download: count %d", got)
	}
	resp, body = b.do("GET", "/v1/downloads/"+token, nil, "If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if resp.StatusCode != 200 || len(body) != full {
		t.Fatalf("conditional GET: %d with %d bytes, want the %d-byte file", resp.StatusCode, len(body), full)
	}
	if got := e.Get(co.JobID).DownloadCount; got != 2 {
		t.Fatalf("the conditional GET that sent the file: count %d, want 2", got)
	}
	resp, body = b.do("GET", "/v1/downloads/"+strings.Repeat("ab", 32), nil)
	if resp.StatusCode != 404 || !bytes.Contains(body, []byte(`"reason":"unknown"`)) {
		t.Fatalf("unknown token: %d %s", resp.StatusCode, body)
	}
	e.Clock.Advance(25 * time.Hour)
	resp, body = b.do("GET", "/v1/downloads/"+token, nil)
	if resp.StatusCode != 410 || !bytes.Contains(body, []byte(`"reason":"expired"`)) {
		t.Fatalf("expired token: %d %s", resp.StatusCode, body)
	}
	// Upsampler callbacks need the job id in the URL.
	if resp, _ = b.do("POST", "/v1/webhooks/upsampler", strings.NewReader(`{"id":"x"}`)); resp.StatusCode != 400 {
		t.Fatalf("callback without job: %d", resp.StatusCode)
	}
}
