package upscale_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

func finishedJob(t *testing.T, fake *upscaletest.Server, u *upscale.Upsampler) upscale.Result {
	t.Helper()
	sub, err := u.Submit(context.Background(), "https://shop.example/a.jpg", 3, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.Status(context.Background(), sub.ID)
	if err != nil || res.Status != upscale.StatusSuccess {
		t.Fatalf("status = %+v, %v", res, err)
	}
	return res
}

func TestUpsamplerFetchRefusesPrivateByDefault(t *testing.T) {
	t.Parallel()
	fake := newFake(t, upscaletest.Options{ImageSize: upscaletest.FixedSize(10, 10)})
	// No FetchClient: the default guards against private addresses, and
	// the fake lives on 127.0.0.1.
	u := newUpsampler(t, fake, func(c *upscale.UpsamplerConfig) { c.FetchClient = nil })
	_, _, err := u.Fetch(context.Background(), finishedJob(t, fake, u))
	if err == nil || upscale.IsTransient(err) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a permanent loopback refusal", err)
	}
}

func TestUpsamplerFetchExpiredResult(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake := newFake(t, upscaletest.Options{Now: clk.Now, ImageSize: upscaletest.FixedSize(10, 10)})
	u := newUpsampler(t, fake, nil)
	res := finishedJob(t, fake, u)
	clk.Advance(4 * time.Hour)
	_, _, err := u.Fetch(context.Background(), res)
	if err == nil || upscale.IsTransient(err) {
		t.Fatalf("err = %v, want a permanent error for an expired URL", err)
	}
}

func TestUpsamplerFetchTinyResult(t *testing.T) {
	t.Parallel()
	// Load tests price big jobs without moving big files.
	fake := newFake(t, upscaletest.Options{ImageSize: upscaletest.FixedSize(2000, 1500), TinyResults: true})
	u := newUpsampler(t, fake, nil)
	res := finishedJob(t, fake, u)
	if res.CreditCost != 7 { // 6000×4500 = 27 MP at 0.25 a megapixel, rounded up
		t.Errorf("credit cost = %d, want 7", res.CreditCost)
	}
	body, _, err := u.Fetch(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, _ := io.ReadAll(body)
	if w, h := decodeSize(t, data); w != 1 || h != 1 {
		t.Fatalf("tiny result is %d×%d", w, h)
	}
}
