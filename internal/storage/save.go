package storage

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"net/http"
	"os"
	"strconv"

	// Decoders for image.DecodeConfig; only headers are ever read.
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp" // WebP, registered the same way
)

// Saved describes a file that Save put in the store.
type Saved struct {
	// Path is the file's key, slash-separated, e.g. "3f/3f2a….png": relative
	// to Config.Dir, or to the bucket's prefix.
	Path string
	// Size is the file's length in bytes.
	Size int64
	// ContentType is image/png, image/jpeg or image/webp.
	ContentType string
	// Width and Height are the image's pixel dimensions.
	Width, Height int
	// SHA256 is the lowercase hex digest of the file's bytes.
	SHA256 string
}

// accepted maps a sniffed content type to its file extension and the format
// name image.DecodeConfig reports for it.
var accepted = map[string]struct{ ext, format string }{
	"image/png":  {"png", "png"},
	"image/jpeg": {"jpg", "jpeg"},
	"image/webp": {"webp", "webp"},
}

// Save streams r into the store as the file of one attempt at jobID. Bytes
// go to a temp file first and reach the backend only when complete, checked
// and synced, so a reader never sees a partial file at the final path. Each
// attempt has a name of its own: two finishers of one job never write, or
// delete, each other's file.
func (s *Store) Save(ctx context.Context, jobID string, attempt int64, r io.Reader) (Saved, error) {
	shard, stem, err := jobBase(jobID)
	if err != nil {
		return Saved{}, err
	}
	if attempt > 0 {
		stem += "-a" + strconv.FormatInt(attempt, 10)
	}
	return s.SaveAs(ctx, shard+"/"+stem, r)
}

// SaveAs is Save under a name the caller chooses: a relative path of
// letters, digits, "-", "_" and "." such as "3f/3f2a…-2"; the extension of
// the sniffed type is added. A file already there is replaced.
func (s *Store) SaveAs(ctx context.Context, name string, r io.Reader) (Saved, error) {
	if err := checkName(name); err != nil {
		return Saved{}, err
	}
	tmp, f, err := s.createTemp()
	if err != nil {
		return Saved{}, err
	}
	defer func() {
		_ = f.Close()
		_ = s.root.Remove(tmp)
	}()

	saved, err := s.write(ctx, f, r)
	if err != nil {
		return Saved{}, fmt.Errorf("storage: save %s: %w", name, err)
	}
	saved.Path = name + "." + accepted[saved.ContentType].ext
	if err := s.b.put(ctx, tmp, f, saved.Path, saved); err != nil {
		return Saved{}, fmt.Errorf("storage: save %s: %w", name, err)
	}
	return saved, nil
}

// write copies r into f within the size limit, checks the type and reads
// the dimensions. Path is left for the caller.
func (s *Store) write(ctx context.Context, f *os.File, r io.Reader) (Saved, error) {
	// One byte over the limit is enough to know the stream is too long.
	src := io.LimitReader(ctxReader{ctx: ctx, r: r}, s.maxBytes+1)
	head := make([]byte, 512)
	n, err := io.ReadFull(src, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Saved{}, err
	}
	head = head[:n]
	ct := http.DetectContentType(head)
	kind, ok := accepted[ct]
	if !ok {
		return Saved{}, fmt.Errorf("%w: sniffed %s", ErrUnsupportedType, ct)
	}

	sum := sha256.New()
	w := io.MultiWriter(f, sum)
	if _, err := w.Write(head); err != nil {
		return Saved{}, err
	}
	rest, err := io.Copy(w, src)
	if err != nil {
		return Saved{}, err
	}
	size := int64(n) + rest
	if size > s.maxBytes {
		return Saved{}, fmt.Errorf("%w: over %d bytes", ErrTooLarge, s.maxBytes)
	}
	if err := f.Sync(); err != nil {
		return Saved{}, err
	}

	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Saved{}, err
	}
	// The header can sit past the first 512 bytes (JPEG EXIF), so read it
	// from the file rather than from head.
	cfg, format, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil || format != kind.format {
		return Saved{}, fmt.Errorf("%w: %s header unreadable", ErrUnsupportedType, ct)
	}
	return Saved{
		Size:        size,
		ContentType: ct,
		Width:       cfg.Width,
		Height:      cfg.Height,
		SHA256:      hex.EncodeToString(sum.Sum(nil)),
	}, nil
}

// createTemp makes a new private file in the top of Dir: on the same file
// system as the local backend's final path, so its rename is atomic.
func (s *Store) createTemp() (string, *os.File, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	name := ".upload-" + hex.EncodeToString(b[:]) + ".tmp"
	f, err := s.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", nil, fmt.Errorf("storage: create temp file: %w", err)
	}
	return name, f, nil
}

// ctxReader stops a long copy once the request that asked for it is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
