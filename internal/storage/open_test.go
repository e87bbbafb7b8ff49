package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sellmyimages/smid/internal/storage"
)

func TestOpenRefusesPathsOutsideStore(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	outside := filepath.Join(filepath.Dir(b.dir), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(b.dir, "link.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(b.dir), filepath.Join(b.dir, "up")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{
		"../secret.txt", "a/../../secret.txt", outside, "/etc/passwd", "", ".",
		"link.png", "up/secret.txt",
	} {
		f, _, err := b.store.Open(rel)
		if err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded, want it refused", rel)
		}
	}
	for _, rel := range []string{"../secret.txt", outside, ""} {
		if _, _, err := b.store.Open(rel); !errors.Is(err, storage.ErrInvalidPath) {
			t.Errorf("Open(%q) = %v, want ErrInvalidPath", rel, err)
		}
		if err := b.store.Delete(rel); !errors.Is(err, storage.ErrInvalidPath) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidPath", rel, err)
		}
	}
	if err := b.store.Delete("up/secret.txt"); err == nil {
		t.Error("Delete through a symlink out of the store succeeded")
	}
	if _, err := os.Stat(outside); err != nil {
		t.Fatalf("file outside the store was touched: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	for _, rel := range []string{"3f/" + jobID + ".png", "nope"} {
		if _, _, err := b.store.Open(rel); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", rel, err)
		}
	}
}

func TestOpenRefusesDirectory(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	saved, err := b.store.Save(context.Background(), jobID, 0, bytes.NewReader(pngBytes(t, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	shard := filepath.Dir(saved.Path)
	if _, _, err := b.store.Open(shard); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Open(%q) = %v, want ErrNotFound for a directory", shard, err)
	}
	if err := b.store.Delete(shard); !errors.Is(err, storage.ErrInvalidPath) {
		t.Errorf("Delete(%q) = %v, want ErrInvalidPath for a directory", shard, err)
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t, storage.Config{})
	saved, err := b.store.Save(context.Background(), jobID, 0, bytes.NewReader(pngBytes(t, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := b.store.Delete(saved.Path); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if _, _, err := b.store.Open(saved.Path); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Open after Delete = %v, want ErrNotFound", err)
	}
	assertFiles(t, b.dir)
}
