// Package pricing turns an image's size into Upsampler credits, processing
// cost and the customer's price, in exact integer arithmetic.
package pricing

import (
	"fmt"

	"github.com/sellmyimages/smid/internal/job"
)

// MaxOutputPixels is Upsampler's output limit for a precise upscale.
const MaxOutputPixels = 50_000_000

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

// New checks the configuration.
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
	return &Pricing{cfg: cfg}, nil
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

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// Credits is what an upscale of w×h by factor costs in Upsampler credits:
// the rate per output megapixel, rounded up to whole credits, at least 1.
func (p *Pricing) Credits(w, h, factor int) int {
	px := int64(w*factor) * int64(h*factor)
	return int(max(1, ceilDiv(px*p.cfg.MicroCreditsPerMegapixel, 1_000_000*1_000_000)))
}

// Quote prices one resolution, or says why the image cannot be sold at it.
func (p *Pricing) Quote(w, h int, res job.Resolution) (Quote, error) {
	f := res.Factor()
	if f == 0 {
		return Quote{}, job.Invalid("resolution", "unknown resolution %q (accepted: 4x, 8x)", res)
	}
	if w < MinInputSide || h < MinInputSide {
		return Quote{}, job.Invalid("image_width", "image is too small: %d×%d; both sides must be at least %d pixels", w, h, MinInputSide)
	}
	ow, oh := w*f, h*f
	if int64(ow)*int64(oh) > MaxOutputPixels {
		return Quote{}, job.Invalid("resolution", "%s of a %d×%d image is %d×%d, over Upsampler's limit of 50 megapixels", res, w, h, ow, oh)
	}
	credits := p.Credits(w, h, f)
	costMicros := int64(credits) * p.cfg.CostPerCreditMicros
	cost := job.Money(ceilDiv(costMicros, 10_000))
	price := job.Money(ceilDiv(costMicros*(100+p.cfg.MarkupPercent), 100*10_000))
	price = max(price, p.cfg.Minimum)
	return Quote{Resolution: res, Amount: price, Credits: credits, Cost: cost, OutputWidth: ow, OutputHeight: oh}, nil
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

// CostOf is what credits cost, in minor units, rounded up.
func (p *Pricing) CostOf(credits int) job.Money {
	return job.Money(ceilDiv(int64(credits)*p.cfg.CostPerCreditMicros, 10_000))
}
