package httpapi_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

// Sizes whose pixel counts overflow 32 or 64 bits are refused with a 400
// that names the field and says why, on the price list and at checkout;
// none is quoted at the minimum price.
func TestPricesRefuseOverflowingSizes(t *testing.T) {
	t.Parallel()
	e := pipelinetest.New(t, pipelinetest.Options{FakeStripe: true})
	b := pipelineServer(t, e)
	for _, size := range [][2]string{
		{"2147483647", "2147483647"}, {"9223372036854775807", "9223372036854775807"}, {"4294967296", "4294967296"}, {"10001", "5000"},
	} {
		resp, body := b.do("GET", "/v1/prices?image_width="+size[0]+"&image_height="+size[1], nil)
		if resp.StatusCode != 400 || !bytes.Contains(body, []byte(`"param":"image_width"`)) || !bytes.Contains(body, []byte("over the limit of 50 megapixels")) {
			t.Errorf("prices for %s×%s: %d %s", size[0], size[1], resp.StatusCode, body)
		}
		order := `{"post_id":7,"attachment_id":9,"image_url":"` + e.Site.URL + `/wp-content/uploads/a.png","image_width":` + size[0] +
			`,"image_height":` + size[1] + `,"resolution":"8x","success_url":"` + e.Site.URL + `/ok","cancel_url":"` + e.Site.URL + `/no"}`
		resp, body = b.do("POST", "/v1/checkouts", strings.NewReader(order), "Content-Type", "application/json", "X-SMI-Actor", "wp:1:admin")
		var got apiError
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v in %s", err, body)
		}
		if resp.StatusCode != 400 || got.Error.Param != "image_width" || !strings.Contains(got.Error.Message, "too large") {
			t.Errorf("checkout of %s×%s: %d %s", size[0], size[1], resp.StatusCode, body)
		}
	}
	// One past the largest int64 is not a number at all.
	resp, body := b.do("GET", "/v1/prices?image_width=9223372036854775808&image_height=64", nil)
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte("image_width must be a positive integer")) {
		t.Errorf("prices past int64: %d %s", resp.StatusCode, body)
	}
}
