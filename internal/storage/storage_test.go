package storage_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sellmyimages/smid/internal/storage"
)

const jobID = "3f2a9c1e-7b4d-4e8a-9f00-1c2d3e4f5a6b"

type bundle struct {
	dir   string
	store *storage.Store
}

func setup(t *testing.T, cfg storage.Config) bundle {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "files")
	}
	s, err := storage.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return bundle{dir: cfg.Dir, store: s}
}

// files lists every regular file under dir, relative and slash-separated, so
// a test can tell that nothing was left behind.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := files(t, dir)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("files in store = %q, want %q", got, want)
	}
}

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8(x ^ y), 255})
		}
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpBytes builds a lossless WebP header by hand: the standard library has
// no WebP encoder, and Save only ever reads the header.
func webpBytes(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	vp8l := []byte{0x2f, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(vp8l[1:], bits)
	vp8l = append(vp8l, make([]byte, 64)...) // stand-in pixel data
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(4+8+len(vp8l)))
	b.WriteString("WEBPVP8L")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(vp8l)))
	b.Write(vp8l)
	return b.Bytes()
}

func TestNewCreatesDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "b")
	b := setup(t, storage.Config{Dir: dir})
	fi, err := os.Stat(b.dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o027 != 0 {
		t.Fatalf("dir mode = %v, want a directory no wider than 0750", fi.Mode())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []storage.Config{
		{Dir: ""},
		{Dir: "  "},
		{Dir: t.TempDir(), MaxFileBytes: -1},
	} {
		if s, err := storage.New(cfg); err == nil {
			_ = s.Close()
			t.Errorf("New(%+v) succeeded, want an error", cfg)
		}
	}
}
