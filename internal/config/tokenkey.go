package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TokenKeyBytes is the key download links are derived from: the
// configured downloads.token_key, or else a random key created once in
// dir/.token-key (mode 0600) and read back on every start, so links
// survive restarts. It is never kept in the database: a copy of the
// database alone cannot make a working link.
func (c *Config) TokenKeyBytes(dir string) ([]byte, error) {
	if k := c.Downloads.TokenKey.Reveal(); k != "" {
		return []byte(k), nil
	}
	path := filepath.Join(dir, ".token-key")
	b, err := os.ReadFile(path) //nolint:gosec // G304: a fixed name in storage.dir, the operator's setting
	if err == nil {
		k := strings.TrimSpace(string(b))
		if len(k) < 64 {
			return nil, fmt.Errorf("config: %s is shorter than 64 hex characters; delete it to make a new one (links issued so far stop working)", path)
		}
		return []byte(k), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: read the download token key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	k := hex.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("config: download token key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: as above
	if errors.Is(err, fs.ErrExist) {
		return c.TokenKeyBytes(dir) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("config: create the download token key: %w", err)
	}
	// A half-written key would fail every later start: remove it, so the
	// next start makes a new one.
	if _, err := f.WriteString(k + "\n"); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	return []byte(k), f.Close()
}
