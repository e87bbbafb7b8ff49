package upscale_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/netguard"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// newClock is the settable clock the fake and the client share.
func newClock() *pipelinetest.Clock {
	return pipelinetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// serveFiles serves fixed bodies by path, standing in for a WordPress site.
func serveFiles(t *testing.T, files map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// gradient is a w×h image with some detail, so resampling has work to do.
func gradient(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 128, 255})
		}
	}
	return img
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newFake(t *testing.T, opts upscaletest.Options) *upscaletest.Server {
	t.Helper()
	fake := upscaletest.New(opts)
	t.Cleanup(fake.Close)
	return fake
}

// testPolicy reaches 127.0.0.1, where every test server lives.
var testPolicy = netguard.Policy{AllowPrivate: true}

func newUpsampler(t *testing.T, fake *upscaletest.Server, mod func(*upscale.UpsamplerConfig)) *upscale.Upsampler {
	t.Helper()
	cfg := upscale.UpsamplerConfig{
		BaseURL:     fake.URL(),
		APIKey:      fake.APIKey(),
		Timeout:     5 * time.Second,
		FetchClient: testPolicy.Client(10 * time.Second),
	}
	if mod != nil {
		mod(&cfg)
	}
	u, err := upscale.NewUpsampler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// decodeSize reads the dimensions of a PNG stream.
func decodeSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("result is not a PNG: %v", err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}
