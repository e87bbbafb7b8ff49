package multihost_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/storage/storagetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

const (
	secret        = "multihost-api-secret-0123456789abcdef"
	webhookSecret = "whsec_multihost_0123456789"
	tokenKey      = "multihost-token-key-0123456789abcdef"
	jobs          = 6
)

// host is one `smid serve` process with its own working directory and
// its own way into the bucket (a counting proxy), as if on its own machine.
type host struct {
	name, dir, url string
	objects        *objectProxy
	cmd            *exec.Cmd
	exited         chan struct{}
}

// TestTwoHostsShareDatabaseAndBucket runs two daemons on one database and
// one bucket: jobs bought through either are finished by either, and every
// customer link works on both hosts, since neither keeps files on its disk.
func TestTwoHostsShareDatabaseAndBucket(t *testing.T) {
	weed := storagetest.Start(t)
	bucket := weed.Bucket(t)
	smid := smidBinary(t)
	dsn := storetest.EmptyDB(t)
	db := storetest.Open(t, dsn, storetest.Options{}, true)
	stripeURL := stripetest.StartMock(t)
	mails := mailtest.Start(t)
	up := upscaletest.New(upscaletest.Options{ProcessingTime: 300 * time.Millisecond})
	t.Cleanup(up.Close)

	hosts := []*host{{name: "a"}, {name: "b"}}
	// The site sells one picture and, as the plugin's bridge does, passes
	// Upsampler's callbacks to a daemon: job i's to host i%2, so both finish
	// jobs. route is filled in once the jobs exist.
	var mu sync.Mutex
	route := map[string]*host{}
	site := pipelinetest.Shop(t, func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("job")
		mu.Lock()
		h := route[id]
		mu.Unlock()
		if h == nil {
			http.Error(w, "unknown job", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		res, err := call(h, "POST", "/v1/webhooks/upsampler?job="+url.QueryEscape(id), bytes.NewReader(body), "Content-Type", "application/json")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(res.StatusCode)
	})

	for _, h := range hosts {
		h.objects = newObjectProxy(t, weed.Endpoint)
		h.dir = filepath.Join(t.TempDir(), "host-"+h.name)
		if err := os.MkdirAll(h.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		port := freePort(t)
		h.url = fmt.Sprintf("http://127.0.0.1:%d", port)
		cfg := fmt.Sprintf(`database:
  dsn: %q
api:
  listen: 127.0.0.1:%d
  secret: %q
site:
  url: %q
stripe:
  secret_key: sk_test_multihost0123456789
  webhook_secret: %q
  api_base: %q
upscaler:
  provider: upsampler
  # Callbacks finish the jobs; the poller, slow here, stays out of the way.
  poll_interval: 1m
upsampler:
  api_key: %q
  base_url: %q
network:
  allow_private_hosts: true
mail:
  smtp_host: 127.0.0.1
  smtp_port: %d
storage:
  backend: s3
  # Each host has its own directory.
  dir: %q
  s3:
    endpoint: %q
    bucket: %q
    path_style: true
worker:
  concurrency: 2
  idle_poll: 100ms
downloads:
  # Links and callback proofs are derived from it: every host shares it.
  token_key: %q
`, dsn, port, secret, site.URL, webhookSecret, stripeURL, up.APIKey(), up.URL(), mails.SMTPPort(), filepath.Join(h.dir, "var", "files"), h.objects.URL, bucket.Bucket, tokenKey)
		if err := os.WriteFile(filepath.Join(h.dir, "smid.yaml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		// The bucket's credentials come from the environment, as on a server.
		h.start(t, smid, "AWS_ACCESS_KEY_ID="+bucket.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+bucket.SecretAccessKey)
	}

	// Buy through alternate hosts; Stripe's webhook reaches the other one.
	ctx := context.Background()
	ids := make([]string, jobs)
	for i := range ids {
		buyVia, payVia := hosts[i%2], hosts[(i+1)%2]
		ids[i] = checkout(t, buyVia, site.URL, i)
		mu.Lock()
		route[ids[i]] = hosts[i%2]
		mu.Unlock()
		pay(t, db, payVia, ids[i])
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, id := range ids {
		for {
			j, err := db.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.Status == job.StatusCompleted {
				break
			}
			if j.Status == job.StatusFailed || time.Now().After(deadline) {
				t.Fatalf("job %s is %s (%v); logs:\n%s", id, j.Status, j.LastError, logs(hosts))
			}
			for _, h := range hosts {
				select {
				case <-h.exited:
					t.Fatalf("host %s exited; logs:\n%s", h.name, logs(hosts))
				default:
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// Each host stored some of the files, every one in the shared bucket.
	stored := map[string][]string{}
	for _, h := range hosts {
		stored[h.name] = h.objects.puts()
		if len(stored[h.name]) == 0 {
			t.Errorf("host %s stored no file: both hosts must complete jobs", h.name)
		}
	}
	if n := len(stored["a"]) + len(stored["b"]); n != jobs {
		t.Errorf("%d uploads for %d jobs (a: %q, b: %q), want one each", n, jobs, stored["a"], stored["b"])
	}
	t.Logf("host a stored %d files, host b %d", len(stored["a"]), len(stored["b"]))

	// Every customer's link works on both hosts: the daemon sends the
	// browser to the store, and a download counts once wherever it lands.
	for i, id := range ids {
		msg := mails.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) > 0 && s.To[0].Address == buyer(i) }, 10*time.Second)
		m := regexp.MustCompile(`/smi-download/([0-9a-f]{64})`).FindStringSubmatch(msg.Text)
		if m == nil {
			t.Fatalf("no download link in the email to %s:\n%s", buyer(i), msg.Text)
		}
		token := m[1]
		for n, h := range hosts {
			res, err := call(h, "GET", "/v1/downloads/"+token, nil, "X-SMI-Client-IP", "198.51.100.7")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, h.objects.URL+"/") || res.Header.Get("Cache-Control") != "private, no-store" {
				t.Fatalf("host %s download of job %s: %d to %q (%v), want 302 to its store", h.name, id, res.StatusCode, redact(loc), res.Header)
			}
			body, hdr := fetch(t, loc, "")
			img, err := png.Decode(bytes.NewReader(body))
			if err != nil || img.Bounds().Dx() != 800 || img.Bounds().Dy() != 600 {
				t.Fatalf("host %s served job %s as %d bytes (%v), want the 800×600 PNG", h.name, id, len(body), err)
			}
			if cd := hdr.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.Contains(cd, "hi-res-"+id[:8]+"-4x.png") {
				t.Errorf("Content-Disposition = %q", cd)
			}
			if got := get(t, db, id).DownloadCount; got != n+1 {
				t.Errorf("job %s: %d downloads counted after %d", id, got, n+1)
			}
		}
		// A browser resuming goes to the store again; that is not a new download.
		res, err := call(hosts[0], "GET", "/v1/downloads/"+token, nil, "Range", "bytes=100-")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusFound {
			t.Fatalf("resume: %d, want 302", res.StatusCode)
		}
		if part, _ := fetch(t, res.Header.Get("Location"), "bytes=100-"); len(part) == 0 {
			t.Error("resumed download from the store was empty")
		}
		if got := get(t, db, id).DownloadCount; got != 2 {
			t.Errorf("job %s: a resumed range counted as a download (%d)", id, got)
		}
	}

	// Neither host keeps a delivered file on its own disk.
	for _, h := range hosts {
		_ = filepath.WalkDir(filepath.Join(h.dir, "var", "files"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("host %s left %s on its disk", h.name, p)
			}
			return nil
		})
	}
}

func buyer(i int) string { return fmt.Sprintf("buyer-%d@example.com", i) }

// checkout orders the site's picture through h, as the plugin does.
func checkout(t *testing.T, h *host, siteURL string, i int) string {
	t.Helper()
	order, _ := json.Marshal(map[string]any{"post_id": 7, "attachment_id": 9 + i,
		"image_url": siteURL + "/wp-content/uploads/2026/12/photo.png", "image_width": 200, "image_height": 150,
		"resolution": "4x", "email": buyer(i), "success_url": siteURL + "/thanks", "cancel_url": siteURL + "/cancel"})
	res, err := call(h, "POST", "/v1/checkouts", bytes.NewReader(order), "Content-Type", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		JobID string `json:"job_id"`
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated || json.Unmarshal(body, &out) != nil || out.JobID == "" {
		t.Fatalf("checkout via %s: %d %s", h.name, res.StatusCode, body)
	}
	return out.JobID
}

// pay sends h Stripe's signed checkout.session.completed for the job.
func pay(t *testing.T, db *store.DB, h *host, id string) {
	t.Helper()
	j := get(t, db, id)
	obj := map[string]any{"id": *j.StripeCheckoutSessionID, "object": "checkout.session", "payment_status": "paid",
		"status": "complete", "amount_total": int64(*j.AmountCharged), "currency": "usd", "payment_intent": "pi_" + strings.ReplaceAll(id[:13], "-", ""),
		"client_reference_id": id, "metadata": map[string]string{"job_id": id, "source": "sell-my-images"}}
	payload, sig := stripetest.SignEvent(t, webhookSecret, stripetest.EventJSON("evt_mh_"+id[:8], "checkout.session.completed", obj))
	res, err := call(h, "POST", "/v1/webhooks/stripe", bytes.NewReader(payload), "Stripe-Signature", sig, "Content-Type", "application/json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("stripe webhook via %s: %d %s", h.name, res.StatusCode, body)
	}
}

func get(t *testing.T, db *store.DB, id string) *job.Job {
	t.Helper()
	j, err := db.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// call sends an authenticated API request to h, not following redirects.
func call(h *host, method, path string, body io.Reader, headers ...string) (*http.Response, error) {
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c.Do(req)
}

// fetch GETs a signed URL as the customer's browser would.
func fetch(t *testing.T, u, rng string) ([]byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	want := http.StatusOK
	if rng != "" {
		want = http.StatusPartialContent
	}
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", redact(u), res.StatusCode, body, want)
	}
	return body, res.Header
}

// redact drops a signed URL's query, which is a credential for a while.
func redact(u string) string {
	base, _, _ := strings.Cut(u, "?")
	return base
}

// start runs `smid serve` in h.dir with extra environment.
func (h *host) start(t *testing.T, smid string, env ...string) {
	t.Helper()
	logf, err := os.Create(filepath.Join(h.dir, "smid.log"))
	if err != nil {
		t.Fatal(err)
	}
	h.cmd = exec.Command(smid, "serve", "--config", "smid.yaml")
	h.cmd.Dir = h.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMI_") && !strings.HasPrefix(kv, "AWS_") {
			h.cmd.Env = append(h.cmd.Env, kv)
		}
	}
	h.cmd.Env = append(h.cmd.Env, env...)
	h.cmd.Stdout, h.cmd.Stderr = logf, logf
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.exited = make(chan struct{})
	go func() { h.cmd.Wait(); logf.Close(); close(h.exited) }()
	t.Cleanup(func() {
		h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-h.exited:
		case <-time.After(20 * time.Second):
			h.cmd.Process.Kill()
			<-h.exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(h.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-h.exited:
			t.Fatalf("smid on host %s exited at start:\n%s", h.name, tail(filepath.Join(h.dir, "smid.log")))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("smid on host %s did not answer:\n%s", h.name, tail(filepath.Join(h.dir, "smid.log")))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func logs(hosts []*host) string {
	var b strings.Builder
	for _, h := range hosts {
		fmt.Fprintf(&b, "--- host %s\n%s\n", h.name, tail(filepath.Join(h.dir, "smid.log")))
	}
	return b.String()
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// objectProxy is one host's road to the object store: it passes every
// request on unchanged (the Host header too, which signatures cover) and
// notes the objects uploaded through it.
type objectProxy struct {
	URL      string
	mu       sync.Mutex
	uploaded []string
}

func newObjectProxy(t *testing.T, store string) *objectProxy {
	t.Helper()
	target, err := url.Parse(store)
	if err != nil {
		t.Fatal(err)
	}
	p := &objectProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			p.mu.Lock()
			p.uploaded = append(p.uploaded, r.URL.Path)
			p.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *objectProxy) puts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.uploaded...)
}

// smidBinary is SMI_SMID_BIN (make test passes bin/smid) or a fresh build.
func smidBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SMI_SMID_BIN"); p != "" {
		return p
	}
	out := filepath.Join(t.TempDir(), "smid")
	cmd := exec.Command("go", "build", "-o", out, "../../../daemon")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./daemon: %v\n%s", err, b)
	}
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
