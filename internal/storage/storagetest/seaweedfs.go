// Package storagetest starts a real S3-compatible server for tests: a
// private SeaweedFS on loopback, through scripts/seaweedfs.sh, with its own
// data directory and credentials. There is no in-memory fake.
package storagetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sellmyimages/smid/internal/storage"
)

// Server is a running SeaweedFS S3 gateway private to one test.
type Server struct {
	// Endpoint is its base URL, http://127.0.0.1:PORT.
	Endpoint string
	// AccessKey and SecretKey are the only identity it accepts.
	AccessKey, SecretKey string
	// Dir holds its data, its log (weed.log) and its credentials.
	Dir string
}

// Start starts SeaweedFS for t and stops it when t ends. When the weed
// binary is not built it skips t, loudly, or fails it under CI (CI=true),
// where scripts/deps.sh builds it.
func Start(t testing.TB) *Server {
	t.Helper()
	script := filepath.Join(repoRoot(t), "scripts", "seaweedfs.sh")
	if out, err := exec.Command("bash", script, "bin").CombinedOutput(); err != nil {
		msg := "SeaweedFS (weed) is not built, so the S3 storage tests DO NOT RUN: run `bash scripts/seaweedfs.sh build` (or `make deps`). " + strings.TrimSpace(string(out))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		fmt.Fprintln(os.Stderr, "\n*** SKIPPED "+t.Name()+": "+msg+" ***")
		t.Skip(msg)
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", script, "start", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Cleanup(func() {
		if err := exec.Command("bash", script, "stop", dir).Run(); err != nil {
			t.Errorf("stop SeaweedFS: %v", err)
		}
	})
	if err != nil {
		t.Fatalf("start SeaweedFS: %v\n%s", err, stderr.String())
	}
	s := &Server{Dir: dir}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "SEAWEEDFS_ENDPOINT":
			s.Endpoint = v
		case "AWS_ACCESS_KEY_ID":
			s.AccessKey = v
		case "AWS_SECRET_ACCESS_KEY":
			s.SecretKey = v
		}
	}
	if s.Endpoint == "" || s.AccessKey == "" || s.SecretKey == "" {
		t.Fatalf("seaweedfs.sh start printed no endpoint or credentials:\n%s", out)
	}
	return s
}

// Client is an S3 client with the server's credentials.
func (s *Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Bucket creates a new empty bucket and returns the storage configuration
// that reaches it with the server's credentials.
func (s *Server) Bucket(t testing.TB) storage.S3Config {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "smid-test-" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Client(t).MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return storage.S3Config{Endpoint: s.Endpoint, Region: "us-east-1", Bucket: name, PathStyle: true,
		AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}
}

// repoRoot is the directory holding go.mod above the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("storagetest: no go.mod above the test's directory")
		}
		dir = parent
	}
}
