package pipeline

import (
	"context"
	"errors"
	"path"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
)

// Download is a delivered file ready to hand over: either a short-lived
// URL the customer is sent to (object storage), or an open file the daemon
// streams itself (local storage).
type Download struct {
	// URL, when set, is where the browser fetches the file; File is nil.
	URL         string
	File        storage.File
	Size        int64
	ModTime     time.Time
	ContentType string
	Filename    string
	JobID       string
}

func gone(reason, msg string) error {
	return &job.Error{Code: job.EGone, Reason: reason, Message: msg}
}

var errUnknownToken = &job.Error{Code: job.ENotFound, Reason: "unknown", Message: "this download link is not valid"}

// OpenDownload finds the job by the token's digest, checks the link is
// still good, counts the download (count is false for a range request that
// resumes one) and opens the file or signs a link to it. The file's path
// comes from the job row, never from the request.
func (s *Service) OpenDownload(ctx context.Context, token, clientIP string, count bool) (*Download, error) {
	if !tokenRE.MatchString(token) {
		return nil, errUnknownToken
	}
	j, staged, err := s.st.GetByDownloadDigest(ctx, Digest(token))
	if errors.Is(err, job.ErrJobNotFound) {
		return nil, errUnknownToken
	}
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	if staged {
		// A link whose email is on its way: it works until its own expiry.
		j.DownloadExpiresAt = j.NextExpiresAt
	}
	switch {
	case s.cfg.RevokeOnFullRefund && j.DownloadRevoked():
		return nil, gone("refunded", "this order was refunded, so its download link no longer works")
	case j.Status != job.StatusCompleted:
		return nil, gone("not_completed", "this image is not ready for download")
	case j.DownloadExpiresAt != nil && !now.Before(*j.DownloadExpiresAt):
		return nil, gone("expired", "this download link has expired")
	case j.UpscaledFilePath == nil:
		return nil, gone("expired", "the file is no longer kept")
	}
	d, err := s.fetch(ctx, j)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, gone("expired", "the file is no longer kept")
	}
	if err != nil {
		return nil, err
	}
	digest := Digest(token)
	if !count {
		return d, nil
	}
	err = s.st.CountDownload(ctx, j.JobID, digest, store.EventInput{Actor: job.ActorSystem, Type: "downloaded", Message: "file downloaded",
		Data: map[string]any{"client_ip": clientIP}}, gone("expired", "this download link was replaced by a newer one"))
	if err != nil {
		if d.File != nil {
			_ = d.File.Close() // opened for reading only
		}
		return nil, err
	}
	return d, nil
}

// fetch signs a link to the job's file or, when the storage has no links,
// opens it.
func (s *Service) fetch(ctx context.Context, j *job.Job) (*Download, error) {
	ext := path.Ext(*j.UpscaledFilePath)
	d := &Download{ContentType: contentType(ext), JobID: j.JobID,
		Filename: "hi-res-" + j.JobID[:8] + "-" + strings.ToLower(string(j.Resolution)) + ext}
	var within time.Duration // the token's time left: a signed link never outlives it
	if j.DownloadExpiresAt != nil {
		within = j.DownloadExpiresAt.Sub(s.cfg.Now())
	}
	url, err := s.files.Link(ctx, *j.UpscaledFilePath, d.Filename, within)
	if err != nil {
		return nil, err
	}
	if url != "" {
		d.URL = url
		return d, nil
	}
	f, fi, err := s.files.Open(*j.UpscaledFilePath)
	if err != nil {
		return nil, err
	}
	d.File, d.Size, d.ModTime = f, fi.Size(), fi.ModTime()
	return d, nil
}

func contentType(ext string) string {
	switch ext {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	}
	return "application/octet-stream"
}
