package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

// settingsNotifyAndTestEmail switches an owner notification off on the
// Settings screen (the daemon reads the saved option) and sends the test
// email through the daemon to Mailpit.
func settingsNotifyAndTestEmail(t *testing.T, e *env) {
	b, st, ctx := e.b, e.st, e.ctx
	page := st.SiteURL + "/wp-admin/admin.php?page=smi-settings"
	b.open(page, "#smi-notify")
	checked := func(kind string) bool {
		return eval[bool](b, `document.getElementById('smi-notify-`+kind+`').checked`)
	}
	for _, kind := range []string{"sale", "failed", "dispute", "stuck"} {
		if !checked(kind) {
			t.Fatalf("the %s notification is off before anyone saved it; the daemon's notify.%s is on", kind, kind)
		}
	}
	b.do("untick new-sale emails", chromedp.Click(chromedp.ID("smi-notify-sale")))
	b.click("#smi-settings-form #submit")
	b.open(page, "#smi-notify")
	if checked("sale") || !checked("failed") {
		t.Fatalf("after saving: sale %v, failed %v; want sale off, failed on", checked("sale"), checked("failed"))
	}
	db, err := st.OpenDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var saved string
	if err := db.QueryRowContext(ctx, "SELECT option_value FROM wp_options WHERE option_name = 'smi_notify_sale'").Scan(&saved); err != nil || saved != "" {
		t.Fatalf("smi_notify_sale is %q (%v); the daemon reads \"\" as off", saved, err)
	}
	b.screenshot(e.root, "settings.png")

	const to = "settings-test@example.com"
	b.do("address the test email", chromedp.SetValue(chromedp.ID("smi-test-to"), to))
	b.click("#smi-send-test-email")
	if n := b.text("#smi-settings .smi-notice-success:not(#smi-connection-status)"); !strings.Contains(n, "Test email sent to "+to) {
		t.Fatalf("after Send test email the notice says %q", n)
	}
	if _, err := st.WaitMail(ctx, to, 30*time.Second, func(m e2e.Mail) bool {
		return strings.Contains(m.Subject, "Test email from SMI Test Site")
	}); err != nil {
		t.Fatal(err)
	}

	// Leave the switch as it was for whoever runs next on this site.
	b.do("tick new-sale emails again", chromedp.Click(chromedp.ID("smi-notify-sale")))
	b.click("#smi-settings-form #submit")
}
