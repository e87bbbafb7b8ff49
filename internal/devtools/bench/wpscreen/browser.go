package wpscreen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// browser is an admin logged in to the site: a cookie jar and no
// redirects followed, so a lost session shows up as an error, not as the
// login form being timed.
type browser struct {
	base   string
	client *http.Client
}

func newBrowser(base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, client: &http.Client{
		Jar:           jar,
		Timeout:       5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login does what a person does: GET wp-login.php for the test cookie,
// then POST the form.
func (b *browser) login(ctx context.Context, user, password string) error {
	if _, _, err := b.get(ctx, "/wp-login.php"); err != nil {
		return err
	}
	form := url.Values{"log": {user}, "pwd": {password}, "testcookie": {"1"}, "wp-submit": {"Log In"}, "redirect_to": {b.base + "/wp-admin/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/wp-login.php", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "wordpress_logged_in_") {
			return nil
		}
	}
	return fmt.Errorf("login as %s failed: %s, no wordpress_logged_in_ cookie", user, resp.Status)
}

// get requests path and reads the whole body; the duration is from before
// the request is sent until its last byte is read.
func (b *browser) get(ctx context.Context, path string) (time.Duration, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return 0, nil, err
	}
	start := time.Now()
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	d := time.Since(start)
	resp.Body.Close()
	if err != nil {
		return d, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return d, body, fmt.Errorf("GET %s: %s (Location %q)", path, resp.Status, resp.Header.Get("Location"))
	}
	return d, body, nil
}

// probe is what smi-bench-probe.php reports at the end of a screen.
type probe struct {
	TotalMS, HTTPMS, SQLMS float64
	// SQLParts are the original page's queries: status counts, COUNT(*)
	// and the page.
	SQLParts           [3]float64
	HTTPCalls, Queries int
	Opcache            bool
	WP, PHP            string
}

var probeRE = regexp.MustCompile(`<!-- smi-bench ([^>]*) -->`)

// parseProbe reads the probe's comment; ok is false when there is none.
func parseProbe(body []byte) (p probe, ok bool) {
	m := probeRE.FindSubmatch(body)
	if m == nil {
		return p, false
	}
	for _, kv := range strings.Fields(string(m[1])) {
		k, v, _ := strings.Cut(kv, "=")
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "total_ms":
			p.TotalMS = f
		case "http_ms":
			p.HTTPMS = f
		case "sql_ms":
			p.SQLMS = f
		case "sql_parts":
			for i, part := range strings.SplitN(v, ",", 3) {
				p.SQLParts[i], _ = strconv.ParseFloat(part, 64)
			}
		case "http_calls":
			p.HTTPCalls = int(f)
		case "queries":
			p.Queries = int(f)
		case "opcache":
			p.Opcache = f == 1
		case "wp":
			p.WP = v
		case "php":
			p.PHP = v
		}
	}
	return p, true
}

// A screen's rows: the plugin's list table marks each with
// id="smi-job-<uuid>", the replayed original page with data-job-id.
var (
	smidRowRE   = regexp.MustCompile(`<tr id="smi-job-([0-9a-fA-F-]+)"`)
	legacyRowRE = regexp.MustCompile(`<tr class="smi-legacy-row" data-job-id="([^"]+)"`)
)

func rowIDs(re *regexp.Regexp, body []byte) []string {
	var ids []string
	for _, m := range re.FindAllSubmatch(body, -1) {
		ids = append(ids, strings.ToLower(string(m[1])))
	}
	return ids
}
