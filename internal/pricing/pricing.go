// Package pricing turns an image's size into Upsampler credits, processing
// cost and the customer's price, in exact integer arithmetic.
//
// Every product and sum is checked: the sizes come from a visitor, so an
// input that would overflow is refused, never quoted at a wrapped-around
// price.
package pricing

import (
	"fmt"
	"math"

	"github.com/sellmyimages/smid/internal/job"
)

// MaxOutputPixels is Upsampler's output limit for a precise upscale.
const MaxOutputPixels = 50_000_000

// MaxSourcePixels is the largest source image on sale. Every factor on sale
// is at least 4, so a larger source could never fit MaxOutputPixels; the
// limit is checked first so that the output's size cannot overflow.
const MaxSourcePixels = 50_000_000

// MinInputSide is the smallest image side worth upscaling.
const MinInputSide = 64

// Config holds the prices. Rates with sub-cent precision are in millionths.
type Config struct {
	CostPerCreditMicros      int64 // currency major units × 1e6 per credit (0.04 → 40000)
	MicroCreditsPerMegapixel int64 // credits × 1e6 per output megapixel (0.25 → 250000)
	MarkupPercent            int64 // 200 → price = cost × 3
	Minimum                  job.Money
	Currency                 string
}

// Pricing computes quotes.
type Pricing struct{ cfg Config }

// New checks the configuration, including that the largest image on sale
// has a price that fits in a Money.
func New(cfg Config) (*Pricing, error) {
	switch {
	case cfg.CostPerCreditMicros <= 0:
		return nil, fmt.Errorf("pricing: cost per credit must be above 0")
	case cfg.MicroCreditsPerMegapixel <= 0:
		return nil, fmt.Errorf("pricing: credits per megapixel must be above 0")
	case cfg.MarkupPercent < 0:
		return nil, fmt.Errorf("pricing: markup must not be negative")
	case cfg.Minimum < 0:
		return nil, fmt.Errorf("pricing: minimum must not be negative")
	}
	if cfg.Currency == "" {
		cfg.Currency = "usd"
	}
	p := &Pricing{cfg: cfg}
	if _, _, _, ok := p.price(MaxOutputPixels); !ok {
		return nil, fmt.Errorf("pricing: a %d-pixel upscale at these rates costs more than can be charged", MaxOutputPixels)
	}
	return p, nil
}

// Quote is the price of one resolution of one image.
type Quote struct {
	Resolution   job.Resolution `json:"resolution"`
	Amount       job.Money      `json:"amount"`
	Credits      int            `json:"credits"`
	Cost         job.Money      `json:"cost"`
	OutputWidth  int            `json:"output_width"`
	OutputHeight int            `json:"output_height"`
}

// Resolutions on sale, in the order they are offered.
var Resolutions = []job.Resolution{job.Resolution4x, job.Resolution8x}

// mul is a×b for non-negative a and b, and false when it overflows.
func mul(a, b int64) (int64, bool) {
	if a < 0 || b < 0 || (a != 0 && b > math.MaxInt64/a) {
		return 0, false
	}
	return a * b, true
}

// ceilDiv is a/b rounded up, for a ≥ 0 and b > 0; it cannot overflow.
func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// credits is the Upsampler credits of an output of px pixels: the rate per
// megapixel, rounded up to whole credits, at least 1.
func (p *Pricing) credits(px int64) (int64, bool) {
	micro, ok := mul(px, p.cfg.MicroCreditsPerMegapixel)
	if !ok {
		return 0, false
	}
	c := max(1, ceilDiv(micro, 1_000_000*1_000_000))
	return c, c <= math.MaxInt
}

// price is the credits, cost and customer price of an output of px pixels,
// and false when one of them does not fit.
func (p *Pricing) price(px int64) (credits int64, cost, amount job.Money, ok bool) {
	credits, ok = p.credits(px)
	if !ok {
		return 0, 0, 0, false
	}
	costMicros, ok := mul(credits, p.cfg.CostPerCreditMicros)
	if !ok {
		return 0, 0, 0, false
	}
	marked, ok := mul(costMicros, 100+p.cfg.MarkupPercent)
	if !ok {
		return 0, 0, 0, false
	}
	cost = job.Money(ceilDiv(costMicros, 10_000))
	amount = max(job.Money(ceilDiv(marked, 100*10_000)), p.cfg.Minimum)
	return credits, cost, amount, true
}

// Credits is what an upscale of w×h by factor costs in Upsampler credits:
// the rate per output megapixel, rounded up to whole credits, at least 1.
// It is 0, meaning unknown, when a side or the factor is not positive or
// the count does not fit in an int.
func (p *Pricing) Credits(w, h, factor int) int {
	if w <= 0 || h <= 0 || factor <= 0 {
		return 0
	}
	px, ok := mul(int64(w), int64(h))
	for range 2 {
		if ok {
			px, ok = mul(px, int64(factor))
		}
	}
	var c int64
	if ok {
		c, ok = p.credits(px)
	}
	if !ok {
		return 0
	}
	return int(c)
}

// Quote prices one resolution, or says why the image cannot be sold at it.
// Every refusal is a job.Invalid naming the parameter at fault.
func (p *Pricing) Quote(w, h int, res job.Resolution) (Quote, error) {
	f := res.Factor()
	if f == 0 {
		return Quote{}, job.Invalid("resolution", "unknown resolution %q (accepted: 4x, 8x)", res)
	}
	if w < MinInputSide || h < MinInputSide {
		return Quote{}, job.Invalid("image_width", "image is too small: %d×%d; both sides must be at least %d pixels", w, h, MinInputSide)
	}
	src, ok := mul(int64(w), int64(h))
	if !ok || src > MaxSourcePixels {
		return Quote{}, job.Invalid("image_width", "image is too large: %d×%d is over the limit of 50 megapixels", w, h)
	}
	// src ≤ 5e7 and both sides ≥ 64, so no side exceeds 781250 and the
	// output's sides and area below fit easily.
	ow, oh := w*f, h*f
	out := src * int64(f) * int64(f)
	if out > MaxOutputPixels {
		return Quote{}, job.Invalid("resolution", "%s of a %d×%d image is %d×%d, over Upsampler's limit of 50 megapixels", res, w, h, ow, oh)
	}
	credits, cost, amount, ok := p.price(out)
	if !ok {
		// New refuses rates at which the largest output overflows.
		return Quote{}, job.Invalid("resolution", "%s of a %d×%d image costs more than can be charged", res, w, h)
	}
	return Quote{Resolution: res, Amount: amount, Credits: int(credits), Cost: cost, OutputWidth: ow, OutputHeight: oh}, nil
}

// CreditsFor estimates what re-running a job will spend.
func (p *Pricing) CreditsFor(j *job.Job) int {
	if j.ImageWidth == nil || j.ImageHeight == nil || j.Resolution.Factor() == 0 {
		if j.CreditsUsed != nil {
			return *j.CreditsUsed
		}
		return 0
	}
	return p.Credits(*j.ImageWidth, *j.ImageHeight, j.Resolution.Factor())
}

// Currency is the currency prices are in.
func (p *Pricing) Currency() string { return p.cfg.Currency }

// CostOf is what credits cost, in minor units, rounded up. The credits come
// from the provider: a negative count costs 0 and a count whose cost does
// not fit is recorded as the largest Money rather than a wrapped value.
func (p *Pricing) CostOf(credits int) job.Money {
	if credits <= 0 {
		return 0
	}
	micros, ok := mul(int64(credits), p.cfg.CostPerCreditMicros)
	if !ok {
		return math.MaxInt64
	}
	return job.Money(ceilDiv(micros, 10_000))
}
