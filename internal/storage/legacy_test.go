package storage_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sellmyimages/smid/internal/storage"
)

// legacySite lays out a site as the original plugin left it: uploads with
// its files, and a secret beside uploads that no path may reach.
func legacySite(t *testing.T) (uploads, file, secret string) {
	t.Helper()
	site := t.TempDir()
	uploads = filepath.Join(site, "wp-content", "uploads")
	dir := filepath.Join(uploads, "sell-my-images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "smi_6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a_1753000000.png")
	if err := os.WriteFile(file, []byte("old plugin's png"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret = filepath.Join(site, "wp-config.php")
	if err := os.WriteFile(secret, []byte("<?php define('DB_PASSWORD', 'x');"), 0o600); err != nil {
		t.Fatal(err)
	}
	return uploads, file, secret
}

func TestLegacyServesOldAbsolutePathsUnderItsDir(t *testing.T) {
	t.Parallel()
	uploads, file, _ := legacySite(t)
	l, err := storage.OpenLegacy(uploads)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f, fi, err := l.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "old plugin's png" || fi.Size() != int64(len(b)) {
		t.Fatalf("read %q (%d bytes)", b, fi.Size())
	}
	// A config naming uploads through a symlink still matches the real
	// paths PHP recorded, and the other way round.
	link := filepath.Join(t.TempDir(), "uploads-link")
	if err := os.Symlink(uploads, link); err != nil {
		t.Fatal(err)
	}
	viaLink, err := storage.OpenLegacy(link)
	if err != nil {
		t.Fatal(err)
	}
	defer viaLink.Close()
	for _, p := range []string{file, filepath.Join(link, "sell-my-images", filepath.Base(file))} {
		f, _, err := viaLink.Open(p)
		if err != nil {
			t.Fatalf("Open(%q) through a linked dir: %v", p, err)
		}
		f.Close()
	}
	if _, _, err := l.Open(filepath.Join(filepath.Dir(file), "gone.png")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a missing old file: %v, want ErrNotFound", err)
	}
}

func TestLegacyRefusesEscapes(t *testing.T) {
	t.Parallel()
	uploads, file, secret := legacySite(t)
	dir := filepath.Dir(file)
	if err := os.Symlink(secret, filepath.Join(dir, "link.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(uploads), filepath.Join(dir, "up")); err != nil {
		t.Fatal(err)
	}
	l, err := storage.OpenLegacy(uploads)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, p := range []string{
		secret,                            // outside, absolute
		uploads + "/../wp-config.php",     // ".." in the path
		dir + "/../../wp-config.php",      // ".." climbing out
		dir + "/./" + filepath.Base(file), // not clean
		uploads + "-other/x.png",          // a sibling sharing the prefix
		uploads,                           // the directory itself
		dir,                               // a directory inside
		filepath.Join(dir, "link.png"),    // a symlink out
		filepath.Join(dir, "up", "wp-config.php"),
		"sell-my-images/" + filepath.Base(file), // relative: not an old path
		"/etc/passwd",
	} {
		f, _, err := l.Open(p)
		if err == nil {
			b, _ := io.ReadAll(f)
			f.Close()
			t.Errorf("Open(%q) served %q, want it refused", p, b)
		}
	}
	for _, p := range []string{secret, uploads + "/../wp-config.php", filepath.Join(dir, "up", "wp-config.php"), dir} {
		if err := l.Delete(p); err == nil {
			t.Errorf("Delete(%q) was allowed", p)
		}
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("the file outside was touched: %v", err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the directory was removed: %v", err)
	}
	if _, _, err := l.Open(secret); !errors.Is(err, storage.ErrInvalidPath) {
		t.Fatalf("Open(outside) = %v, want ErrInvalidPath", err)
	}
}

func TestWithLegacyRoutesByPath(t *testing.T) {
	t.Parallel()
	uploads, file, _ := legacySite(t)
	st, err := storage.New(storage.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := storage.OpenLegacy(uploads)
	if err != nil {
		t.Fatal(err)
	}
	w := storage.WithLegacy{Store: st, Legacy: l}
	defer w.Close()
	f, _, err := w.Open(file)
	if err != nil {
		t.Fatalf("old absolute path: %v", err)
	}
	f.Close()
	if err := w.Delete(file); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("old file kept after Delete: %v", err)
	}
	// Without a legacy dir, old paths are simply not there.
	none := storage.WithLegacy{Store: st}
	if _, _, err := none.Open(file); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no legacy dir: %v, want ErrNotFound", err)
	}
	if _, _, err := w.Open("../x.png"); !errors.Is(err, storage.ErrInvalidPath) {
		t.Fatalf("relative escape through the store: %v", err)
	}
}
