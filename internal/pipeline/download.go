package pipeline

import (
	"context"
	"errors"
	"os"
	"path"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
)

// Download is an open delivered file.
type Download struct {
	File        *os.File
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
// resumes one) and opens the file. The file's path
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
	f, fi, err := s.files.Open(*j.UpscaledFilePath)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, gone("expired", "the file is no longer kept")
	}
	if err != nil {
		return nil, err
	}
	digest := Digest(token)
	if !count {
		return s.opened(j, f, fi), nil
	}
	_, err = s.st.Apply(ctx, store.Change{JobID: j.JobID, From: []job.Status{job.StatusCompleted},
		Check: func(cur *job.Job, set store.Set) error {
			if (cur.DownloadTokenDigest == nil || *cur.DownloadTokenDigest != digest) && (cur.NextTokenDigest == nil || *cur.NextTokenDigest != digest) {
				return gone("expired", "this download link was replaced by a newer one")
			}
			set["download_count"] = cur.DownloadCount + 1
			return nil
		},
		Event: store.EventInput{Actor: job.ActorSystem, Type: "downloaded", Message: "file downloaded",
			Data: map[string]any{"client_ip": clientIP}}})
	if err != nil {
		f.Close()
		return nil, err
	}
	return s.opened(j, f, fi), nil
}

func (s *Service) opened(j *job.Job, f *os.File, fi os.FileInfo) *Download {
	ext := path.Ext(*j.UpscaledFilePath)
	return &Download{File: f, Size: fi.Size(), ModTime: fi.ModTime(), ContentType: contentType(ext),
		Filename: "hi-res-" + j.JobID[:8] + "-" + strings.ToLower(string(j.Resolution)) + ext, JobID: j.JobID}
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
