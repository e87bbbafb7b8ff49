package pipeline_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// failJob makes the job's submission fail for good, which refunds it.
func (b *bundle) failJob(svc *pipeline.Service) {
	b.T.Helper()
	b.Up.ScriptSubmit(upscaletest.Unauthorized())
	if did, err := svc.Work(context.Background()); err != nil || !did {
		b.T.Fatalf("work: %v %v", did, err)
	}
}

func TestRefundRefusedByStripe(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		refuse func(b *bundle, pi string)
		want   string
	}{
		{"disputed charge", func(b *bundle, pi string) { b.Fake.SetDisputed(pi) }, "has been charged back"},
		{"injected refusal", func(b *bundle, _ string) {
			b.Fake.FailNext(400, "charge_disputed", "The charge is under dispute.")
		}, "The charge is under dispute."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
			id, pi := b.Paid("buyer@example.com")
			c.refuse(b, pi)
			b.failJob(b.Svc)

			j := b.wantState(id, job.StatusFailed, job.PaymentPaid) // no money moved
			if !strings.Contains(pipelinetest.Deref(j.LastError), "refund refused by Stripe") || !strings.Contains(pipelinetest.Deref(j.LastError), c.want) {
				t.Fatalf("last_error %q should carry Stripe's refusal %q", pipelinetest.Deref(j.LastError), c.want)
			}
			rs := b.Refunds(id)
			if len(rs) != 1 || rs[0].Status != "failed" || rs[0].Error == nil || !strings.Contains(*rs[0].Error, c.want) || rs[0].StripeRefundID != nil {
				t.Fatalf("refund history %+v", rs)
			}
			if j.RefundAmount != nil {
				t.Fatalf("refund_amount %v after a refused refund", *j.RefundAmount)
			}
			if len(b.Fake.Refunds(pi)) != 0 {
				t.Fatal("Stripe shows a refund")
			}
			// A refusal is final: cron does not ask again, and nobody is told
			// their money is on its way.
			b.Clock.Advance(10 * time.Minute)
			if n, _ := b.Svc.RetryRefunds(context.Background()); n != 0 || b.Fake.RefundRequests() != 1 {
				t.Fatalf("retried %d refused refunds; %d refund requests", n, b.Fake.RefundRequests())
			}
			if n := b.MailsTo("buyer@example.com"); n != 0 {
				t.Fatalf("%d mails sent about a refund that did not happen", n)
			}
		})
	}
}

// wantPendingReservation checks that a refund Stripe never answered is
// kept as a pending reservation, with the money still shown as paid.
func (b *bundle) wantPendingReservation(id string) {
	b.T.Helper()
	b.wantState(id, job.StatusFailed, job.PaymentPaid)
	rs := b.Refunds(id)
	if len(rs) != 1 || rs[0].Status != "pending" || rs[0].StripeRefundID != nil || rs[0].Source != "auto" {
		b.T.Fatalf("refund history %+v, want one pending reservation", rs)
	}
	if n := b.Count(id, "refund_problem"); n != 1 {
		b.T.Fatalf("the job's timeline does not show the problem: %v", b.EventTypes(id))
	}
}

func TestRefundRetriedWhenStripeUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("Stripe fails", func(t *testing.T) {
		t.Parallel()
		b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
		ctx := context.Background()
		id, pi := b.Paid("buyer@example.com")
		b.Fake.FailNext(500, "", "An unknown error occurred")
		b.failJob(b.Svc)
		b.wantPendingReservation(id)

		if n, _ := b.Svc.RetryRefunds(ctx); n != 0 {
			t.Fatal("a fresh reservation was retried at once")
		}
		b.Clock.Advance(2 * time.Minute)
		if n, err := b.Svc.RetryRefunds(ctx); n != 1 || err != nil {
			t.Fatalf("retry: %d, %v", n, err)
		}
		b.Clock.Advance(2 * time.Minute)
		if n, _ := b.Svc.RetryRefunds(ctx); n != 0 {
			t.Fatal("a finished refund was retried")
		}
		b.wantRefunded(id, pi, "buyer@example.com")
		if n := b.Fake.RefundRequests(); n != 2 {
			t.Fatalf("%d refund requests, want the failed one and its retry", n)
		}
	})
	t.Run("Stripe cannot be reached", func(t *testing.T) {
		t.Parallel()
		b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
		ctx := context.Background()
		id, pi := b.Paid("buyer@example.com")
		dead := httptest.NewServer(nil)
		dead.Close()
		down, err := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: pipelinetest.WebhookSecret, APIBase: dead.URL, MaxNetworkRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		cut := b.Replica(b.Config, pipeline.Deps{Payments: down})
		b.failJob(cut)
		b.wantPendingReservation(id)
		if b.Fake.RefundRequests() != 0 {
			t.Fatal("the request reached Stripe")
		}
		b.Clock.Advance(2 * time.Minute)
		if n, _ := b.Svc.RetryRefunds(ctx); n != 1 {
			t.Fatal("the reservation was not retried once Stripe was back")
		}
		b.wantRefunded(id, pi, "buyer@example.com")
	})
	// Stripe made the refund; the answer never came and no webhook either.
	// Retried with the reservation's own key, Stripe answers with the
	// refund it made. Retried after Stripe forgot the key (it keeps one a
	// day only; here, another key), the refund is found in Stripe's list
	// by the row id in its metadata. Either way it is made once.
	for name, c := range map[string]struct {
		forgotten bool
		wait      time.Duration
	}{"Stripe refunded but the answer was lost": {false, 2 * time.Minute}, "Stripe refunded and the retry comes after it forgot the key": {true, 25 * time.Hour}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
			id, pi, _ := b.refundMadeButUnanswered(c.forgotten)
			b.Clock.Advance(c.wait)
			if n, err := b.Svc.RetryRefunds(context.Background()); n != 1 || err != nil {
				t.Fatalf("retry: %d, %v", n, err)
			}
			b.wantRefunded(id, pi, "buyer@example.com")
		})
	}
	t.Run("Stripe's webhook reports it before the retry", func(t *testing.T) {
		t.Parallel()
		b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: quiet(upscaletest.Options{})})
		ctx := context.Background()
		id, pi, made := b.refundMadeButUnanswered(false)
		b.Deliver(b.Signed("evt_ref_created", "refund.created", b.Fake.Refunds(pi)[0]))
		if rs := b.Refunds(id); len(rs) != 1 || rs[0].Status != "succeeded" || pipelinetest.Deref(rs[0].StripeRefundID) != made.ID || rs[0].Source != "auto" {
			t.Fatalf("the webhook did not settle our reservation: %+v", rs)
		}
		b.Clock.Advance(2 * time.Minute)
		if n, _ := b.Svc.RetryRefunds(ctx); n != 0 {
			t.Fatal("a settled reservation was retried")
		}
		j := b.wantState(id, job.StatusFailed, job.PaymentRefunded)
		if *j.RefundAmount != 50 || len(b.Fake.Refunds(pi)) != 1 {
			t.Fatalf("refund_amount %v; Stripe holds %d refunds", *j.RefundAmount, len(b.Fake.Refunds(pi)))
		}
	})
}

// refundMadeButUnanswered fails a paid job while Stripe answers 500, so
// its refund is reserved and unanswered, then makes that refund at Stripe
// as the lost request did: under the reservation's key, or under another
// when Stripe has forgotten it.
func (b *bundle) refundMadeButUnanswered(forgotten bool) (id, pi string, made stripe.Refund) {
	b.T.Helper()
	ctx := context.Background()
	id, pi = b.Paid("buyer@example.com")
	b.Fake.FailNext(500, "", "An unknown error occurred")
	b.failJob(b.Svc)
	b.wantPendingReservation(id)
	rf := b.Refunds(id)[0]
	inst, _ := b.DB.Installation(ctx)
	key := pipeline.RefundIdempotencyKey(rf.ID, id, inst)
	if forgotten {
		key = "forgotten-after-a-day"
	}
	made, err := b.Stripe.CreateRefund(ctx, stripe.RefundInput{PaymentIntentID: pi, Amount: int64(rf.Amount), Reason: rf.Reason,
		JobID: id, Actor: string(rf.Actor), LocalID: strconv.FormatInt(rf.ID, 10), IdempotencyKey: key})
	if err != nil {
		b.T.Fatal(err)
	}
	return id, pi, made
}
