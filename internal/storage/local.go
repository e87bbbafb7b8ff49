package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"time"
)

// local keeps files in the directory the store's root is open on.
type local struct {
	root *os.Root
}

// put renames the checked temp file into place; the rename is atomic, so a
// reader never sees a partial file at the final path.
func (l local) put(_ context.Context, tmp string, f *os.File, key string, _ Saved) error {
	if err := f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	dir := path.Dir(key)
	if err := l.root.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := l.root.Rename(tmp, key); err != nil {
		return err
	}
	// The rename is durable only once the directory entry is on disk too.
	d, err := l.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (l local) open(rel string) (File, os.FileInfo, error) {
	f, err := l.root.Open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, rel)
		}
		return nil, nil, fmt.Errorf("storage: open %s: %w", rel, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("storage: stat %s: %w", rel, err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%w: %s is not a file", ErrNotFound, rel)
	}
	return f, fi, nil
}

func (l local) remove(rel string) error {
	fi, err := l.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && fi.IsDir() {
		// Shard directories are the store's own; only files are deleted.
		return fmt.Errorf("%w: %s is a directory", ErrInvalidPath, rel)
	}
	err = l.root.Remove(rel)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete %s: %w", rel, err)
	}
	return nil
}

// link is empty: the daemon streams local files itself, with Range.
func (local) link(context.Context, string, string, time.Duration) (string, error) { return "", nil }
