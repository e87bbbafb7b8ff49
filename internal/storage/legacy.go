package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Legacy opens the files the original PHP plugin recorded by absolute path
// (wp-content/uploads/sell-my-images/smi_….png), but only those under one
// directory: a path outside it, one with "..", or one that leaves it
// through a symlink is refused. Every access goes through an os.Root. A nil
// *Legacy serves nothing: every file is ErrNotFound.
type Legacy struct {
	root *os.Root
	// dirs are the directory as configured and with its symlinks
	// resolved: PHP records real paths, a config may name a link.
	dirs []string
}

// OpenLegacy opens dir as the only place old absolute paths are served
// from; "" gives a nil *Legacy, which serves nothing.
func OpenLegacy(dir string) (*Legacy, error) {
	if dir == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: legacy dir: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("storage: open legacy dir: %w", err)
	}
	l := &Legacy{root: root, dirs: []string{abs}}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil && resolved != abs {
		l.dirs = append(l.dirs, resolved)
	}
	return l, nil
}

// Close releases the handle on the directory; nil is fine.
func (l *Legacy) Close() error {
	if l == nil {
		return nil
	}
	return l.root.Close()
}

// rel turns an absolute path under the directory into one relative to it.
func (l *Legacy) rel(p string) (string, error) {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return "", fmt.Errorf("%w: %q", ErrInvalidPath, p)
	}
	for _, d := range l.dirs {
		if r, err := filepath.Rel(d, p); err == nil && r != "." && filepath.IsLocal(r) {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q is outside the legacy directory", ErrInvalidPath, p)
}

// Open opens the regular file at the absolute path p. The caller closes it.
func (l *Legacy) Open(p string) (*os.File, os.FileInfo, error) {
	if l == nil {
		return nil, nil, fmt.Errorf("%w: %s (no legacy directory)", ErrNotFound, p)
	}
	rel, err := l.rel(p)
	if err != nil {
		return nil, nil, err
	}
	f, err := l.root.Open(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s", ErrNotFound, p)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("storage: open %s: %w", p, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("storage: stat %s: %w", p, err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%w: %s is not a file", ErrNotFound, p)
	}
	return f, fi, nil
}

// Delete removes the file at the absolute path p when its retention ends,
// as the original plugin's cleanup did. A file already gone is not an
// error; a directory is never removed.
func (l *Legacy) Delete(p string) error {
	if l == nil {
		return nil
	}
	rel, err := l.rel(p)
	if err != nil {
		return err
	}
	fi, err := l.root.Lstat(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a file", ErrInvalidPath, p)
	}
	if err := l.root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete %s: %w", p, err)
	}
	return nil
}

// WithLegacy is the Store plus the original plugin's files: absolute paths
// go to Legacy, every other path to the Store.
type WithLegacy struct {
	*Store
	Legacy *Legacy
}

// Open opens a stored file, or an old one by its absolute path.
func (w WithLegacy) Open(p string) (File, os.FileInfo, error) {
	if filepath.IsAbs(p) {
		f, fi, err := w.Legacy.Open(p)
		if err != nil {
			return nil, nil, err // never a nil *os.File inside a non-nil File
		}
		return f, fi, nil
	}
	return w.Store.Open(p)
}

// Link is a signed URL for a stored file; an old file, by its absolute
// path, has none (the daemon streams it).
func (w WithLegacy) Link(ctx context.Context, p, filename string, within time.Duration) (string, error) {
	if filepath.IsAbs(p) {
		return "", nil
	}
	return w.Store.Link(ctx, p, filename, within)
}

// Delete removes a stored file, or an old one by its absolute path.
func (w WithLegacy) Delete(p string) error {
	if filepath.IsAbs(p) {
		return w.Legacy.Delete(p)
	}
	return w.Store.Delete(p)
}

// Close releases both directories.
func (w WithLegacy) Close() error {
	return errors.Join(w.Store.Close(), w.Legacy.Close())
}
