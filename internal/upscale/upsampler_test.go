package upscale_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

func TestUpsamplerSubmitStatusFetch(t *testing.T) {
	t.Parallel()
	site := serveFiles(t, map[string][]byte{"/photo.png": pngBytes(t, gradient(300, 200))})
	fake := newFake(t, upscaletest.Options{})
	u := newUpsampler(t, fake, func(c *upscale.UpsamplerConfig) { c.InputImageType = "realism" })
	ctx := context.Background()

	sub, err := u.Submit(ctx, site.URL+"/photo.png", 4, "https://shop.example/hook")
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID == "" || sub.Status != upscale.StatusQueued || sub.CreditCost != 1 {
		t.Fatalf("submission = %+v, want an ID, IN_QUEUE, 1 credit", sub)
	}
	job, ok := fake.Job(sub.ID)
	if !ok || job.InputImageType != "realism" || job.Factor != 4 || job.Webhook != "https://shop.example/hook" {
		t.Fatalf("fake saw %+v", job)
	}

	res, err := u.Status(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != upscale.StatusSuccess || res.ImageURL == "" || res.ID != sub.ID {
		t.Fatalf("result = %+v, want SUCCESS with an image URL", res)
	}
	body, n, err := u.Fetch(ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, _ := io.ReadAll(body)
	if n != int64(len(data)) {
		t.Errorf("length = %d, read %d bytes", n, len(data))
	}
	if w, h := decodeSize(t, data); w != 1200 || h != 800 {
		t.Fatalf("result is %d×%d, want 1200×800", w, h)
	}
}

func TestUpsamplerSubmitOmitsEmptyWebhook(t *testing.T) {
	t.Parallel()
	var got map[string]any
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		io.WriteString(w, `{"id":"abc","status":"IN_QUEUE","creditCost":2}`)
	}))
	defer srv.Close()
	u, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: srv.URL + "/", APIKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 8, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["webhook"]; ok {
		t.Errorf("request has a webhook key: %v", got)
	}
	input, _ := got["input"].(map[string]any)
	if input["imageUrl"] != "https://shop.example/a.jpg" || input["upscaleFactor"] != 8.0 || input["inputImageType"] != "universal" {
		t.Errorf("input = %v", input)
	}
	if auth != "Bearer k1" {
		t.Errorf("Authorization = %q", auth)
	}
}

func TestUpsamplerSubmitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reply      upscaletest.Reply
		kind       upscale.Kind
		msg        string
		status     int
		retryAfter time.Duration
	}{
		{"error as string", upscaletest.Reply{Status: 400, Body: `{"error":"Image is too small"}`},
			upscale.Permanent, "Image is too small", 400, 0},
		{"error as object", upscaletest.ErrorObject(422, "Unsupported image format"),
			upscale.Permanent, "Unsupported image format", 422, 0},
		{"rate limited", upscaletest.RateLimited(7 * time.Second),
			upscale.Transient, "Rate limit", 429, 7 * time.Second},
		{"server error", upscaletest.ServerError(), upscale.Transient, "Internal server error", 500, 0},
		{"html gateway error", upscaletest.Reply{Status: 502, Body: "<html><body>Bad Gateway</body></html>"},
			upscale.Transient, "Bad Gateway", 502, 0},
		{"unauthorized", upscaletest.Unauthorized(), upscale.Permanent, "Invalid API key", 401, 0},
		{"forbidden", upscaletest.Reply{Status: 403, Body: `{"error":"Forbidden"}`}, upscale.Permanent, "Forbidden", 403, 0},
		{"insufficient credits", upscaletest.InsufficientCredits(), upscale.Permanent, "Insufficient credits", 402, 0},
		{"insufficient credits behind a 500", upscaletest.Reply{Status: 500, Body: `{"error":{"message":"Insufficient credits"}}`},
			upscale.Permanent, "Insufficient credits", 500, 0},
		{"200 but FAILED", upscaletest.FailedOnSubmit("Image could not be downloaded"),
			upscale.Permanent, "Image could not be downloaded", 200, 0},
		{"200 but not JSON", upscaletest.Reply{Status: 200, Body: "<html>maintenance</html>"},
			upscale.Permanent, "not the JSON", 200, 0},
		{"200 without id", upscaletest.Reply{Status: 200, Body: `{"jobId":"x","status":"IN_QUEUE"}`},
			upscale.Permanent, "no job ID", 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, upscaletest.Options{ImageSize: upscaletest.FixedSize(10, 10)})
			fake.ScriptSubmit(tt.reply)
			_, err := newUpsampler(t, fake, nil).Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
			var e *upscale.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *upscale.Error", err)
			}
			if e.Kind != tt.kind || e.HTTPStatus != tt.status || e.RetryAfter != tt.retryAfter {
				t.Errorf("got kind %s, status %d, retry-after %s; want %s, %d, %s",
					e.Kind, e.HTTPStatus, e.RetryAfter, tt.kind, tt.status, tt.retryAfter)
			}
			if upscale.IsTransient(err) != (tt.kind == upscale.Transient) {
				t.Errorf("IsTransient = %v for kind %s", upscale.IsTransient(err), tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), fake.APIKey()) {
				t.Errorf("err %q contains the API key", err)
			}
		})
	}
}

func TestUpsamplerWrongKeyIsPermanentAndHidden(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{})
	const key = "sk-live-not-the-right-one"
	u := newUpsampler(t, fake, func(c *upscale.UpsamplerConfig) { c.APIKey = key })
	_, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
	if err == nil || upscale.IsTransient(err) {
		t.Fatalf("err = %v, want a permanent error", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Fatalf("err %q contains the API key", err)
	}
	if fake.Submissions() != 0 {
		t.Fatalf("fake accepted %d jobs", fake.Submissions())
	}
}

func TestUpsamplerRedactsEchoedKey(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{})
	fake.ScriptSubmit(upscaletest.Reply{Status: 400, Body: `{"error":"bad header: Bearer ` + fake.APIKey() + `"}`})
	_, err := newUpsampler(t, fake, nil).Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
	if err == nil || strings.Contains(err.Error(), fake.APIKey()) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("err = %v, want the key redacted", err)
	}
}

func TestUpsamplerRetryAfterDate(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake := newFake(t, upscaletest.Options{})
	fake.ScriptSubmit(upscaletest.Reply{Status: 429, RetryAfter: clk.Now().Add(90 * time.Second).Format(http.TimeFormat)})
	u := newUpsampler(t, fake, func(c *upscale.UpsamplerConfig) { c.Now = clk.Now })
	_, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
	var e *upscale.Error
	if !errors.As(err, &e) || e.RetryAfter != 90*time.Second || e.Kind != upscale.Transient {
		t.Fatalf("err = %#v, want transient with RetryAfter 90s", err)
	}
}

func TestUpsamplerUnreachableIsTransient(t *testing.T) {
	t.Parallel()
	fake := upscaletest.New(upscaletest.Options{})
	u := newUpsampler(t, fake, nil)
	fake.Close()
	_, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
	if err == nil || !upscale.IsTransient(err) {
		t.Fatalf("err = %v, want transient", err)
	}
	_, err = u.Status(context.Background(), "some-id")
	if err == nil || !upscale.IsTransient(err) {
		t.Fatalf("status err = %v, want transient", err)
	}
}

func TestUpsamplerTimeoutIsTransient(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{ImageSize: upscaletest.FixedSize(10, 10)})
	fake.ScriptSubmit(upscaletest.Slow(5 * time.Second))
	u := newUpsampler(t, fake, func(c *upscale.UpsamplerConfig) { c.Timeout = 100 * time.Millisecond })
	start := time.Now()
	_, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 4, "")
	if err == nil || !upscale.IsTransient(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a transient deadline error", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("timeout took %s", time.Since(start))
	}
}

func TestUpsamplerStatusErrors(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{})
	u := newUpsampler(t, fake, nil)
	ctx := context.Background()

	_, err := u.Status(ctx, "no-such-job")
	if err == nil || upscale.IsTransient(err) {
		t.Errorf("unknown job: err = %v, want permanent", err)
	}
	fake.ScriptStatus(upscaletest.ServerError())
	_, err = u.Status(ctx, "whatever")
	if err == nil || !upscale.IsTransient(err) {
		t.Errorf("500: err = %v, want transient", err)
	}
	// An ID is a path segment; a hostile one must not reach another route.
	_, err = u.Status(ctx, "../precise-upscale")
	if err == nil || upscale.IsTransient(err) {
		t.Errorf("odd ID: err = %v, want a permanent not-found", err)
	}
}

func TestUpsamplerFailedJob(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{
		ImageSize: upscaletest.FixedSize(10, 10),
		FailJob:   func(string) string { return "Failed to process image. Your credits have been refunded." },
	})
	u := newUpsampler(t, fake, nil)
	sub, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 2, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.Status(context.Background(), sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != upscale.StatusFailed || !strings.Contains(res.Error, "refunded") || res.CreditCost != 0 {
		t.Fatalf("result = %+v, want FAILED with the message and no cost", res)
	}
	if _, _, err := u.Fetch(context.Background(), res); err == nil || upscale.IsTransient(err) {
		t.Fatalf("fetch of a failed job: err = %v, want permanent", err)
	}
}

func TestNewUpsamplerValidates(t *testing.T) {
	t.Parallel()
	for _, cfg := range []upscale.UpsamplerConfig{
		{},
		{APIKey: "k", BaseURL: "ftp://x"},
		{APIKey: "k", BaseURL: "not a url"},
		{APIKey: "k\r\nX-Evil: 1"},
		{APIKey: "k", InputImageType: "photo"},
	} {
		if _, err := upscale.NewUpsampler(cfg); err == nil {
			t.Errorf("NewUpsampler(%+v) succeeded", cfg)
		}
	}
}
