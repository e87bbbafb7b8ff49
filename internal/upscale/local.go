package upscale

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/sellmyimages/smid/internal/netguard"
)

// LocalConfig configures a Local provider.
type LocalConfig struct {
	// HTTPClient downloads source images. Pass a netguard client built from
	// the site's policy; the default allows any public host.
	HTTPClient *http.Client
	// OutDir receives results as <id>.png; required, created if missing.
	OutDir string
	// MaxInputBytes bounds a source download; default 50 MiB.
	MaxInputBytes int64
	// MaxOutputPixels bounds a result; default and ceiling MaxOutputPixels.
	MaxOutputPixels int64
	// Concurrency is how many images are resampled at once; default 1.
	// A 50 MP result needs about 200 MB, so this is a memory limit.
	Concurrency int
}

// Local upscales in-process. Submit does the whole job before returning
// and reports SUCCESS, so Status only ever sees finished jobs; results
// live on disk, so Status and Fetch keep working after a restart. It
// ignores webhook URLs, as there is nothing to wait for. Credits are 0.
type Local struct {
	client    *http.Client
	dir       string
	maxInput  int64
	maxPixels int64
	slots     chan struct{}
}

// NewLocal checks cfg and prepares OutDir.
func NewLocal(cfg LocalConfig) (*Local, error) {
	if cfg.OutDir == "" {
		return nil, errors.New("local upscaler: output directory is required")
	}
	dir, err := filepath.Abs(cfg.OutDir)
	if err != nil {
		return nil, fmt.Errorf("local upscaler: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("local upscaler: %w", err)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = netguard.Policy{}.Client(time.Minute)
	}
	return &Local{
		client:    client,
		dir:       dir,
		maxInput:  cmp.Or(cfg.MaxInputBytes, 50<<20),
		maxPixels: min(cmp.Or(cfg.MaxOutputPixels, MaxOutputPixels), MaxOutputPixels),
		slots:     make(chan struct{}, max(cfg.Concurrency, 1)),
	}, nil
}

// Name identifies the provider.
func (l *Local) Name() string { return "local" }

// Submit downloads the image, upscales it by factor and stores the PNG.
// It blocks until done; webhookURL is ignored.
func (l *Local) Submit(ctx context.Context, imageURL string, factor int, _ string) (Submission, error) {
	if err := validFactor(factor); err != nil {
		return Submission{}, err
	}
	data, err := l.download(ctx, imageURL)
	if err != nil {
		return Submission{}, err
	}
	f, ok := sniff(data)
	if !ok {
		return Submission{}, permanent("The file at the image URL is not a PNG, JPEG or WebP image.")
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		return Submission{}, permanent("The %s image could not be read: %v.", f.name, err)
	}
	w, h, err := outputSize(cfg, factor, l.maxPixels)
	if err != nil {
		return Submission{}, err
	}
	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
	case <-ctx.Done():
		return Submission{}, &Error{Kind: Transient, Msg: "Gave up waiting for a free upscaling slot.", Err: ctx.Err()}
	}
	if err := ctx.Err(); err != nil {
		// The slot and the cancellation may have arrived together.
		return Submission{}, &Error{Kind: Transient, Msg: "Upscaling was cancelled.", Err: err}
	}
	id := uuid.NewString()
	if err := upscaleImage(data, f, w, h, l.path(id)); err != nil {
		return Submission{}, err
	}
	return Submission{ID: id, Status: StatusSuccess}, nil
}

func (l *Local) download(ctx context.Context, imageURL string) ([]byte, error) {
	body, _, err := httpFetch(ctx, l.client, imageURL, "the source image")
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := readLimited(body, l.maxInput)
	switch {
	case errors.Is(err, errTooLarge):
		return nil, permanent("The source image is larger than %d bytes.", l.maxInput)
	case err != nil:
		return nil, &Error{Kind: Transient, Msg: "Downloading the source image failed: " + causeText(err), Err: err}
	}
	return data, nil
}

// Status reports a finished job; an unknown ID is a Permanent error.
func (l *Local) Status(_ context.Context, id string) (Result, error) {
	if err := l.checkID(id); err != nil {
		return Result{}, err
	}
	path := l.path(id)
	if _, err := os.Stat(path); err != nil {
		return Result{}, l.missing(id, err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	return Result{ID: id, Status: StatusSuccess, ImageURL: u.String()}, nil
}

// Fetch opens the result's PNG. It goes by r.ID, never by r.ImageURL, so a
// tampered URL cannot make it open some other file.
func (l *Local) Fetch(_ context.Context, r Result) (io.ReadCloser, int64, error) {
	if err := l.checkID(r.ID); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(l.path(r.ID))
	if err != nil {
		return nil, 0, l.missing(r.ID, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close() // opened for reading only
		return nil, 0, transient("Could not read local result %s: %v.", r.ID, err)
	}
	return f, st.Size(), nil
}

// checkID insists on a UUID, which also keeps IDs from naming paths.
func (l *Local) checkID(id string) error {
	// Canonical form only: uuid.Parse also takes "urn:uuid:…" and braces.
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		return permanent("%q is not a local upscale job ID.", id)
	}
	return nil
}

func (l *Local) path(id string) string { return filepath.Join(l.dir, id+".png") }

func (l *Local) missing(id string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Kind: Permanent, Msg: "There is no local upscale result " + id + ".", Err: err}
	}
	return &Error{Kind: Transient, Msg: "Could not read local result " + id + ".", Err: err}
}
