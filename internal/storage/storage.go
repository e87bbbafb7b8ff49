// Package storage keeps finished upscaled images, one file per job: on the
// local disk under a single directory, or in a bucket of an S3-compatible
// object store so that every host running the daemon sees every file.
package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// DefaultMaxFileBytes caps a stored file when Config.MaxFileBytes is zero.
const DefaultMaxFileBytes int64 = 200 << 20

// Backends Config.Backend names.
const (
	BackendLocal = "local"
	BackendS3    = "s3"
)

// Errors callers check with errors.Is.
var (
	// ErrTooLarge means the stream was longer than Config.MaxFileBytes.
	ErrTooLarge = errors.New("storage: file too large")
	// ErrUnsupportedType means the content is not a readable PNG, JPEG or WebP.
	ErrUnsupportedType = errors.New("storage: unsupported file type")
	// ErrNotFound means no stored file has that path.
	ErrNotFound = errors.New("storage: file not found")
	// ErrInvalidJobID means the job ID is not a UUID.
	ErrInvalidJobID = errors.New("storage: job id is not a uuid")
	// ErrInvalidPath means a relative path is empty, absolute or leaves the store.
	ErrInvalidPath = errors.New("storage: invalid path")
)

// Config says where files live and how big one may be.
type Config struct {
	// Backend is BackendLocal (the default) or BackendS3.
	Backend string
	// Dir holds every stored file with the local backend, and the
	// temporary copies that are checked before upload with S3; created if
	// missing.
	Dir string
	// MaxFileBytes is the largest file Save accepts (default 200 MiB).
	MaxFileBytes int64
	// S3 is the bucket used when Backend is BackendS3.
	S3 S3Config
}

// File is an open stored file: an *os.File for the local backend, an
// object being read for S3.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
}

// backend is where checked files end up.
type backend interface {
	// put moves the complete temp file tmp (open as f, inside the staging
	// root) to key; the caller removes tmp afterwards if it is still there.
	put(ctx context.Context, tmp string, f *os.File, key string, s Saved) error
	open(key string) (File, os.FileInfo, error)
	remove(key string) error
	// link is a URL a browser fetches the file from for a short while, or
	// "" when files are served through the daemon.
	link(ctx context.Context, key, filename string, within time.Duration) (string, error)
}

// Store saves, opens and deletes job files. Every local access goes through
// an os.Root, so no path, symlink or ".." can reach outside Config.Dir.
type Store struct {
	root     *os.Root
	maxBytes int64
	b        backend
}

// New creates Dir (0o750) if needed, opens it as the store's root and, for
// S3, checks that the bucket answers.
func New(cfg Config) (*Store, error) {
	if strings.TrimSpace(cfg.Dir) == "" {
		return nil, errors.New("storage: Dir is required")
	}
	if cfg.MaxFileBytes < 0 {
		return nil, fmt.Errorf("storage: MaxFileBytes %d is negative", cfg.MaxFileBytes)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: create dir: %w", err)
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("storage: open dir: %w", err)
	}
	s := &Store{root: root, maxBytes: cmp.Or(cfg.MaxFileBytes, DefaultMaxFileBytes)}
	switch cmp.Or(cfg.Backend, BackendLocal) {
	case BackendLocal:
		s.b = local{root: root}
	case BackendS3:
		s.b, err = newS3(cfg.S3)
	default:
		err = fmt.Errorf("storage: unknown backend %q (want %s or %s)", cfg.Backend, BackendLocal, BackendS3)
	}
	if err != nil {
		_ = root.Close() // the backend's error is the one to report
		return nil, err
	}
	return s, nil
}

// Close releases the store's handle on Dir. Files already opened stay usable.
func (s *Store) Close() error {
	return s.root.Close()
}

// Open opens the stored file at rel, a path such as Saved.Path. Paths that
// are absolute, contain "..", or reach outside the store through a symlink
// are refused. The caller closes the file.
func (s *Store) Open(rel string) (File, os.FileInfo, error) {
	if err := checkKey(rel); err != nil {
		return nil, nil, err
	}
	return s.b.open(rel)
}

// Delete removes the stored file at rel. A file that is already gone is not
// an error, so cleanup can be retried safely.
func (s *Store) Delete(rel string) error {
	if err := checkKey(rel); err != nil {
		return err
	}
	return s.b.remove(rel)
}

// Link returns a short-lived URL from which a browser downloads the file at
// rel directly, saved as filename, or "" when the backend has no such URLs
// (local: the daemon serves the bytes itself, see Open). The URL works for
// the backend's link TTL, or for within when that is shorter and above
// zero (the download token's own time left: a link never outlives it). A
// missing file is ErrNotFound.
func (s *Store) Link(ctx context.Context, rel, filename string, within time.Duration) (string, error) {
	if err := checkKey(rel); err != nil {
		return "", err
	}
	return s.b.link(ctx, rel, filename, within)
}

// checkKey accepts a clean, relative, slash-separated path that stays
// inside the store.
func checkKey(rel string) error {
	if rel == "" || rel == "." || !filepath.IsLocal(rel) || path.Clean(rel) != rel || strings.Contains(rel, `\`) {
		return fmt.Errorf("%w: %q", ErrInvalidPath, rel)
	}
	return nil
}

// checkName accepts a name for SaveAs: a clean relative path of letters,
// digits, "-", "_" and "." whose parts do not start with a dot (those are
// the store's own temp files).
func checkName(name string) error {
	if err := checkKey(name); err != nil {
		return err
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part[0] == '.' {
			return fmt.Errorf("%w: %q", ErrInvalidPath, name)
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !(isHex(c) || 'g' <= c && c <= 'z' || 'G' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("%w: %q", ErrInvalidPath, name)
			}
		}
	}
	return nil
}

// jobBase turns a UUID job ID into its shard directory and file stem, the
// name Save stores a job's file under.
func jobBase(jobID string) (shard, stem string, err error) {
	if len(jobID) != 36 {
		return "", "", fmt.Errorf("%w: %q", ErrInvalidJobID, jobID)
	}
	for i := 0; i < len(jobID); i++ {
		c := jobID[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", "", fmt.Errorf("%w: %q", ErrInvalidJobID, jobID)
			}
		default:
			if !isHex(c) {
				return "", "", fmt.Errorf("%w: %q", ErrInvalidJobID, jobID)
			}
		}
	}
	// A UUID is case-insensitive; one spelling means one file.
	stem = strings.ToLower(jobID)
	return stem[:2], stem, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
