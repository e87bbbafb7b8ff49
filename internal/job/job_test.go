package job

import (
	"testing"
	"time"
)

func TestDecimalRoundTrip(t *testing.T) {
	cases := []struct {
		in   string
		want Money
		out  string
	}{
		{"12.34", 1234, "12.34"}, {"0.5", 50, "0.50"}, {"7", 700, "7.00"}, {"0.00", 0, "0.00"},
		{"-3.05", -305, "-3.05"}, {"99999999.99", 9999999999, "99999999.99"}, {"1.100", 110, "1.10"},
	}
	for _, c := range cases {
		got, err := ParseDecimal(c.in)
		if err != nil || got != c.want || got.Decimal() != c.out {
			t.Errorf("ParseDecimal(%q) = %d, %v → %q; want %d → %q", c.in, got, err, got.Decimal(), c.want, c.out)
		}
	}
	for _, bad := range []string{"", "1.005", "abc", "1.2.3", "--1", "1,00", "0x10"} {
		if _, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", bad)
		}
	}
	for m := Money(-1000); m <= 100000; m += 7 {
		if back, err := ParseDecimal(m.Decimal()); err != nil || back != m {
			t.Fatalf("%d → %q → %d", m, m.Decimal(), back)
		}
	}
}

func TestTransitionsAndOverrides(t *testing.T) {
	for _, c := range []struct {
		from, to Status
		ok       bool
	}{
		{StatusAwaitingPayment, StatusPending, true}, {StatusPending, StatusProcessing, true},
		{StatusProcessing, StatusCompleted, true}, {StatusProcessing, StatusFailed, true},
		{StatusCompleted, StatusAwaitingPayment, false}, {StatusAbandoned, StatusCompleted, false},
	} {
		if CanTransition(c.from, c.to) != c.ok {
			t.Errorf("CanTransition(%s, %s) != %v", c.from, c.to, c.ok)
		}
	}
	if CanOverride(StatusCompleted, StatusPending) || !CanOverride(StatusProcessing, StatusFailed) || !CanOverride(StatusFailed, StatusCompleted) {
		t.Error("override table wrong")
	}
	if !NeedsStripeConfirmation(StatusAbandoned, StatusPending) || NeedsStripeConfirmation(StatusProcessing, StatusFailed) {
		t.Error("Stripe confirmation rule wrong")
	}
	for from := range overrides {
		for _, to := range OverrideTargets(from) {
			if !to.Valid() {
				t.Errorf("override to unknown status %q", to)
			}
		}
	}
}

func TestParseLists(t *testing.T) {
	if s, err := ParseStatuses("pending, failed"); err != nil || len(s) != 2 {
		t.Fatal(s, err)
	}
	if _, err := ParseStatuses("pending,done"); err == nil {
		t.Fatal("unknown status accepted")
	}
	if _, err := ParsePaymentStatuses("paid,refunded,partially_refunded"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"wp:1:admin", "wp:42:jane.doe@x"} {
		if _, err := ParseActor(a); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
	for _, a := range []string{"system", "wp:0:x", "wp:1:", "wp:x:y", "wp:1:a\nb"} {
		if _, err := ParseActor(a); err == nil {
			t.Errorf("%q accepted", a)
		}
	}
}

func TestTokenState(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := "abc"
	later, earlier := now.Add(time.Hour), now.Add(-time.Second)
	if (&Job{}).TokenStateAt(now) != TokenNone ||
		(&Job{DownloadTokenDigest: &d, DownloadExpiresAt: &later}).TokenStateAt(now) != TokenActive ||
		(&Job{DownloadTokenDigest: &d, DownloadExpiresAt: &earlier}).TokenStateAt(now) != TokenExpired ||
		(&Job{DownloadTokenDigest: &d, DownloadExpiresAt: &now}).TokenStateAt(now) != TokenExpired {
		t.Fatal("token states wrong")
	}
}
