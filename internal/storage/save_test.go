package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/storage"
)

func TestSaveImages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, path string
		data                    []byte
		w, h                    int
	}{
		{"png", "image/png", "3f/" + jobID + ".png", pngBytes(t, 64, 48), 64, 48},
		{"jpeg", "image/jpeg", "3f/" + jobID + ".jpg", jpegBytes(t, 40, 30), 40, 30},
		{"webp", "image/webp", "3f/" + jobID + ".webp", webpBytes(300, 200), 300, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, storage.Config{})
			got, err := b.store.Save(context.Background(), jobID, 0, bytes.NewReader(tc.data))
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			sum := sha256.Sum256(tc.data)
			want := storage.Saved{
				Path: tc.path, Size: int64(len(tc.data)), ContentType: tc.contentType,
				Width: tc.w, Height: tc.h, SHA256: hex.EncodeToString(sum[:]),
			}
			if got != want {
				t.Fatalf("Save = %+v\nwant   %+v", got, want)
			}
			assertFiles(t, b.dir, tc.path)

			f, fi, err := b.store.Open(got.Path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer f.Close()
			back, _ := io.ReadAll(f)
			if !bytes.Equal(back, tc.data) || fi.Size() != want.Size {
				t.Fatalf("stored file differs: %d bytes back, size %d, want %d", len(back), fi.Size(), want.Size)
			}
		})
	}
}

func TestSaveUppercaseJobIDUsesOneName(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	got, err := b.store.Save(context.Background(), strings.ToUpper(jobID), 0, bytes.NewReader(pngBytes(t, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "3f/"+jobID+".png" {
		t.Fatalf("Path = %q, want the lowercase job id", got.Path)
	}
}

func TestSaveRejects(t *testing.T) {
	t.Parallel()
	png := pngBytes(t, 64, 64)
	tests := []struct {
		name string
		id   string
		max  int64
		data []byte
		want error
	}{
		{"text", jobID, 0, []byte("hello, I am not a picture\n"), storage.ErrUnsupportedType},
		{"html", jobID, 0, []byte("<html><script>alert(1)</script></html>"), storage.ErrUnsupportedType},
		{"empty", jobID, 0, nil, storage.ErrUnsupportedType},
		{"gif", jobID, 0, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), storage.ErrUnsupportedType},
		{"png magic, broken header", jobID, 0, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600)...), storage.ErrUnsupportedType},
		{"over the limit", jobID, int64(len(png) - 1), png, storage.ErrTooLarge},
		{"limit under 512 bytes", jobID, 100, png, storage.ErrTooLarge},
		{"path in job id", "../../../../etc/passwd-aaaaaaaaaaaaaaa", 0, png, storage.ErrInvalidJobID},
		{"slash in job id", "3f2a9c1e/7b4d-4e8a-9f00-1c2d3e4f5a6b", 0, png, storage.ErrInvalidJobID},
		{"not hex", "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6z", 0, png, storage.ErrInvalidJobID},
		{"empty job id", "", 0, png, storage.ErrInvalidJobID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, storage.Config{MaxFileBytes: tc.max})
			_, err := b.store.Save(context.Background(), tc.id, 0, bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Save error = %v, want %v", err, tc.want)
			}
			assertFiles(t, b.dir) // the temp file is gone too
		})
	}
}

func TestSaveExactlyAtLimit(t *testing.T) {
	t.Parallel()
	data := pngBytes(t, 32, 32)
	b := setup(t, storage.Config{MaxFileBytes: int64(len(data))})
	if _, err := b.store.Save(context.Background(), jobID, 0, bytes.NewReader(data)); err != nil {
		t.Fatalf("Save of a file exactly at the limit: %v", err)
	}
}

// failingReader hands out good bytes, then breaks like a dropped download.
type failingReader struct {
	r     io.Reader
	after int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), f.after)]
	n, err := f.r.Read(p)
	f.after -= n
	return n, err
}

func TestSaveFailureMidStreamKeepsOldFile(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	first := pngBytes(t, 8, 8)
	saved, err := b.store.Save(context.Background(), jobID, 0, bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}

	second := pngBytes(t, 256, 256)
	_, err = b.store.Save(context.Background(), jobID, 0, &failingReader{r: bytes.NewReader(second), after: len(second) / 2})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("Save with a broken reader = %v, want the read error", err)
	}
	assertFiles(t, b.dir, saved.Path)
	f, _, err := b.store.Open(saved.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := io.ReadAll(f); !bytes.Equal(got, first) {
		t.Fatalf("final path holds %d bytes, want the first file's %d untouched", len(got), len(first))
	}
}

func TestSaveFailureMidStreamLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	data := pngBytes(t, 256, 256)
	_, err := b.store.Save(context.Background(), jobID, 0, &failingReader{r: bytes.NewReader(data), after: len(data) / 2})
	if err == nil {
		t.Fatal("Save with a broken reader succeeded")
	}
	assertFiles(t, b.dir)
}

func TestSaveCanceled(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pngBytes(t, 4, 4)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Save with a canceled context = %v, want context.Canceled", err)
	}
	assertFiles(t, b.dir)
}
