// Package storage keeps finished upscaled images on the local disk, one file
// per job, under a single configured directory.
package storage

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
)

// DefaultMaxFileBytes caps a stored file when Config.MaxFileBytes is zero.
const DefaultMaxFileBytes int64 = 200 << 20

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
	// Dir is the directory that holds every stored file; created if missing.
	Dir string
	// MaxFileBytes is the largest file Save accepts (default 200 MiB).
	MaxFileBytes int64
}

// Store saves, opens and deletes job files inside Config.Dir. Every access
// goes through an os.Root, so no path, symlink or ".." can reach outside it.
type Store struct {
	root     *os.Root
	maxBytes int64
}

// New creates Dir (0o750) if needed and opens it as the store's root.
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
	return &Store{root: root, maxBytes: cmp.Or(cfg.MaxFileBytes, DefaultMaxFileBytes)}, nil
}

// Close releases the store's handle on Dir. Files already opened stay usable.
func (s *Store) Close() error {
	return s.root.Close()
}

// jobBase turns a UUID job ID into its shard directory and file stem. It is
// the only source of stored names, so outside input never becomes a path.
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
