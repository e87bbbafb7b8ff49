// Package upscale turns a source image into a larger one through a provider:
// the Upsampler API (Upsampler) or, for sites without an account and for the
// offline demo, an in-process resampler (Local). Both have the same four
// methods, so the job service never needs to know which one it holds.
package upscale

import (
	"context"
	"io"
)

// Status is where a provider says a job is, in Upsampler's own words.
type Status string

// Job statuses reported by providers.
const (
	StatusQueued     Status = "IN_QUEUE"
	StatusInProgress Status = "IN_PROGRESS"
	StatusSuccess    Status = "SUCCESS"
	StatusFailed     Status = "FAILED"
)

// Done reports whether s is final: no later Status call will change it.
func (s Status) Done() bool { return s == StatusSuccess || s == StatusFailed }

// MaxOutputPixels is the largest output either provider will produce. It is
// the limit Upsampler's production client enforces before submitting; the
// Local provider shares it to bound its memory use (4 bytes a pixel).
const MaxOutputPixels = 50_000_000

// MaxFactor is the largest upscale factor Upsampler's precise upscale accepts.
const MaxFactor = 16

// Submission is a provider's answer to a new job.
type Submission struct {
	ID         string // the provider's job ID, for Status and Fetch
	Status     Status
	CreditCost int    // credits the job will use; 0 for Local
	Error      string // the provider's message when Status is FAILED
}

// Result is a provider's view of a job after submission.
type Result struct {
	ID         string
	Status     Status
	ImageURL   string // where the finished image lives once Status is SUCCESS
	CreditCost int
	Error      string // the provider's message when Status is FAILED
}

// Provider is the whole surface the job service needs. The job service
// declares its own copy; this one exists so both implementations are
// checked against it at compile time and tests can hold either.
type Provider interface {
	// Name identifies the provider in logs and job events.
	Name() string
	// Submit starts upscaling the image at imageURL by factor. webhookURL,
	// when not empty, is told when the job finishes (Upsampler only).
	Submit(ctx context.Context, imageURL string, factor int, webhookURL string) (Submission, error)
	// Status looks up a submitted job.
	Status(ctx context.Context, id string) (Result, error)
	// Fetch opens the finished image of a SUCCESS result. The length is -1
	// when unknown. The caller closes the reader.
	Fetch(ctx context.Context, r Result) (io.ReadCloser, int64, error)
}

var (
	_ Provider = (*Upsampler)(nil)
	_ Provider = (*Local)(nil)
)

// validFactor is shared by both providers so they refuse the same requests.
func validFactor(factor int) error {
	if factor < 1 || factor > MaxFactor {
		return permanent("The upscale factor must be between 1 and %d, not %d.", MaxFactor, factor)
	}
	return nil
}
