package upscaletest_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// newClock is the settable clock the fake and the client share.
func newClock() *pipelinetest.Clock {
	return pipelinetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

type answer struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	ImageURL           string `json:"imageUrl"`
	CompressedImageURL string `json:"compressedImageUrl"`
	CreditCost         int    `json:"creditCost"`
	Error              string `json:"error"`
}

// bundle is a fake plus a raw client for it.
type bundle struct {
	t     *testing.T
	fake  *upscaletest.Server
	clock *pipelinetest.Clock
}

func setup(t *testing.T, opts upscaletest.Options) *bundle {
	t.Helper()
	c := newClock()
	opts.Now = c.Now
	if opts.ImageSize == nil {
		opts.ImageSize = upscaletest.FixedSize(500, 400)
	}
	fake := upscaletest.New(opts)
	t.Cleanup(fake.Close)
	return &bundle{t: t, fake: fake, clock: c}
}

func (b *bundle) do(method, path, key, body string) (int, http.Header, answer) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.fake.URL()+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, a
}

func submitBody(imageURL string, factor float64, webhook string) string {
	b, _ := json.Marshal(map[string]any{
		"webhook": webhook,
		"input":   map[string]any{"imageUrl": imageURL, "upscaleFactor": factor, "inputImageType": "universal"},
	})
	return string(b)
}

func (b *bundle) submit(imageURL string, factor float64, webhook string) answer {
	b.t.Helper()
	code, _, a := b.do("POST", "/precise-upscale", b.fake.APIKey(), submitBody(imageURL, factor, webhook))
	if code != http.StatusOK || a.ID == "" || a.Status != "IN_QUEUE" {
		b.t.Fatalf("submit = %d %+v", code, a)
	}
	return a
}

func (b *bundle) status(id string) answer {
	b.t.Helper()
	code, _, a := b.do("GET", "/status/"+id, b.fake.APIKey(), "")
	if code != http.StatusOK {
		b.t.Fatalf("status = %d %+v", code, a)
	}
	return a
}

func TestJobProgressesWithTheClock(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{QueueTime: time.Minute, ProcessingTime: 2 * time.Minute})
	id := b.submit("https://shop.example/a.jpg", 4, "").ID
	steps := []struct {
		advance time.Duration
		want    string
	}{{0, "IN_QUEUE"}, {time.Minute, "IN_PROGRESS"}, {time.Minute, "IN_PROGRESS"}, {time.Minute, "SUCCESS"}}
	for _, s := range steps {
		b.clock.Advance(s.advance)
		if got := b.status(id); got.Status != s.want {
			t.Fatalf("after +%s: status %s, want %s", s.advance, got.Status, s.want)
		}
	}
	if b.fake.Submissions() != 1 || b.fake.SubmissionsFor("https://shop.example/a.jpg") != 1 || b.fake.StatusChecks() != 4 {
		t.Fatalf("counters: %d submissions, %d status checks", b.fake.Submissions(), b.fake.StatusChecks())
	}
}

func TestCreditsAndResultImage(t *testing.T) {
	t.Parallel()
	// Serve a real image so the default ImageSize, which fetches, is used.
	var src bytes.Buffer
	png.Encode(&src, solidImage(250, 100))
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(src.Bytes()) }))
	defer site.Close()
	c := newClock()
	fake := upscaletest.New(upscaletest.Options{Now: c.Now})
	defer fake.Close()
	b := &bundle{t: t, fake: fake, clock: c}

	sub := b.submit(site.URL+"/a.png", 16, "") // 4000×1600 = 6.4 MP → 2 credits
	if sub.CreditCost != 2 {
		t.Errorf("credit cost = %d, want 2", sub.CreditCost)
	}
	res := b.status(sub.ID)
	resp, err := http.Get(res.ImageURL) // no key: result URLs are pre-signed
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.DecodeConfig(resp.Body)
	resp.Body.Close()
	if err != nil || img.Width != 4000 || img.Height != 1600 {
		t.Fatalf("result = %+v, %v; want a 4000×1600 PNG", img, err)
	}
	if res.CompressedImageURL == "" {
		t.Error("no compressedImageUrl")
	}

	c.Advance(3*time.Hour + time.Second)
	resp, err = http.Get(res.ImageURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("expired result answered %d, want 403", resp.StatusCode)
	}
}

func TestCredits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ w, h, want int }{
		{100, 100, 1}, {2000, 2000, 1}, {2000, 2001, 2}, {8000, 6000, 12},
	} {
		if got := upscaletest.Credits(tt.w, tt.h); got != tt.want {
			t.Errorf("Credits(%d, %d) = %d, want %d", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestRequestsAreChecked(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{})
	key := b.fake.APIKey()
	tests := []struct {
		name, method, path, key, body string
		want                          int
	}{
		{"no key", "POST", "/precise-upscale", "", submitBody("https://x.example/a.jpg", 4, ""), 401},
		{"wrong key", "POST", "/precise-upscale", "nope", submitBody("https://x.example/a.jpg", 4, ""), 401},
		{"status without key", "GET", "/status/x", "", "", 401},
		{"factor too big", "POST", "/precise-upscale", key, submitBody("https://x.example/a.jpg", 17, ""), 400},
		{"factor too small", "POST", "/precise-upscale", key, submitBody("https://x.example/a.jpg", 0.5, ""), 400},
		{"no image", "POST", "/precise-upscale", key, submitBody("", 4, ""), 400},
		{"bad webhook", "POST", "/precise-upscale", key, submitBody("https://x.example/a.jpg", 4, "ftp://x"), 400},
		{"bad type", "POST", "/precise-upscale", key, `{"input":{"imageUrl":"https://x.example/a.jpg","upscaleFactor":2,"inputImageType":"photo"}}`, 400},
		{"not json", "POST", "/precise-upscale", key, "hello", 400},
		{"too big", "POST", "/precise-upscale", key, submitBody("https://x.example/a.jpg", 16, ""), 400}, // 8000×6400 > 50 MP
		{"unknown job", "GET", "/status/nope", key, "", 404},
	}
	for _, tt := range tests {
		code, _, a := b.do(tt.method, tt.path, tt.key, tt.body)
		if code != tt.want || a.Error == "" {
			t.Errorf("%s: got %d %+v, want %d with an error", tt.name, code, a, tt.want)
		}
	}
	if b.fake.Submissions() != 0 {
		t.Errorf("%d submissions accepted", b.fake.Submissions())
	}
}

func TestScriptedReplies(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{})
	b.fake.ScriptSubmit(upscaletest.RateLimited(30*time.Second), upscaletest.InsufficientCredits())
	body := submitBody("https://x.example/a.jpg", 2, "")
	if code, h, _ := b.do("POST", "/precise-upscale", b.fake.APIKey(), body); code != 429 || h.Get("Retry-After") != "30" {
		t.Fatalf("first: %d Retry-After %q", code, h.Get("Retry-After"))
	}
	if code, _, a := b.do("POST", "/precise-upscale", b.fake.APIKey(), body); code != 402 || !strings.Contains(a.Error, "Insufficient credits") {
		t.Fatalf("second: %d %+v", code, a)
	}
	b.submit("https://x.example/a.jpg", 2, "") // script used up: normal again
	if b.fake.SubmitAttempts() != 3 || b.fake.Submissions() != 1 {
		t.Fatalf("attempts %d, submissions %d", b.fake.SubmitAttempts(), b.fake.Submissions())
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{EnforceRateLimits: true})
	for range upscaletest.SubmitsPerMinute {
		b.submit("https://x.example/a.jpg", 2, "")
		b.clock.Advance(100 * time.Millisecond)
	}
	code, h, _ := b.do("POST", "/precise-upscale", b.fake.APIKey(), submitBody("https://x.example/a.jpg", 2, ""))
	if code != 429 || h.Get("Retry-After") != "51" { // the first of the 90 leaves the window at +60s
		t.Fatalf("91st submission: %d Retry-After %q, want 429 and 51", code, h.Get("Retry-After"))
	}
	b.clock.Advance(51 * time.Second)
	b.submit("https://x.example/a.jpg", 2, "")

	for range upscaletest.StatusPerMinute {
		b.do("GET", "/status/nope", b.fake.APIKey(), "")
	}
	if code, _, _ := b.do("GET", "/status/nope", b.fake.APIKey(), ""); code != 429 {
		t.Fatalf("241st status check: %d, want 429", code)
	}
	if b.fake.RateLimited() != 2 {
		t.Fatalf("RateLimited = %d, want 2", b.fake.RateLimited())
	}
}

func TestSlowReply(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{})
	b.fake.ScriptStatus(upscaletest.Slow(200 * time.Millisecond))
	id := b.submit("https://x.example/a.jpg", 2, "").ID
	start := time.Now()
	if a := b.status(id); a.Status != "SUCCESS" {
		t.Fatalf("status %+v", a)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("slow reply was not slow")
	}
}
