package pricing

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
)

func defaults(t testing.TB) *Pricing {
	p, err := New(Config{CostPerCreditMicros: 40000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 200, Minimum: 50})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQuotes(t *testing.T) {
	p := defaults(t)
	cases := []struct {
		w, h    int
		res     job.Resolution
		credits int
		cost    job.Money
		price   job.Money
	}{
		// 1000×1000 ×4 = 16 MP → 4 credits → $0.16 cost → $0.48, below the $0.50 minimum.
		{1000, 1000, "4x", 4, 16, 50},
		// 1500×1000 ×4 = 24 MP → 6 credits → $0.24 → $0.72.
		{1500, 1000, "4x", 6, 24, 72},
		// 1001×1000 ×4 = 16.016 MP → 4.004 credits → rounded up to 5.
		{1001, 1000, "4x", 5, 20, 60},
		// 800×600 ×8 = 30.72 MP → 7.68 → 8 credits → $0.32 → $0.96.
		{800, 600, "8x", 8, 32, 96},
		// tiny output still costs one credit.
		{64, 64, "4x", 1, 4, 50},
		// The smallest image on sale, at 8x.
		{64, 64, "8x", 1, 4, 50},
		// Exactly 50 MP out: 1250×2500 ×4 = 5000×10000 → 12.5 → 13 credits → $0.52 → $1.56.
		{1250, 2500, "4x", 13, 52, 156},
		// Exactly 50 MP out at 8x: 625×1250 → 5000×10000.
		{625, 1250, "8x", 13, 52, 156},
		// A long thin image: 64×48828 ×4 = 256×195312 = 49.99 MP.
		{64, 48828, "4x", 13, 52, 156},
	}
	for _, c := range cases {
		q, err := p.Quote(c.w, c.h, c.res)
		if err != nil || q.Credits != c.credits || q.Cost != c.cost || q.Amount != c.price ||
			q.OutputWidth != c.w*c.res.Factor() || q.OutputHeight != c.h*c.res.Factor() {
			t.Errorf("%d×%d %s: %+v %v; want credits %d cost %d price %d", c.w, c.h, c.res, q, err, c.credits, c.cost, c.price)
		}
	}
}

func TestQuoteRefusals(t *testing.T) {
	p := defaults(t)
	const maxInt32 = math.MaxInt32
	for _, c := range []struct {
		w, h  int
		res   job.Resolution
		param string
		msg   string
	}{
		{1000, 1000, "16x", "resolution", "unknown resolution"},
		{1000, 1000, "", "resolution", "unknown resolution"},
		{63, 1000, "4x", "image_width", "too small"},
		{1000, 63, "4x", "image_width", "too small"},
		{0, 0, "4x", "image_width", "too small"},
		{-1000, -1000, "4x", "image_width", "too small"},
		{math.MinInt, math.MinInt, "8x", "image_width", "too small"},
		{2000, 1000, "8x", "resolution", "over Upsampler's limit"}, // 128 MP > 50 MP
		{1800, 1800, "4x", "resolution", "over Upsampler's limit"}, // 51.84 MP
		// One pixel over 50 MP out, on either side and at either factor.
		{1251, 2500, "4x", "resolution", "over Upsampler's limit"},
		{1250, 2501, "4x", "resolution", "over Upsampler's limit"},
		{626, 1250, "8x", "resolution", "over Upsampler's limit"},
		{64, 48829, "4x", "resolution", "over Upsampler's limit"},
		// A 50 MP source passes the source limit and fails the output one;
		// one pixel more is refused before any output is computed.
		{5000, 10000, "4x", "resolution", "over Upsampler's limit"},
		{5000, 10001, "4x", "image_width", "too large"},
		{10001, 5000, "8x", "image_width", "too large"},
		{64, 781251, "4x", "image_width", "too large"},
		// Sizes whose products overflow 32 and 64 bits: refused, not quoted at the minimum.
		{maxInt32, maxInt32, "8x", "image_width", "too large"},
		{maxInt32, maxInt32, "4x", "image_width", "too large"},
		{maxInt32, 64, "8x", "image_width", "too large"},
		{math.MaxInt, math.MaxInt, "8x", "image_width", "too large"},
		{math.MaxInt, 64, "4x", "image_width", "too large"},
		{1 << 32, 1 << 32, "8x", "image_width", "too large"}, // wraps to exactly 0 in 64 bits
		{1 << 61, 64, "8x", "image_width", "too large"},      // ×8 wraps to 0
	} {
		q, err := p.Quote(c.w, c.h, c.res)
		var e *job.Error
		if !errors.As(err, &e) || e.Code != job.EInvalid || e.Param != c.param || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%d×%d %s: %+v %v, want invalid %s %q", c.w, c.h, c.res, q, err, c.param, c.msg)
		}
	}
}

func TestNewRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		msg  string
	}{
		{"zero", Config{}, "cost per credit"},
		{"no rate", Config{CostPerCreditMicros: 1}, "credits per megapixel"},
		{"negative markup", Config{CostPerCreditMicros: 1, MicroCreditsPerMegapixel: 1, MarkupPercent: -1}, "markup"},
		{"negative minimum", Config{CostPerCreditMicros: 1, MicroCreditsPerMegapixel: 1, Minimum: -1}, "minimum"},
		// 50 MP × rate overflows int64 before it is divided into credits.
		{"huge rate", Config{CostPerCreditMicros: 1, MicroCreditsPerMegapixel: math.MaxInt64 / 1000}, "costs more than"},
		// 13 credits × cost per credit overflows.
		{"huge cost", Config{CostPerCreditMicros: math.MaxInt64 / 10, MicroCreditsPerMegapixel: 250000}, "costs more than"},
		// The cost fits, the markup does not.
		{"huge markup", Config{CostPerCreditMicros: math.MaxInt64 / 1000, MicroCreditsPerMegapixel: 250000, MarkupPercent: 100000}, "costs more than"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %q", c.name, err, c.msg)
		}
	}
}

// At the largest rates New accepts, the largest output on sale is quoted
// exactly, with no wrapped-around value.
func TestLargestAcceptedRates(t *testing.T) {
	// 13 credits × cost × (100+0)% must fit: the cost per credit is as large as that allows.
	cost := int64(math.MaxInt64 / 13 / 100)
	p, err := New(Config{CostPerCreditMicros: cost, MicroCreditsPerMegapixel: 250000})
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.Quote(1250, 2500, "4x")
	exact := new(big.Int).Mul(big.NewInt(13*cost), big.NewInt(100))
	exact.Add(exact, big.NewInt(999_999)).Quo(exact, big.NewInt(1_000_000))
	want := job.Money(exact.Int64())
	if err != nil || q.Credits != 13 || q.Amount != want || q.Amount <= 0 {
		t.Fatalf("%+v %v, want amount %d", q, err, want)
	}
	if _, err := New(Config{CostPerCreditMicros: cost + 1, MicroCreditsPerMegapixel: 250000}); err == nil {
		t.Fatal("a rate one micro above the limit was accepted")
	}
}

func TestMarkupExact(t *testing.T) {
	p, _ := New(Config{CostPerCreditMicros: 33333, MicroCreditsPerMegapixel: 250000, MarkupPercent: 37, Minimum: 0})
	q, _ := p.Quote(1000, 1000, "4x") // 4 credits × 0.033333 = 0.133332 → cost 14c; ×1.37 = 0.18266484 → 19c
	if q.Cost != 14 || q.Amount != 19 {
		t.Fatalf("cost %d price %d", q.Cost, q.Amount)
	}
}

func TestCreditsAndCostOfAnyInput(t *testing.T) {
	p := defaults(t)
	w, h := 1000, 800
	for _, c := range []struct {
		name    string
		j       job.Job
		credits int
	}{
		{"re-run of a 4x", job.Job{ImageWidth: &w, ImageHeight: &h, Resolution: "4x"}, 4},   // 12.8 MP → 3.2 → 4
		{"re-run of an 8x", job.Job{ImageWidth: &w, ImageHeight: &h, Resolution: "8x"}, 13}, // 51.2 MP → 12.8 → 13
		{"unknown size falls back to credits used", job.Job{Resolution: "4x", CreditsUsed: ptr(7)}, 7},
		{"huge stored size is unknown", job.Job{ImageWidth: ptr(math.MaxInt), ImageHeight: ptr(math.MaxInt), Resolution: "8x"}, 0},
		{"64-bit overflow size is unknown", job.Job{ImageWidth: ptr(math.MaxInt32), ImageHeight: ptr(math.MaxInt32), Resolution: "8x"}, 0},
		{"32-bit overflow size is counted exactly", job.Job{ImageWidth: ptr(math.MaxInt32), ImageHeight: ptr(64), Resolution: "8x"},
			// (2³¹−1)×64 × 64 px × 0.25 credit/MP, rounded up.
			int((int64(math.MaxInt32)*64*64/4 + 999_999) / 1_000_000)},
		{"negative stored size is unknown", job.Job{ImageWidth: ptr(-5), ImageHeight: &h, Resolution: "4x"}, 0},
	} {
		if got := p.CreditsFor(&c.j); got != c.credits {
			t.Errorf("%s: %d credits, want %d", c.name, got, c.credits)
		}
	}
	if got := p.Credits(math.MaxInt32, 2, math.MaxInt); got != 0 {
		t.Errorf("huge factor: %d credits, want 0", got)
	}
	for _, c := range []struct {
		credits int
		cost    job.Money
	}{{0, 0}, {-3, 0}, {math.MinInt, 0}, {1, 4}, {13, 52}, {math.MaxInt, math.MaxInt64}} {
		if got := p.CostOf(c.credits); got != c.cost {
			t.Errorf("CostOf(%d) = %d, want %d", c.credits, got, c.cost)
		}
	}
}

func ptr[T any](v T) *T { return &v }
