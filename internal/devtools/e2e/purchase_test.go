package e2e_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// buyFromTheButton has a visitor buy the image with the buy button; Stripe's
// webhook then arrives through the plugin's bridge, and the delivery email
// has a working link.
func buyFromTheButton(t *testing.T, e *env) {
	b, st, ctx := e.b, e.st, e.ctx
	p, err := st.AddProduct(ctx, "e2e-photo", "E2E photo", srcW, srcH)
	if err != nil {
		t.Fatal(err)
	}
	b.open(p.Permalink, fmt.Sprintf(`.smi-buy-button[data-attachment-id="%d"]`, p.AttachmentID))
	b.do("open the dialog", chromedp.Click(chromedp.CSS(".smi-buy-button"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#smi-buy-options input[name=resolution][value="4x"]`)))
	if !strings.Contains(b.text("#smi-buy-options"), "1200 × 800 px") {
		t.Fatalf("the 4x option does not say its size: %q", b.text("#smi-buy-options"))
	}
	// The submit sends the browser to Stripe's (stripe-mock's) checkout
	// page; there is no internet here, so look at the request it makes.
	sctx, cancel := b.step(30 * time.Second)
	defer cancel()
	reqs := chromedp.Events(sctx, network.RequestWillBeSent)
	b.do("choose and pay", chromedp.Click(chromedp.CSS(`#smi-buy-options input[value="4x"]`)),
		chromedp.SendKeys(chromedp.ID("smi-buy-email"), buyer),
		chromedp.Click(chromedp.ID("smi-buy-submit")))
	checkout := ""
	for ev, err := range reqs {
		if err != nil {
			t.Fatalf("no navigation to the checkout page within 30s (%v); the dialog says %q", err, b.text("#smi-buy-message"))
		}
		if ev.Type == network.ResourceTypeDocument && strings.HasPrefix(ev.Request.URL, "https://checkout.stripe.com/") {
			checkout = ev.Request.URL
			break
		}
	}
	t.Logf("redirected to %s", checkout)

	list, err := st.Jobs(ctx, url.Values{"email": {buyer}})
	if err != nil || list.Total != 1 {
		t.Fatalf("jobs of %s: %+v %v", buyer, list, err)
	}
	j := list.Jobs[0]
	if j.Status != "awaiting_payment" || j.Resolution != "4x" {
		t.Fatalf("after checkout the job is %s/%s", j.Status, j.Resolution)
	}
	code, body, err := st.PayThroughSite(ctx, j.JobID)
	if err != nil || code != http.StatusOK || !strings.Contains(body, `"duplicate":false`) {
		t.Fatalf("webhook through /smi-webhook/stripe/: %d %s %v", code, body, err)
	}
	e.bought, err = st.WaitStatus(ctx, j.JobID, "completed", time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.WaitMail(ctx, buyer, 30*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.firstLink = m.DownloadLink(); !strings.HasPrefix(e.firstLink, st.SiteURL+"/smi-download/") {
		t.Fatalf("delivery email %q has no download link: %s", m.Subject, m.Text)
	}
	wantPNG(t, e.firstLink, 4*srcW, 4*srcH)

	// Back from Stripe, the post follows the job until it is ready.
	b.open(p.Permalink+"?smi_checkout=success", "#smi-checkout-notice")
	b.waitText("#smi-checkout-notice", "Your image is ready", 20*time.Second)
}
