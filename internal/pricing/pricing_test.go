package pricing

import (
	"testing"

	"github.com/sellmyimages/smid/internal/job"
)

func defaults(t *testing.T) *Pricing {
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
	}
	for _, c := range cases {
		q, err := p.Quote(c.w, c.h, c.res)
		if err != nil || q.Credits != c.credits || q.Cost != c.cost || q.Amount != c.price || q.OutputWidth != c.w*c.res.Factor() {
			t.Errorf("%d×%d %s: %+v %v; want credits %d cost %d price %d", c.w, c.h, c.res, q, err, c.credits, c.cost, c.price)
		}
	}
}

func TestQuoteRefusals(t *testing.T) {
	p := defaults(t)
	for _, c := range []struct {
		w, h  int
		res   job.Resolution
		param string
	}{
		{1000, 1000, "16x", "resolution"},
		{63, 1000, "4x", "image_width"},
		{2000, 1000, "8x", "resolution"}, // 128 MP > 50 MP
		{1800, 1800, "4x", "resolution"}, // 51.84 MP
	} {
		_, err := p.Quote(c.w, c.h, c.res)
		e, ok := err.(*job.Error)
		if !ok || e.Code != job.EInvalid || e.Param != c.param {
			t.Errorf("%d×%d %s: %v, want invalid %s", c.w, c.h, c.res, err, c.param)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("zero config accepted")
	}
}

func TestMarkupExact(t *testing.T) {
	p, _ := New(Config{CostPerCreditMicros: 33333, MicroCreditsPerMegapixel: 250000, MarkupPercent: 37, Minimum: 0})
	q, _ := p.Quote(1000, 1000, "4x") // 4 credits × 0.033333 = 0.133332 → cost 14c; ×1.37 = 0.18266484 → 19c
	if q.Cost != 14 || q.Amount != 19 {
		t.Fatalf("cost %d price %d", q.Cost, q.Amount)
	}
}
