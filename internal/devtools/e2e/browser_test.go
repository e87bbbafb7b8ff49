package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sellmyimages/smid/internal/devtools/e2e"
)

// browser is one headless Chromium tab with the helpers the steps share.
type browser struct {
	t   *testing.T
	ctx context.Context // the tab; every step derives a deadline from it

	mu      sync.Mutex
	dialogs []string // messages of the confirm() dialogs accepted so far
}

func chromiumPath(t *testing.T) string {
	if p := os.Getenv("SMI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("chromium is not installed (Debian package chromium): run `make test`, which installs it, or set SMI_CHROMIUM")
	return ""
}

// newBrowser starts Chromium with the flags that work on these machines
// (see WORDPRESS-TESTING.md) and accepts every JavaScript dialog, noting
// its message: the plugin asks confirm() before refunds and bulk actions.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true}) // a dialog already gone is fine
		}
	}()
	return b
}

// lastDialog is the message of the last dialog accepted.
func (b *browser) lastDialog() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) == 0 {
		return ""
	}
	return b.dialogs[len(b.dialogs)-1]
}

// step is a deadline for one step of the test, multiplied by
// SMI_E2E_TIMEOUT_SCALE (a whole number, default 1) on a loaded machine.
func (b *browser) step(d time.Duration) (context.Context, context.CancelFunc) {
	if n, err := strconv.Atoi(os.Getenv("SMI_E2E_TIMEOUT_SCALE")); err == nil && n > 1 {
		d *= time.Duration(n)
	}
	return context.WithTimeout(b.ctx, d)
}

// do runs actions with a 30 s deadline, failing the test on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step(30 * time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
}

// open navigates, waits until sel is visible and the page's scripts are
// ready (settle).
func (b *browser) open(url, sel string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel)))
	b.settle()
}

// settle waits until the page's jQuery ready handlers have run. WordPress
// binds its controls there (the select-all box, Screen Options, the
// pagination inputs), and jQuery 3 runs ready handlers in a timer after
// DOMContentLoaded, so the load event that Navigate waits for can come
// first: CI once clicked the select-all box before WordPress had bound it
// ("0 of 24 rows selected"). A handler queued now runs after theirs.
func (b *browser) settle() {
	b.t.Helper()
	eval[bool](b, `new Promise(function (done) {
		if (!window.jQuery) { done(true); return; }
		jQuery(function () { setTimeout(function () { done(true); }, 0); });
	})`)
}

// follow runs actions that load a new page (a click on a link or a submit
// button) and waits for it; it returns the document's HTTP status.
func (b *browser) follow(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := b.step(45 * time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
	if resp == nil {
		return 0
	}
	if resp.MimeType == "text/html" {
		b.settle()
	}
	return resp.Status
}

// click follows a click on sel.
func (b *browser) click(sel string) int64 {
	b.t.Helper()
	return b.follow("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

func (b *browser) location() string {
	ctx, cancel := b.step(5 * time.Second)
	defer cancel()
	l, _ := chromedp.Run(ctx, chromedp.Location())
	return l
}

// text is the trimmed text content of the first sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step(20 * time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v (page %s)", sel, err, b.location())
	}
	return strings.Join(strings.Fields(s), " ")
}

// eval evaluates JavaScript in the page.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := b.step(30 * time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.80q: %v (page %s)", js, err, b.location())
	}
	return v
}

// count is how many elements match sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string, within time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(within)
	got := ""
	for time.Now().Before(deadline) {
		got = eval[string](b, fmt.Sprintf(`(document.querySelector(%q)||{}).textContent||""`, sel))
		if strings.Contains(got, want) {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("%s says %q after %s, want it to contain %q", sel, strings.TrimSpace(got), within, want)
	return ""
}

// attr is an attribute of the first element sel matches ("" when absent).
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`((document.querySelector(%q)||{getAttribute:function(){return ""}}).getAttribute(%q))||""`, sel, name))
}

// waitAttr waits until sel's attribute name equals want.
func (b *browser) waitAttr(sel, name, want string, within time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	got := ""
	for time.Now().Before(deadline) {
		if got = b.attr(sel, name); got == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("%s has %s=%q after %s, want %q", sel, name, got, within, want)
}

// layoutShifts lists the layout shifts since the page was parsed
// (DOMContentLoaded) that no input caused (Chromium's Layout Instability
// API, the measure behind CLS), each
// as its score and the elements that moved; "" when nothing moved. Elements
// inside within (a selector) may move among themselves: the money strip's
// figures widen as they arrive.
func (b *browser) layoutShifts(within string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`new Promise(function (done) {
		var seen = [], within = %q;
		var inside = function (s) {
			var el = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement);
			return !!(within && el && el.closest(within));
		};
		// Drawn means parsed: before DOMContentLoaded the browser paints the
		// page as it streams in, and a table laid out from its first rows
		// widens its columns as the rest arrive. That is the browser, not
		// the screen; what moves after it is the screen's own doing.
		var nav = performance.getEntriesByType('navigation')[0];
		var drawn = nav ? nav.domContentLoadedEventStart : 0;
		new PerformanceObserver(function (list) {
			list.getEntries().forEach(function (e) {
				if (e.hadRecentInput || e.startTime < drawn || (e.sources || []).every(inside)) { return; }
				seen.push(e.value.toFixed(3) + ' (' + (e.sources || []).map(function (s) {
					var n = s.node;
					return n ? (n.id ? '#' + n.id : n.nodeName.toLowerCase() + (n.className ? '.' + String(n.className).split(' ')[0] : '')) +
						' ' + Math.round(s.previousRect.y) + '->' + Math.round(s.currentRect.y) : '?';
				}).join(', ') + ')');
			});
		}).observe({ type: 'layout-shift', buffered: true });
		setTimeout(function () { done(seen.join('; ')); }, 300);
	})`, within))
}

// row is a line of the Jobs table as the admin sees it.
type row struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Payment string `json:"payment"`
	Badge   string `json:"badge"`
	Email   string `json:"email"`
	Created string `json:"created"`
	Charged string `json:"charged"`
}

// rows reads the Jobs table.
func (b *browser) rows() []row {
	b.t.Helper()
	return eval[[]row](b, `Array.from(document.querySelectorAll('#smi-jobs-table tbody tr.smi-job-row')).map(r => ({
		id: r.dataset.jobId, status: r.dataset.status, payment: r.dataset.paymentStatus,
		badge: (r.querySelector('td.column-status .smi-status') || {}).className || '',
		email: ((r.querySelector('td.column-email') || {}).textContent || '').trim(),
		created: (r.querySelector('td.column-created_at time') || {getAttribute: () => ''}).getAttribute('datetime') || '',
		charged: ((r.querySelector('td.column-amount_charged .smi-amount') || {}).textContent || '').trim(),
	}))`)
}

func ids(rs []row) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

var digitsRE = regexp.MustCompile(`[0-9][0-9,]*`)

// items is the "N items" count above the table.
func (b *browser) items() int {
	b.t.Helper()
	s := b.text(".tablenav.top .displaying-num")
	n, err := strconv.Atoi(strings.ReplaceAll(digitsRE.FindString(s), ",", ""))
	if err != nil {
		b.t.Fatalf("displaying-num %q: %v", s, err)
	}
	return n
}

// screenshot takes a full-page PNG; with SMI_SCREENSHOTS=1 it is saved as
// docs/screenshots/name.
func (b *browser) screenshot(root, name string) {
	b.t.Helper()
	ctx, cancel := b.step(30 * time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(buf)); err != nil {
		b.t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	if os.Getenv("SMI_SCREENSHOTS") == "1" {
		path := filepath.Join(root, "docs", "screenshots", name)
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			b.t.Fatal(err)
		}
		b.t.Logf("saved %s", path)
	}
}

// siteOption sets a WordPress option on the stack's site, as Settings would.
func siteOption(t *testing.T, st *e2e.Stack, name, value string) {
	t.Helper()
	code := `$_SERVER['HTTP_HOST'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/'; require getenv('SMI_SITE') . '/wp-load.php'; update_option(getenv('SMI_OPT'), getenv('SMI_VAL'));`
	cmd := exec.Command("php", "-r", code)
	cmd.Env = append(os.Environ(), "SMI_SITE="+st.SiteDir, "SMI_OPT="+name, "SMI_VAL="+value)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("set %s: %v\n%s", name, err, out)
	}
}
