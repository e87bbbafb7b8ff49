package pipeline

import (
	"context"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
)

// Prices quotes every resolution on sale for an image of w×h. A resolution
// the image cannot be sold at is left out; if none can, the reason is the
// error.
func (s *Service) Prices(w, h int) ([]pricing.Quote, error) {
	var out []pricing.Quote
	var first error
	for _, r := range pricing.Resolutions {
		q, err := s.pricing.Quote(w, h, r)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, q)
	}
	if len(out) == 0 {
		return nil, first
	}
	return out, nil
}

// CheckoutRequest is a visitor's order as the plugin forwards it.
type CheckoutRequest struct {
	PostID       int64  `json:"post_id"`
	AttachmentID int64  `json:"attachment_id"`
	ImageURL     string `json:"image_url"`
	ImageWidth   int    `json:"image_width"`
	ImageHeight  int    `json:"image_height"`
	Resolution   string `json:"resolution"`
	Email        string `json:"email"`
	SuccessURL   string `json:"success_url"`
	CancelURL    string `json:"cancel_url"`
}

// CheckoutResult is where to send the visitor.
type CheckoutResult struct {
	JobID       string    `json:"job_id"`
	CheckoutURL string    `json:"checkout_url"`
	Amount      job.Money `json:"amount"`
	Currency    string    `json:"currency"`
}

// Checkout validates the order, opens a Stripe Checkout Session and, only
// once Stripe said yes, creates the job awaiting payment: a Stripe failure
// leaves nothing behind.
func (s *Service) Checkout(ctx context.Context, rq CheckoutRequest, actor job.Actor) (*CheckoutResult, error) {
	if rq.PostID <= 0 {
		return nil, job.Invalid("post_id", "post_id must be a positive integer")
	}
	if rq.AttachmentID < 0 {
		return nil, job.Invalid("attachment_id", "attachment_id must be a positive integer")
	}
	u, err := s.images.CheckURL(rq.ImageURL)
	if err != nil {
		return nil, job.Invalid("image_url", "%v", err)
	}
	if err := s.images.CheckResolved(ctx, u); err != nil {
		return nil, job.Invalid("image_url", "%v", err)
	}
	res := job.Resolution(rq.Resolution)
	if rq.ImageWidth <= 0 {
		return nil, job.Invalid("image_width", "image_width must be a positive integer")
	}
	if rq.ImageHeight <= 0 {
		return nil, job.Invalid("image_height", "image_height must be a positive integer")
	}
	q, err := s.pricing.Quote(rq.ImageWidth, rq.ImageHeight, res)
	if err != nil {
		return nil, err
	}
	email := strings.TrimSpace(rq.Email)
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || len(email) > 254 {
			return nil, job.Invalid("email", "email is not a valid address")
		}
	}
	for _, p := range []struct{ name, v string }{{"success_url", rq.SuccessURL}, {"cancel_url", rq.CancelURL}} {
		if err := s.checkReturnURL(p.v); err != nil {
			return nil, job.Invalid(p.name, "%s %v", p.name, err)
		}
	}
	id := uuid.NewString()
	now := s.now()
	expires := now.Add(min(max(s.cfg.AbandonAfter, 30*time.Minute+time.Minute), 24*time.Hour-time.Minute))
	sess, err := s.pay.CreateCheckoutSession(ctx, stripe.CheckoutInput{
		JobID: id, Amount: int64(q.Amount), Currency: s.cfg.Currency,
		ProductName: "Hi-res image (" + string(res) + ")",
		Description: strings.TrimSpace(strings.Join([]string{s.cfg.SiteName, "upscaled", string(res)}, " ")),
		Email:       email, SuccessURL: rq.SuccessURL, CancelURL: rq.CancelURL, ExpiresAt: expires,
		IdempotencyKey: "smi-checkout-" + id,
	})
	if err != nil {
		s.countStripeErr(err)
		return nil, stripeErr(err)
	}
	w, h := rq.ImageWidth, rq.ImageHeight
	att := rq.AttachmentID
	price, cost := q.Amount, q.Cost
	j := &job.Job{
		JobID: id, ImageURL: rq.ImageURL, Resolution: res, Email: email, PostID: rq.PostID,
		ImageWidth: &w, ImageHeight: &h, SourceType: "attachment", Status: job.StatusAwaitingPayment,
		PaymentStatus: job.PaymentPending, Currency: s.cfg.Currency, AmountCharged: &price, AmountCost: &cost,
		StripeCheckoutSessionID: &sess.ID, CreatedAt: now, UpdatedAt: now,
	}
	if att > 0 {
		j.AttachmentID = &att
	}
	if err := s.st.Insert(ctx, j, store.EventInput{Actor: actor, Type: "checkout_created",
		Message: "Stripe checkout created", Data: map[string]any{"checkout_session": sess.ID, "amount": int64(price), "credits": q.Credits}}); err != nil {
		return nil, err
	}
	return &CheckoutResult{JobID: id, CheckoutURL: sess.URL, Amount: price, Currency: s.cfg.Currency}, nil
}

// checkReturnURL keeps Stripe's redirects on the site, so checkout cannot
// be used to bounce visitors elsewhere.
func (s *Service) checkReturnURL(raw string) error {
	site, _ := parseSite(s.cfg.SiteURL)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errString("must be an absolute http(s) URL")
	}
	if !strings.EqualFold(u.Host, site.Host) {
		return errString("must be on " + site.Host)
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// stripeErr turns a Stripe failure into the product's error: refusals are
// the customer's or admin's to see (402/409), outages a bad gateway.
func stripeErr(err error) error {
	var se *stripe.Error
	if ok := asStripe(err, &se); !ok {
		return job.Errorf(job.EBadGateway, "Stripe: %v", err)
	}
	switch se.Kind {
	case stripe.KindRefused:
		return &job.Error{Code: job.EPaymentRefused, Message: "Stripe: " + se.Message, Reason: se.Code}
	case stripe.KindNotFound:
		return &job.Error{Code: job.EConflict, Message: "Stripe: " + se.Message, Reason: se.Code}
	}
	return &job.Error{Code: job.EBadGateway, Message: "Stripe: " + se.Message, Reason: se.Code}
}
