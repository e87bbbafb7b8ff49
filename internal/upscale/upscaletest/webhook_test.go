package upscaletest_test

import (
	"context"
	"encoding/json"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

func solidImage(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	return img
}

// receiver records webhook bodies, as the daemon's endpoint would get them.
type receiver struct {
	mu     sync.Mutex
	bodies []answer
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var a answer
		if err := json.Unmarshal(b, &a); err != nil {
			t.Error(err)
		}
		r.mu.Lock()
		r.bodies = append(r.bodies, a)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]answer(nil), r.bodies...)
}

func waitHooks(t *testing.T, fake *upscaletest.Server, n int) []upscaletest.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := fake.WaitWebhooks(ctx, n)
	if err != nil {
		t.Fatalf("waiting for %d webhooks: got %d", n, len(d))
	}
	return d
}

func TestWebhookOnFinish(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{ProcessingTime: time.Minute})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.fake.Tick()
	if n := len(b.fake.Webhooks()); n != 0 {
		t.Fatalf("%d webhooks before the job finished", n)
	}
	b.clock.Advance(time.Minute)
	b.fake.Tick()
	d := waitHooks(t, b.fake, 1)
	got := rec.got()
	if d[0].StatusCode != 200 || len(got) != 1 || got[0].ID != id || got[0].Status != "SUCCESS" ||
		got[0].ImageURL == "" || got[0].CompressedImageURL == "" || got[0].CreditCost != 1 {
		t.Fatalf("delivery %+v, received %+v", d[0], got)
	}
}

func TestWebhookFailedJob(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{FailJob: func(string) string { return "Failed to process image." }})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.fake.Tick()
	waitHooks(t, b.fake, 1)
	got := rec.got()
	if len(got) != 1 || got[0].ID != id || got[0].Status != "FAILED" || got[0].Error != "Failed to process image." {
		t.Fatalf("received %+v", got)
	}
	if s := b.status(id); s.Status != "FAILED" || s.Error == "" {
		t.Fatalf("status %+v", s)
	}
}

func TestWebhookTwice(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{Webhook: upscaletest.WebhookTwice})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.fake.Tick()
	waitHooks(t, b.fake, 2)
	if got := rec.got(); len(got) != 2 || got[0] != got[1] || got[0].ID != id {
		t.Fatalf("received %+v", got)
	}
}

func TestWebhookNever(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{Webhook: upscaletest.WebhookNever})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.clock.Advance(time.Hour)
	b.fake.Tick()
	if s := b.status(id); s.Status != "SUCCESS" {
		t.Fatalf("status %+v", s)
	}
	if n := len(b.fake.Webhooks()); n != 0 {
		t.Fatalf("%d webhooks sent", n)
	}
}

func TestWebhookEarly(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{Webhook: upscaletest.WebhookEarly, WebhookDelay: 30 * time.Second})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.fake.Tick()
	waitHooks(t, b.fake, 1)
	if got := rec.got(); len(got) != 1 || got[0].Status != "SUCCESS" {
		t.Fatalf("received %+v", got)
	}
	// The webhook says SUCCESS but a confirming status check disagrees.
	if s := b.status(id); s.Status != "IN_PROGRESS" {
		t.Fatalf("status right after the early webhook: %s", s.Status)
	}
	b.clock.Advance(30 * time.Second)
	if s := b.status(id); s.Status != "SUCCESS" {
		t.Fatalf("status later: %s", s.Status)
	}
}

func TestWebhookLate(t *testing.T) {
	t.Parallel()
	rec := newReceiver(t)
	b := setup(t, upscaletest.Options{Webhook: upscaletest.WebhookLate, WebhookDelay: 10 * time.Minute})
	id := b.submit("https://x.example/a.jpg", 2, rec.srv.URL).ID
	b.fake.Tick()
	if s := b.status(id); s.Status != "SUCCESS" {
		t.Fatalf("status %s", s.Status)
	}
	if n := len(b.fake.Webhooks()); n != 0 {
		t.Fatalf("webhook sent before its delay")
	}
	b.clock.Advance(10 * time.Minute)
	b.fake.Tick()
	waitHooks(t, b.fake, 1)
}

func TestWebhookUnreachableIsRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t, upscaletest.Options{})
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	b.submit("https://x.example/a.jpg", 2, dead.URL)
	d := waitHooks(t, b.fake, 1) // the background tick sends it
	if d[0].StatusCode != 0 || d[0].Err == "" {
		t.Fatalf("delivery %+v, want a recorded failure", d[0])
	}
}
