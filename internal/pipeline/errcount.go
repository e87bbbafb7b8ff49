package pipeline

import (
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale"
)

// ErrorCounter counts errors from the outside parties by kind, for the
// operator's metrics (internal/metrics.Registry is one).
type ErrorCounter interface {
	CountError(party, kind string)
}

type noCounter struct{}

func (noCounter) CountError(string, string) {}

// countUpscaleErr counts a provider error as transient or permanent.
func (s *Service) countUpscaleErr(err error) {
	kind := "transient"
	if !upscale.IsTransient(err) {
		kind = "permanent"
	}
	s.errs.CountError("upsampler", kind)
}

// countStripeErr counts a Stripe error by its kind (auth, refused, …).
func (s *Service) countStripeErr(err error) {
	s.errs.CountError("stripe", string(stripe.KindOf(err)))
}

// countMailErr counts a failed send as permanent (the server refused
// the message for good) or transient.
func (s *Service) countMailErr(err error) {
	kind := "transient"
	if mail.IsPermanent(err) {
		kind = "permanent"
	}
	s.errs.CountError("smtp", kind)
}
