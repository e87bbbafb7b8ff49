package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/storage/storagetest"
)

// TestS3 runs the S3 backend against a real SeaweedFS, one server for all
// its cases.
func TestS3(t *testing.T) {
	srv := storagetest.Start(t)
	ctx := context.Background()

	open := func(t *testing.T, cfg storage.S3Config) bundle {
		t.Helper()
		return setup(t, storage.Config{Backend: storage.BackendS3, S3: cfg})
	}
	// withTinyFile opens a store on cfg holding one 4×4 PNG.
	withTinyFile := func(t *testing.T, cfg storage.S3Config) (bundle, storage.Saved) {
		t.Helper()
		b := open(t, cfg)
		saved, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pngBytes(t, 4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		return b, saved
	}
	// objects lists the bucket's object names.
	objects := func(t *testing.T, bucket string) []string {
		t.Helper()
		var out []string
		for o := range srv.Client(t).ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			out = append(out, o.Key)
		}
		return out
	}

	t.Run("round trip", func(t *testing.T) {
		cfg := srv.Bucket(t)
		cfg.Prefix = "shop/files"
		b := open(t, cfg)
		pic := pngBytes(t, 40, 30)
		saved, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pic))
		if err != nil {
			t.Fatal(err)
		}
		if saved.Path != "3f/"+jobID+".png" || saved.Size != int64(len(pic)) || saved.Width != 40 || saved.Height != 30 || saved.ContentType != "image/png" {
			t.Fatalf("saved = %+v", saved)
		}
		if got := objects(t, cfg.Bucket); len(got) != 1 || got[0] != "shop/files/3f/"+jobID+".png" {
			t.Fatalf("bucket holds %q, want the one file under the prefix", got)
		}
		assertFiles(t, b.dir) // the checked temp copy is gone

		f, fi, err := b.store.Open(saved.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if fi.Size() != int64(len(pic)) || fi.Name() != jobID+".png" || fi.ModTime().IsZero() {
			t.Errorf("info = %d bytes, %q, %v", fi.Size(), fi.Name(), fi.ModTime())
		}
		got, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(got, pic) {
			t.Fatalf("read back %d bytes (err %v), want the %d saved", len(got), err, len(pic))
		}
		part := make([]byte, 10)
		if _, err := f.ReadAt(part, 20); err != nil || !bytes.Equal(part, pic[20:30]) {
			t.Errorf("ReadAt(20) = %x, %v; want %x", part, err, pic[20:30])
		}
	})

	t.Run("a name the caller chooses", func(t *testing.T) {
		cfg := srv.Bucket(t)
		b := open(t, cfg)
		name := "3f/" + jobID + "-attempt-2"
		first, err := b.store.SaveAs(ctx, name, bytes.NewReader(pngBytes(t, 4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		if first.Path != name+".png" {
			t.Fatalf("path = %q, want %q", first.Path, name+".png")
		}
		second, err := b.store.SaveAs(ctx, name, bytes.NewReader(pngBytes(t, 8, 8)))
		if err != nil {
			t.Fatal(err)
		}
		_, fi, err := b.store.Open(first.Path)
		if err != nil || fi.Size() != second.Size {
			t.Fatalf("after saving twice under one name: %v, size %v, want the second file's %d", err, fi, second.Size)
		}
		for _, bad := range []string{"", "../x", "/abs", "a/.hidden", "a//b", "a b", "ü"} {
			if _, err := b.store.SaveAs(ctx, bad, bytes.NewReader(pngBytes(t, 2, 2))); !errors.Is(err, storage.ErrInvalidPath) {
				t.Errorf("SaveAs(%q) = %v, want ErrInvalidPath", bad, err)
			}
		}
		if got := objects(t, cfg.Bucket); len(got) != 1 {
			t.Errorf("bucket holds %q, want one object", got)
		}
	})

	t.Run("refused files never reach the bucket", func(t *testing.T) {
		cfg := srv.Bucket(t)
		b := setup(t, storage.Config{Backend: storage.BackendS3, S3: cfg, MaxFileBytes: 1000})
		if _, err := b.store.Save(ctx, jobID, 0, strings.NewReader("<html>not an image</html>")); !errors.Is(err, storage.ErrUnsupportedType) {
			t.Errorf("Save(html) = %v, want ErrUnsupportedType", err)
		}
		if _, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pngBytes(t, 300, 300))); !errors.Is(err, storage.ErrTooLarge) {
			t.Errorf("Save(big) = %v, want ErrTooLarge", err)
		}
		if got := objects(t, cfg.Bucket); len(got) != 0 {
			t.Errorf("bucket holds %q, want nothing", got)
		}
		assertFiles(t, b.dir)
	})

	t.Run("signed link", func(t *testing.T) {
		cfg := srv.Bucket(t)
		b := open(t, cfg)
		pic := pngBytes(t, 64, 64)
		saved, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pic))
		if err != nil {
			t.Fatal(err)
		}
		link, err := b.store.Link(ctx, saved.Path, "hi-res-3f2a9c1e-4x.png", 0)
		if err != nil {
			t.Fatal(err)
		}
		res := get(t, link, "")
		if res.StatusCode != http.StatusOK || !bytes.Equal(res.body, pic) {
			t.Fatalf("GET link = %d with %d bytes, want 200 and the file", res.StatusCode, len(res.body))
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename=hi-res-3f2a9c1e-4x.png` && cd != `attachment; filename="hi-res-3f2a9c1e-4x.png"` {
			t.Errorf("Content-Disposition = %q, want an attachment named hi-res-3f2a9c1e-4x.png", cd)
		}
		if ct := res.Header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("Content-Type = %q", ct)
		}
		// A browser resuming a download asks the store for the rest.
		part := get(t, link, "bytes=100-199")
		if part.StatusCode != http.StatusPartialContent || !bytes.Equal(part.body, pic[100:200]) {
			t.Errorf("ranged GET = %d with %d bytes, want 206 and bytes 100-199", part.StatusCode, len(part.body))
		}
		// Without the signature, or with another one, the store refuses.
		u, _ := url.Parse(link)
		plain := *u
		plain.RawQuery = ""
		if res := get(t, plain.String(), ""); res.StatusCode != http.StatusForbidden {
			t.Errorf("unsigned GET = %d, want 403: the bucket must not be public", res.StatusCode)
		}
		q := u.Query()
		q.Set("X-Amz-Signature", strings.Repeat("0", 64))
		forged := *u
		forged.RawQuery = q.Encode()
		if res := get(t, forged.String(), ""); res.StatusCode != http.StatusForbidden {
			t.Errorf("forged signature GET = %d, want 403", res.StatusCode)
		}
		if exp := u.Query().Get("X-Amz-Expires"); exp != "300" {
			t.Errorf("link lives %ss, want the default 300", exp)
		}
	})

	t.Run("a link never outlives the token it was handed out for", func(t *testing.T) {
		b, saved := withTinyFile(t, srv.Bucket(t))
		for within, want := range map[time.Duration]string{0: "300", 90 * time.Second: "90", 2 * time.Hour: "300", 300 * time.Millisecond: "1"} {
			link, err := b.store.Link(ctx, saved.Path, "a.png", within)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(link)
			if got := u.Query().Get("X-Amz-Expires"); got != want {
				t.Errorf("token with %v left: the link lives %ss, want %s", within, got, want)
			}
		}
	})

	t.Run("link expires", func(t *testing.T) {
		cfg := srv.Bucket(t)
		cfg.LinkTTL = time.Second
		b, saved := withTinyFile(t, cfg)
		link, err := b.store.Link(ctx, saved.Path, "a.png", 0)
		if err != nil {
			t.Fatal(err)
		}
		// Signed links carry whole seconds; past the second, it is dead.
		time.Sleep(2100 * time.Millisecond)
		if res := get(t, link, ""); res.StatusCode != http.StatusForbidden {
			t.Errorf("GET expired link = %d, want 403", res.StatusCode)
		}
	})

	t.Run("public endpoint", func(t *testing.T) {
		cfg := srv.Bucket(t)
		// Browsers reach the same server by another name.
		cfg.PublicEndpoint = strings.Replace(srv.Endpoint, "127.0.0.1", "localhost", 1)
		b := open(t, cfg)
		pic := pngBytes(t, 4, 4)
		saved, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pic))
		if err != nil {
			t.Fatal(err)
		}
		link, err := b.store.Link(ctx, saved.Path, "a.png", 0)
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := url.Parse(link); u.Hostname() != "localhost" {
			t.Fatalf("link %s is not on the public endpoint", u.Redacted())
		}
		if res := get(t, link, ""); res.StatusCode != http.StatusOK || !bytes.Equal(res.body, pic) {
			t.Errorf("GET public link = %d, want 200 and the file", res.StatusCode)
		}
	})

	t.Run("missing and deleted", func(t *testing.T) {
		cfg := srv.Bucket(t)
		b, saved := withTinyFile(t, cfg)
		for range 2 {
			if err := b.store.Delete(saved.Path); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		if _, _, err := b.store.Open(saved.Path); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Open after Delete = %v, want ErrNotFound", err)
		}
		if _, err := b.store.Link(ctx, saved.Path, "a.png", 0); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Link after Delete = %v, want ErrNotFound", err)
		}
		for _, rel := range []string{"../x.png", "/etc/passwd", "", "a/../b.png"} {
			if _, _, err := b.store.Open(rel); !errors.Is(err, storage.ErrInvalidPath) {
				t.Errorf("Open(%q) = %v, want ErrInvalidPath", rel, err)
			}
			if err := b.store.Delete(rel); !errors.Is(err, storage.ErrInvalidPath) {
				t.Errorf("Delete(%q) = %v, want ErrInvalidPath", rel, err)
			}
		}
		if got := objects(t, cfg.Bucket); len(got) != 0 {
			t.Errorf("bucket holds %q after Delete", got)
		}
	})

	t.Run("prefixes keep stores apart", func(t *testing.T) {
		cfg := srv.Bucket(t)
		cfg.Prefix = "a"
		a := open(t, cfg)
		cfg.Prefix = "b/"
		b := open(t, cfg)
		saved, err := a.store.Save(ctx, jobID, 0, bytes.NewReader(pngBytes(t, 4, 4)))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.store.Open(saved.Path); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("store b opened store a's file: %v", err)
		}
		if err := b.store.Delete(saved.Path); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.store.Open(saved.Path); err != nil {
			t.Errorf("b's Delete removed a's file: %v", err)
		}
	})

	t.Run("credentials from the environment", func(t *testing.T) {
		cfg := srv.Bucket(t)
		cfg.AccessKeyID, cfg.SecretAccessKey = "", ""
		t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
		b := open(t, cfg)
		if _, err := b.store.Save(ctx, jobID, 0, bytes.NewReader(pngBytes(t, 4, 4))); err != nil {
			t.Fatalf("Save with environment credentials: %v", err)
		}
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		if s, err := storage.New(storage.Config{Dir: t.TempDir(), Backend: storage.BackendS3, S3: cfg}); err == nil || !strings.Contains(err.Error(), "no S3 credentials") {
			if s != nil {
				s.Close()
			}
			t.Errorf("New without credentials = %v, want a no-credentials error", err)
		}
	})

	t.Run("bad configurations fail at start", func(t *testing.T) {
		good := srv.Bucket(t)
		for name, mod := range map[string]func(*storage.S3Config){
			"missing bucket": func(c *storage.S3Config) { c.Bucket = "no-such-bucket-here" },
			"wrong secret":   func(c *storage.S3Config) { c.SecretAccessKey = "wrong" },
			"no bucket":      func(c *storage.S3Config) { c.Bucket = "" },
			"bad endpoint":   func(c *storage.S3Config) { c.Endpoint = "127.0.0.1:9" },
			"bad prefix":     func(c *storage.S3Config) { c.Prefix = "../up" },
		} {
			cfg := good
			mod(&cfg)
			if s, err := storage.New(storage.Config{Dir: filepath.Join(t.TempDir(), "f"), Backend: storage.BackendS3, S3: cfg}); err == nil {
				s.Close()
				t.Errorf("%s: New succeeded", name)
			}
		}
	})
}

type response struct {
	*http.Response
	body []byte
}

// get fetches url as a browser would, with an optional Range header.
func get(t *testing.T, url, rng string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res, body}
}
