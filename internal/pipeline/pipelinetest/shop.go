package pipelinetest

import (
	"bytes"
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/store"
)

// Checkout creates a job awaiting payment for the site's test image; an
// empty email leaves the buyer to type one at Stripe.
func (e *Env) Checkout(email string) *pipeline.CheckoutResult {
	e.T.Helper()
	res, err := e.Svc.Checkout(context.Background(), pipeline.CheckoutRequest{PostID: 7, AttachmentID: 9,
		ImageURL: e.Site.URL + "/wp-content/uploads/2026/11/photo.png", ImageWidth: 200, ImageHeight: 150,
		Resolution: "4x", Email: email, SuccessURL: e.Site.URL + "/thanks", CancelURL: e.Site.URL + "/cancel"}, job.ActorSystem)
	if err != nil {
		e.T.Fatal(err)
	}
	return res
}

// paymentIntent is the PaymentIntent the tests pay a job's checkout with.
func paymentIntent(jobID string) string { return "pi_" + strings.ReplaceAll(jobID[:13], "-", "") }

// Pay has the buyer pay the job's checkout and Stripe announce it with a
// signed checkout.session.completed; with the Stripe fake the session is
// paid there too, so Stripe agrees, and the event carries the fake's own
// session. It returns the PaymentIntent.
func (e *Env) Pay(jobID string) string {
	e.T.Helper()
	j := e.Get(jobID)
	sess, pi, evID := *j.StripeCheckoutSessionID, paymentIntent(jobID), "evt_paid_"+jobID[:8]
	if e.Fake == nil {
		e.Deliver(e.SessionEvent(evID, "checkout.session.completed", jobID, sess, pi, "paid", int64(*j.AmountCharged), ""))
		return pi
	}
	e.Fake.SetSessionPaid(sess, pi)
	e.Deliver(e.Signed(evID, "checkout.session.completed", e.Fake.Session(sess)))
	return pi
}

// PaidAtStripe opens a checkout and has the buyer pay it in the Stripe
// fake, without the webhook (which a test may then drop or send itself).
func (e *Env) PaidAtStripe(email string) (jobID, sessID, pi string) {
	e.T.Helper()
	if e.Fake == nil {
		e.T.Fatal("PaidAtStripe needs Options{FakeStripe: true}")
	}
	jobID = e.Checkout(email).JobID
	sessID, pi = *e.Get(jobID).StripeCheckoutSessionID, paymentIntent(jobID)
	e.Fake.SetSessionPaid(sessID, pi)
	return jobID, sessID, pi
}

// Paid is a checkout paid at Stripe and announced by webhook: a pending job.
func (e *Env) Paid(email string) (jobID, pi string) {
	e.T.Helper()
	jobID = e.Checkout(email).JobID
	pi = e.Pay(jobID)
	if j := e.Get(jobID); j.Status != job.StatusPending || j.PaymentStatus != job.PaymentPaid {
		e.T.Fatalf("after payment: %s/%s", j.Status, j.PaymentStatus)
	}
	return jobID, pi
}

// Insert writes a job in any state straight into the database, for the
// states the lifecycle reaches only slowly: a new id unless set, the
// site's image unless set, 4x, post 7.
func (e *Env) Insert(j *job.Job) *job.Job {
	e.T.Helper()
	if j.JobID == "" {
		j.JobID = uuid.NewString()
	}
	if j.ImageURL == "" {
		j.ImageURL = e.Site.URL + "/wp-content/uploads/a.png"
	}
	j.Resolution = job.Resolution4x
	j.PostID = 7
	if err := e.DB.Insert(context.Background(), j, store.EventInput{Type: "seeded", Message: "inserted by the test"}); err != nil {
		e.T.Fatal(err)
	}
	return e.Get(j.JobID)
}

// StoredFile saves a real PNG for jobID and returns its path.
func (e *Env) StoredFile(jobID string) string {
	e.T.Helper()
	saved, err := e.Files.Save(context.Background(), jobID, 0, bytes.NewReader(PNG()))
	if err != nil {
		e.T.Fatal(err)
	}
	return saved.Path
}
