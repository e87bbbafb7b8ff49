package pipeline

import (
	"strconv"

	"errors"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"

	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/sellmyimages/smid/internal/stripe"
	"net/url"
	"regexp"
	"strings"
)

func parseSite(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pipeline: site.url must be an absolute http(s) URL, got %q", raw)
	}
	return u, nil
}

// downloadURL is the customer's link: the plugin proxies /smi-download/.
func (s *Service) downloadURL(token string) string {
	return strings.TrimRight(s.cfg.SiteURL, "/") + "/smi-download/" + token
}

// CallbackURL is the Upsampler webhook URL of a job's attempt. It carries our job id, the attempt and a MAC of both, so
// a callback finds its job even when a crash lost the Upsampler id we
// were given, and proves it answers this attempt's submission.
func (s *Service) CallbackURL(jobID string, attempt int64) string {
	return strings.TrimRight(s.cfg.SiteURL, "/") + "/smi-webhook/upsampler/?job=" + url.QueryEscape(jobID) +
		"&a=" + strconv.FormatInt(attempt, 10) + "&k=" + s.callbackProof(jobID, attempt)
}

// callbackProof is the MAC of a job's attempt in its callback URL.
func (s *Service) callbackProof(jobID string, attempt int64) string {
	m := hmac.New(sha256.New, s.cfg.TokenKey)
	m.Write([]byte("smid upsampler callback v1\x00" + jobID + "\x00" + strconv.FormatInt(attempt, 10)))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// deliveryToken derives the download token of a job's delivery number
// seq from the server-held key: the same job and seq always give the same
// token, so an email sent again after a crash carries the link the first
// one did, while the database keeps only the digest. Without the key the
// token cannot be computed from anything the database holds.
func (s *Service) deliveryToken(jobID string, seq int64) (token, digest string) {
	m := hmac.New(sha256.New, s.cfg.TokenKey)
	m.Write([]byte("smid download token v1\x00" + jobID + "\x00" + strconv.FormatInt(seq, 10)))
	token = hex.EncodeToString(m.Sum(nil))
	return token, Digest(token)
}

// Digest is the stored form of a download token.
func Digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RefundIdempotencyKey is the Stripe idempotency key of refund row id of
// a job: bound to the reservation, to this installation and to the job, so
// another installation on the same Stripe account, and a copy of this
// database (same installation id, same row numbers from the copy on), send
// other keys for refunds of other jobs and theirs never collide with ours.
// A row keeps the key form it was reserved under, which it may already
// have been sent with.
func RefundIdempotencyKey(id int64, jobID string, inst store.Installation) string {
	n := strconv.FormatInt(id, 10)
	switch {
	case inst.RefundKeysV3From > 0 && id >= inst.RefundKeysV3From:
		return "smi-refund-" + inst.ID + "-" + jobID + "-" + n
	case id >= inst.RefundKeysV2From:
		return "smi-refund-" + inst.ID + "-" + n
	}
	return "smi-refund-" + n
}

// tokenRE accepts our tokens (64 hex) and the PHP plugin's older ones
// (alphanumeric), so links it emailed keep working after adoption.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9]{16,128}$`)

func asStripe(err error, target **stripe.Error) bool { return errors.As(err, target) }

// stripeRefundInput is the Stripe request for a reserved refund, under
// its idempotency key (RefundIdempotencyKey).
func stripeRefundInput(rf store.Refund, j *job.Job, inst store.Installation) stripe.RefundInput {
	key := RefundIdempotencyKey(rf.ID, j.JobID, inst)
	return stripe.RefundInput{PaymentIntentID: *j.StripePaymentIntentID, Amount: int64(rf.Amount), Reason: rf.Reason,
		JobID: j.JobID, Actor: string(rf.Actor), LocalID: strconv.FormatInt(rf.ID, 10), IdempotencyKey: key}
}
