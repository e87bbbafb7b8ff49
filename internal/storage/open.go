package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Open opens the stored file at rel, a path relative to Config.Dir such as
// Saved.Path. Paths that are absolute, contain "..", or reach outside the
// store through a symlink are refused. The caller closes the file.
func (s *Store) Open(rel string) (*os.File, os.FileInfo, error) {
	if !filepath.IsLocal(rel) {
		return nil, nil, fmt.Errorf("%w: %q", ErrInvalidPath, rel)
	}
	f, err := s.root.Open(rel)
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

// Delete removes the stored file at rel. A file that is already gone is not
// an error, so cleanup can be retried safely.
func (s *Store) Delete(rel string) error {
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("%w: %q", ErrInvalidPath, rel)
	}
	fi, err := s.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && fi.IsDir() {
		// Shard directories are the store's own; only files are deleted.
		return fmt.Errorf("%w: %s is a directory", ErrInvalidPath, rel)
	}
	err = s.root.Remove(rel)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete %s: %w", rel, err)
	}
	return nil
}
