// Package seed makes realistic jobs for demos, tests and benchmarks: every
// status and payment status, 18 months of dates, a few thousand customers,
// posts and attachments, some partial refunds. The same seed and anchor
// always give the same jobs.
package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// Generator produces jobs one at a time in created_at order.
type Generator struct {
	rng    *rand.Rand
	src    *rand.ChaCha8
	start  time.Time
	step   time.Duration
	n, i   int
	emails []string
}

var (
	firstNames = []string{"ann", "bob", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kai", "lena", "mo", "nia", "omar", "pia", "quinn", "raj", "sara", "tom", "uma", "vic", "wen", "xena", "yuri", "zoe"}
	domains    = []string{"example.com", "example.org", "mail.example.net", "photos.example", "studio.example.com", "gmail.example", "outlook.example", "proton.example", "agency.example.co", "press.example.org"}
)

// Emails is how many distinct customers the generator draws from.
const Emails = 3000

// New returns a generator of n jobs spread over the 18 months before until.
func New(seed uint64, n int, until time.Time) *Generator {
	var key [32]byte
	for i := range 8 {
		key[i] = byte(seed >> (8 * i))
	}
	src := rand.NewChaCha8(key)
	g := &Generator{rng: rand.New(src), src: src, n: n}
	g.start = until.AddDate(0, -18, 0).UTC()
	g.step = until.Sub(g.start) / time.Duration(max(n, 1))
	g.emails = make([]string, Emails)
	for i := range g.emails {
		g.emails[i] = fmt.Sprintf("%s.%s%d@%s", firstNames[g.rng.IntN(len(firstNames))], firstNames[g.rng.IntN(len(firstNames))], i, domains[g.rng.IntN(len(domains))])
	}
	return g
}

// Next returns the next job, or nil when all n were made.
func (g *Generator) Next() *job.Job {
	if g.i >= g.n {
		return nil
	}
	r := g.rng
	created := g.start.Add(time.Duration(g.i)*g.step + time.Duration(r.Int64N(int64(max(g.step, time.Second))))).Truncate(time.Second)
	g.i++
	id, _ := uuid.NewRandomFromReader(g.src)
	post := int64(100 + r.IntN(2000))
	att := int64(5000 + r.IntN(5000))
	w, h := 800+r.IntN(3200), 600+r.IntN(2400)
	res := job.Resolution4x
	if r.IntN(3) == 0 {
		res = job.Resolution8x
	}
	f := res.Factor()
	credits := max(1, (w*f*h*f+3_999_999)/4_000_000)
	cost := job.Money(credits * 4)
	price := max(cost*3, 50)
	j := &job.Job{
		JobID: id.String(), ImageURL: fmt.Sprintf("https://example.com/wp-content/uploads/%d/%02d/photo-%d.jpg", created.Year(), created.Month(), att),
		Resolution: res, Email: g.emails[r.IntN(len(g.emails))], PostID: post, AttachmentID: &att,
		ImageWidth: &w, ImageHeight: &h, SourceType: "attachment", Currency: "usd",
		AmountCost: &cost, AmountCharged: &price, CreatedAt: created,
		StripeCheckoutSessionID: ptr("cs_test_" + hex.EncodeToString(id[:12])),
	}
	g.fill(j, credits)
	j.UpdatedAt = created
	for _, t := range []*time.Time{j.PaidAt, j.ProcessingStartedAt, j.CompletedAt, j.FailedAt, j.RefundedAt} {
		if t != nil && t.After(j.UpdatedAt) {
			j.UpdatedAt = *t
		}
	}
	return j
}

// fill decides the job's fate and the timestamps that go with it.
func (g *Generator) fill(j *job.Job, credits int) {
	r := g.rng
	c := j.CreatedAt
	at := func(base time.Time, minS, maxS int) *time.Time {
		t := base.Add(time.Duration(minS+r.IntN(maxS-minS+1)) * time.Second)
		return &t
	}
	paid := func() {
		j.PaymentStatus = job.PaymentPaid
		j.PaidAt = at(c, 30, 600)
		j.StripePaymentIntentID = ptr("pi_test_" + hex.EncodeToString([]byte(j.JobID[:12])))
	}
	p := r.IntN(100)
	switch {
	case p < 8:
		j.Status, j.PaymentStatus = job.StatusAwaitingPayment, job.PaymentPending
		j.AmountCharged = nil
	case p < 22:
		j.Status, j.PaymentStatus = job.StatusAbandoned, job.PaymentPending
		if r.IntN(5) == 0 {
			j.PaymentStatus = job.PaymentFailed
		}
		j.AmountCharged = nil
	case p < 25:
		j.Status = job.StatusPending
		paid()
	case p < 28:
		j.Status = job.StatusProcessing
		paid()
		j.ProcessingStartedAt = at(*j.PaidAt, 1, 30)
		j.UpsamplerJobID = ptr(uuidFrom(g))
		j.Attempts = 1
	case p < 35:
		j.Status = job.StatusFailed
		paid()
		j.ProcessingStartedAt = at(*j.PaidAt, 1, 30)
		j.UpsamplerJobID = ptr(uuidFrom(g))
		j.FailedAt = at(*j.ProcessingStartedAt, 20, 900)
		j.Attempts = 1 + r.IntN(3)
		j.LastError = ptr([]string{"Upsampler: Failed to process image due to an internal error.", "upscale timed out after 15m0s", "source image could not be fetched: 404 Not Found"}[r.IntN(3)])
		if r.IntN(10) > 0 {
			j.PaymentStatus = job.PaymentRefunded
			j.RefundedAt = at(*j.FailedAt, 1, 60)
			j.RefundAmount = j.AmountCharged
			j.RefundReason = ptr("automatic refund: processing failed")
		}
	default:
		j.Status = job.StatusCompleted
		paid()
		j.ProcessingStartedAt = at(*j.PaidAt, 1, 30)
		j.UpsamplerJobID = ptr(uuidFrom(g))
		j.CompletedAt = at(*j.ProcessingStartedAt, 20, 300)
		j.CreditsUsed = &credits
		j.Attempts = 1
		j.EmailSent = true
		ow, oh := *j.ImageWidth*j.Resolution.Factor(), *j.ImageHeight*j.Resolution.Factor()
		j.OutputWidth, j.OutputHeight = &ow, &oh
		j.DownloadCount = r.IntN(4)
		exp := j.CompletedAt.Add(24 * time.Hour)
		j.DownloadExpiresAt = &exp
		sum := sha256.Sum256([]byte(j.JobID + "seed-token"))
		j.DownloadTokenDigest = ptr(hex.EncodeToString(sum[:]))
		switch q := r.IntN(100); {
		case q < 3:
			j.PaymentStatus = job.PaymentRefunded
			j.RefundAmount = j.AmountCharged
			j.RefundReason = ptr("customer asked for a refund")
			j.RefundedAt = at(*j.CompletedAt, 600, 86400)
		case q < 7:
			j.PaymentStatus = job.PaymentPartiallyRefunded
			part := *j.AmountCharged / 2
			j.RefundAmount = &part
			j.RefundReason = ptr("partial refund: image had artefacts")
			j.RefundedAt = at(*j.CompletedAt, 600, 86400)
		}
	}
}

func uuidFrom(g *Generator) string {
	id, _ := uuid.NewRandomFromReader(g.src)
	return id.String()
}

func ptr[T any](v T) *T { return &v }

// Loader is the store's bulk path.
type Loader interface {
	BulkLoad(ctx context.Context, next func() *job.Job, ev store.EventInput, cfg store.BulkLoadConfig) (int, error)
}

// Run loads every job of g, reporting progress after each chunk. The
// generator is sequential, so a seed always gives the same jobs with the
// same ids when the table starts empty.
// phase, when set, hears how long each step of the load took.
func Run(ctx context.Context, l Loader, g *Generator, progress func(done int), phase func(name string, took time.Duration)) (int, error) {
	ev := store.EventInput{Actor: job.ActorSystem, Type: "seeded", Message: "created by smid seed"}
	return l.BulkLoad(ctx, g.Next, ev, store.BulkLoadConfig{Chunk: 50000, Progress: progress, Phase: phase})
}
