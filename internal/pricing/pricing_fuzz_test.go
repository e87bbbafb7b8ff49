package pricing

import (
	"errors"
	"math/big"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
)

// FuzzQuote checks every quote against the same rules computed with
// unbounded integers: an image is sold exactly when both sides are at least
// 64 pixels, the source and the output are at most 50 MP, and then at the
// exact rounded-up price; anything else is a job.Invalid naming a parameter.
// The seeds in testdata/fuzz/FuzzQuote are the boundaries and the sizes
// whose products overflow 32 and 64 bits.
func FuzzQuote(f *testing.F) {
	p := defaults(f)
	f.Fuzz(func(t *testing.T, w, h int, res string) {
		q, err := p.Quote(w, h, job.Resolution(res))
		factor := job.Resolution(res).Factor()
		bw, bh := big.NewInt(int64(w)), big.NewInt(int64(h))
		src := new(big.Int).Mul(bw, bh)
		out := new(big.Int).Mul(src, big.NewInt(int64(factor*factor)))
		limit := big.NewInt(MaxOutputPixels)
		sellable := factor != 0 && w >= MinInputSide && h >= MinInputSide && src.Cmp(limit) <= 0 && out.Cmp(limit) <= 0
		if !sellable {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || (e.Param != "resolution" && e.Param != "image_width") || e.Message == "" {
				t.Fatalf("%d×%d %q: %+v %v, want an invalid-input refusal", w, h, res, q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%d×%d %q refused: %v", w, h, res, err)
		}
		// credits = ⌈px × 0.25 / 1e6⌉, at least 1; cost = credits × 4¢; price = max(cost × 3, 50¢).
		credits := new(big.Int).Mul(out, big.NewInt(250_000))
		credits.Add(credits, big.NewInt(1e12-1)).Quo(credits, big.NewInt(1e12))
		c := max(credits.Int64(), 1)
		if q.OutputWidth != w*factor || q.OutputHeight != h*factor || int64(q.Credits) != c ||
			q.Cost != job.Money(c*4) || q.Amount != max(job.Money(c*12), 50) {
			t.Fatalf("%d×%d %q: %+v, want %d credits", w, h, res, q, c)
		}
	})
}
