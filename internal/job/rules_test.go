package job

import (
	"testing"
	"time"
)

func money(m Money) *Money { return &m }
func str(s string) *string { return &s }

func TestPaymentAfterRefunds(t *testing.T) {
	for _, c := range []struct {
		cur      PaymentStatus
		charged  *Money
		refunded Money
		want     PaymentStatus
	}{
		{PaymentPaid, money(500), 0, PaymentPaid},
		{PaymentPaid, money(500), 1, PaymentPartiallyRefunded},
		{PaymentPartiallyRefunded, money(500), 500, PaymentRefunded},
		{PaymentRefunded, money(500), 0, PaymentPaid}, // a refund Stripe failed gives the money back
		{PaymentPaid, money(500), 700, PaymentRefunded},
		{PaymentPending, money(500), 500, PaymentPending}, // never captured: unchanged
		{PaymentDisputed, money(500), 500, PaymentDisputed},
		{PaymentPaid, nil, 500, PaymentPaid},
	} {
		if got := PaymentAfterRefunds(c.cur, c.charged, c.refunded); got != c.want {
			t.Errorf("PaymentAfterRefunds(%s, %v, %d) = %s, want %s", c.cur, c.charged, c.refunded, got, c.want)
		}
	}
}

func TestRefundable(t *testing.T) {
	pi := str("pi_1")
	for _, c := range []struct {
		j        Job
		refunded Money
		want     Money
	}{
		{Job{PaymentStatus: PaymentPaid, AmountCharged: money(1299), StripePaymentIntentID: pi}, 0, 1299},
		{Job{PaymentStatus: PaymentPartiallyRefunded, AmountCharged: money(1299), StripePaymentIntentID: pi}, 300, 999},
		{Job{PaymentStatus: PaymentRefunded, AmountCharged: money(1299), StripePaymentIntentID: pi}, 1299, 0},
		{Job{PaymentStatus: PaymentPending, AmountCharged: money(1299), StripePaymentIntentID: pi}, 0, 0},
		{Job{PaymentStatus: PaymentPaid, AmountCharged: money(1299)}, 0, 0}, // no PaymentIntent to refund through
		{Job{PaymentStatus: PaymentDisputed, AmountCharged: money(1299), StripePaymentIntentID: pi}, 0, 0},
		{Job{PaymentStatus: PaymentPaid, AmountCharged: money(1299), StripePaymentIntentID: pi}, 2000, 0},
	} {
		if got := Refundable(&c.j, c.refunded); got != c.want {
			t.Errorf("Refundable(%s, charged %v, refunded %d) = %d, want %d", c.j.PaymentStatus, *c.j.AmountCharged, c.refunded, got, c.want)
		}
		if (RefundRefusal(&c.j, c.refunded) == "") != (c.want > 0) {
			t.Errorf("RefundRefusal disagrees with Refundable for %+v", c)
		}
	}
}

func TestJobActions(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	f := Facts{Now: now, UpscaleTimeout: 15 * time.Minute, RevokeOnFullRefund: true}
	path, dig, pi, sess := str("ab/x.png"), str("d"), str("pi_1"), str("cs_1")
	completed := Job{Status: StatusCompleted, PaymentStatus: PaymentPaid, AmountCharged: money(500), StripePaymentIntentID: pi,
		StripeCheckoutSessionID: sess, UpscaledFilePath: path, DownloadTokenDigest: dig, DownloadExpiresAt: &later, Email: "a@b.c", CompletedAt: &earlier}
	a := ActionVerdicts(&completed, f)
	for _, act := range Actions {
		if act == ActionSetStatus {
			continue
		}
		if !a[act].Allowed {
			t.Errorf("completed paid job: %s refused: %s", act, a[act].Reason)
		}
	}
	if a[ActionSetStatus].Allowed {
		t.Error("no override leaves completed")
	}

	expired := completed
	expired.DownloadExpiresAt = &earlier
	if a := ActionVerdicts(&expired, f); a[ActionResendEmail].Allowed || !a[ActionRegenerateToken].Allowed {
		t.Errorf("expired link: resend %v, regenerate %v", a[ActionResendEmail], a[ActionRegenerateToken])
	}

	refunded := completed
	refunded.PaymentStatus, refunded.RefundedAt = PaymentRefunded, &now
	if a := ActionVerdicts(&refunded, Facts{Now: now, Refunded: 500, RevokeOnFullRefund: true}); a[ActionRegenerateToken].Allowed || a[ActionRefund].Allowed ||
		a[ActionRetry].Allowed == false || len(a[ActionRetry].Requires) != 1 || a[ActionRetry].Requires[0] != "allow_unpaid" {
		t.Errorf("refunded job: %+v", a)
	}

	disputed := completed
	disputed.PaymentStatus = PaymentDisputed
	if a := ActionVerdicts(&disputed, f); a[ActionRegenerateToken].Allowed || a[ActionRefund].Allowed {
		t.Errorf("disputed job may not get a link or a refund: %+v", a)
	}

	running := Job{Status: StatusProcessing, PaymentStatus: PaymentPaid, LeaseExpiresAt: &later}
	if v := RetryVerdict(&running, f); !v.Allowed || len(v.Requires) != 1 || v.Requires[0] != "force" {
		t.Errorf("running job retry: %+v", v)
	}
	queued := Job{Status: StatusPending, PaymentStatus: PaymentPaid, DueAt: &now}
	if v := RetryVerdict(&queued, f); v.Allowed {
		t.Error("a queued job cannot be queued again")
	}
	if v := RetryVerdict(&completed, Facts{Now: now, RefundInFlight: true}); v.Allowed {
		t.Error("retry while a refund is in flight")
	}
	if a := ActionVerdicts(&Job{Status: StatusAwaitingPayment}, f); a[ActionReconcile].Allowed || !a[ActionSetStatus].Allowed || len(a[ActionSetStatus].Targets) != 2 {
		t.Errorf("awaiting payment without a session: %+v", a)
	}
}

func TestAttention(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	old := now.Add(-20 * time.Minute)
	f := Facts{Now: now, UpscaleTimeout: 15 * time.Minute}
	for _, c := range []struct {
		j    Job
		f    Facts
		want []string
	}{
		{Job{Status: StatusFailed}, f, []string{AttentionFailed}},
		{Job{Status: StatusProcessing, ProcessingStartedAt: &old}, f, []string{AttentionStuck}},
		{Job{Status: StatusProcessing, ProcessingStartedAt: &now}, f, []string{}},
		{Job{Status: StatusCompleted, Email: "a@b.c"}, f, []string{AttentionEmailNotSent}},
		{Job{Status: StatusCompleted, Email: "a@b.c", EmailSent: true, PaymentStatus: PaymentDisputed}, f, []string{AttentionDisputed}},
		{Job{Status: StatusCompleted, EmailSent: true}, Facts{Now: now, RefundInFlight: true}, []string{AttentionRefundPending}},
	} {
		got := Attention(&c.j, c.f)
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("Attention(%s/%s) = %v, want %v", c.j.Status, c.j.PaymentStatus, got, c.want)
		}
	}
}

func TestDisputeStateOrder(t *testing.T) {
	for _, c := range []struct {
		cur, next string
		older     bool
	}{
		{"under_review", "needs_response", true}, {"needs_response", "under_review", false},
		{"won", "under_review", true}, {"lost", "needs_response", true}, {"needs_response", "won", false},
		{"under_review", "under_review", false}, {"", "needs_response", false},
	} {
		if got := DisputeStateIsOlder(c.cur, c.next); got != c.older {
			t.Errorf("DisputeStateIsOlder(%q, %q) = %v", c.cur, c.next, got)
		}
	}
}
