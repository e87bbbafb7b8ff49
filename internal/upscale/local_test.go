package upscale_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/sellmyimages/smid/internal/upscale"
)

func newLocal(t *testing.T, mod func(*upscale.LocalConfig)) *upscale.Local {
	t.Helper()
	cfg := upscale.LocalConfig{HTTPClient: testPolicy.Client(10 * time.Second), OutDir: t.TempDir()}
	if mod != nil {
		mod(&cfg)
	}
	l, err := upscale.NewLocal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLocalUpscalesEachFormat(t *testing.T) {
	t.Parallel()
	gopher, err := os.ReadFile("testdata/gopher.webp")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := webp.DecodeConfig(bytes.NewReader(gopher))
	if err != nil {
		t.Fatal(err)
	}
	site := serveFiles(t, map[string][]byte{
		"/a.png":  pngBytes(t, gradient(30, 20)),
		"/b.jpg":  jpegBytes(t, gradient(17, 9)),
		"/c.webp": gopher,
	})
	tests := []struct {
		path         string
		factor, w, h int
	}{
		{"/a.png", 4, 120, 80},
		{"/b.jpg", 2, 34, 18},
		{"/c.webp", 3, cfg.Width * 3, cfg.Height * 3},
		{"/a.png", 1, 30, 20},
		{"/a.png", 16, 480, 320},
	}
	l := newLocal(t, nil)
	ctx := context.Background()
	for _, tt := range tests {
		sub, err := l.Submit(ctx, site.URL+tt.path, tt.factor, "ignored")
		if err != nil {
			t.Fatalf("%s ×%d: %v", tt.path, tt.factor, err)
		}
		if sub.Status != upscale.StatusSuccess || sub.CreditCost != 0 || sub.ID == "" {
			t.Fatalf("%s: submission = %+v", tt.path, sub)
		}
		res, err := l.Status(ctx, sub.ID)
		if err != nil || res.Status != upscale.StatusSuccess || !strings.HasPrefix(res.ImageURL, "file://") {
			t.Fatalf("%s: status = %+v, %v", tt.path, res, err)
		}
		body, n, err := l.Fetch(ctx, res)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(body)
		body.Close()
		if n != int64(len(data)) {
			t.Errorf("%s: length %d, read %d", tt.path, n, len(data))
		}
		if w, h := decodeSize(t, data); w != tt.w || h != tt.h {
			t.Errorf("%s ×%d: got %d×%d, want %d×%d", tt.path, tt.factor, w, h, tt.w, tt.h)
		}
	}
}

func TestLocalKeepsDetail(t *testing.T) {
	t.Parallel()
	// A resampler that returned a blank canvas of the right size would pass
	// the size checks; the corners of a gradient must stay apart.
	site := serveFiles(t, map[string][]byte{"/a.png": pngBytes(t, gradient(16, 16))})
	l := newLocal(t, nil)
	sub, err := l.Submit(context.Background(), site.URL+"/a.png", 4, "")
	if err != nil {
		t.Fatal(err)
	}
	body, _, err := l.Fetch(context.Background(), upscale.Result{ID: sub.ID})
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	img, err := png.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	r0, g0, _, _ := img.At(0, 0).RGBA()
	r1, g1, _, _ := img.At(63, 63).RGBA()
	if r1-r0 < 0xc000 || g1-g0 < 0xc000 {
		t.Fatalf("corners (%x,%x) and (%x,%x) are too alike", r0, g0, r1, g1)
	}
}

func TestLocalRefuses(t *testing.T) {
	t.Parallel()
	var big bytes.Buffer
	if err := png.Encode(&big, image.NewGray(image.Rect(0, 0, 2000, 2000))); err != nil {
		t.Fatal(err)
	}
	site := serveFiles(t, map[string][]byte{
		"/text.jpg":  []byte("<html>not an image</html>"),
		"/trunc.png": pngBytes(t, gradient(40, 40))[:60],
		"/big.png":   big.Bytes(),
		"/a.png":     pngBytes(t, gradient(30, 20)),
	})
	tests := []struct {
		name   string
		local  *upscale.Local
		url    string
		factor int
		msg    string
	}{
		{"not an image", newLocal(t, nil), site.URL + "/text.jpg", 2, "not a PNG, JPEG or WebP"},
		{"truncated image", newLocal(t, nil), site.URL + "/trunc.png", 2, "could not be decoded"},
		{"over 50 MP", newLocal(t, nil), site.URL + "/big.png", 4, "50000000-pixel limit"},
		{"missing source", newLocal(t, nil), site.URL + "/gone.png", 2, "Not Found"},
		{"factor too big", newLocal(t, nil), site.URL + "/a.png", 17, "between 1 and 16"},
		{"factor zero", newLocal(t, nil), site.URL + "/a.png", 0, "between 1 and 16"},
		{"input too large", newLocal(t, func(c *upscale.LocalConfig) { c.MaxInputBytes = 100 }), site.URL + "/a.png", 2, "larger than 100 bytes"},
		{"private source by default", newLocal(t, func(c *upscale.LocalConfig) { c.HTTPClient = nil }), site.URL + "/a.png", 2, "loopback"},
	}
	for _, tt := range tests {
		_, err := tt.local.Submit(context.Background(), tt.url, tt.factor, "")
		if err == nil || upscale.IsTransient(err) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v, want permanent error containing %q", tt.name, err, tt.msg)
		}
	}
}

func TestLocalUnknownIDs(t *testing.T) {
	t.Parallel()
	l := newLocal(t, nil)
	for _, id := range []string{
		"", "../../etc/passwd", "0b7c3c4e-6a8f-4a53-9d3e-2f5c9f1e8a77", // well-formed but never made
		"0B7C3C4E-6A8F-4A53-9D3E-2F5C9F1E8A77", "urn:uuid:0b7c3c4e-6a8f-4a53-9d3e-2f5c9f1e8a77",
	} {
		if _, err := l.Status(context.Background(), id); err == nil || upscale.IsTransient(err) {
			t.Errorf("Status(%q): err = %v, want permanent", id, err)
		}
		if _, _, err := l.Fetch(context.Background(), upscale.Result{ID: id}); err == nil || upscale.IsTransient(err) {
			t.Errorf("Fetch(%q): err = %v, want permanent", id, err)
		}
	}
}

func TestNewLocalNeedsOutDir(t *testing.T) {
	t.Parallel()
	if _, err := upscale.NewLocal(upscale.LocalConfig{}); err == nil {
		t.Fatal("NewLocal without OutDir succeeded")
	}
}
