package faults

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/proc"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/stripe/stripetest"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// Options shape a stack.
type Options struct {
	// DSN is the database smid uses; empty means a fresh database on the
	// server SMI_TEST_DSN names.
	DSN string
	// Upsampler shapes the fake; its FailJob is set by the stack (image
	// URLs with "fail" in them fail).
	Upsampler upscaletest.Options
	// ResultDelay holds every result download this long before the first
	// byte, and as long again before the rest.
	ResultDelay time.Duration
	// CallbackCopies is how many times at once each Upsampler callback is
	// forwarded to the daemon (default 1).
	CallbackCopies int
	// Cron overrides cron schedules (key: the name under cron:).
	Cron map[string]string
	// PollInterval and UpscaleTimeout are upscaler.poll_interval (1s)
	// and upscaler.timeout (30s: a kill that forces a job into doubt costs
	// that long; shorter, retried downloads would time out upscales that
	// succeeded).
	PollInterval, UpscaleTimeout time.Duration
	// Extra is YAML appended to the configuration.
	Extra string
}

// Stack is everything but smid, running, plus the smid replicas started
// on it. Each part runs for the test and is stopped when it ends.
type Stack struct {
	t    *testing.T
	opts Options
	dir  string
	bin  string

	DSN           string
	Secret        string
	WebhookSecret string
	ConfigPath    string

	Up     *upscaletest.Server
	upURL  string // the proxy in front of the fake
	Stripe *stripeRecorder
	Mail   *mailtest.Server
	site   *httptest.Server
	Checks *checkLog

	mu       sync.Mutex
	replicas []*Replica
	turn     atomic.Int64
}

// NewStack starts stripe-mock, Mailpit, the Upsampler fake and the site,
// writes smid's configuration and migrates the database.
func NewStack(t *testing.T, o Options) *Stack {
	t.Helper()
	bin := os.Getenv("SMI_SMID_BIN")
	if bin == "" {
		t.Fatal("SMI_SMID_BIN must name the smid binary (make build; make test sets it)")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("SMI_SMID_BIN: %v (run make build)", err)
	}
	s := &Stack{t: t, opts: o, dir: t.TempDir(), bin: bin, Secret: randomHex(24),
		WebhookSecret: "whsec_" + randomHex(16), Checks: &checkLog{}}
	s.DSN = cmp.Or(o.DSN, storetest.EmptyDB(t))

	mockURL, stop, err := stripetest.StartMockProcess()
	if err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	t.Cleanup(stop)
	s.Stripe = newStripeRecorder(t, mockURL)
	s.Mail = mailtest.Start(t)

	s.site = pipelinetest.Shop(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.forwardCallback(r.URL.RawQuery, body)
		w.WriteHeader(http.StatusOK)
	})

	uo := o.Upsampler
	uo.FailJob = func(u string) string {
		if strings.Contains(u, "fail") {
			return "Upscale failed: the model could not process this image"
		}
		return ""
	}
	s.Up = upscaletest.New(uo)
	t.Cleanup(s.Up.Close)
	s.upURL = newUpsamplerProxy(t, s.Up, o.ResultDelay, s.Checks)

	s.writeConfig()
	if out, err := s.run("migrate"); err != nil {
		t.Fatalf("smid migrate: %v\n%s", err, out)
	}
	t.Cleanup(s.StopAll)
	return s
}

func (s *Stack) writeConfig() {
	cron := map[string]string{"poll": "@every 1s", "rescue": "@every 1s", "retry_refunds": "@every 2s",
		"expire_tokens": "@every 1m", "abandon": "@every 1h", "reconcile": "@every 24h", "retention": "@daily"}
	for k, v := range s.opts.Cron {
		cron[k] = v
	}
	var cr strings.Builder
	for _, k := range []string{"poll", "rescue", "retry_refunds", "expire_tokens", "abandon", "reconcile", "retention"} {
		fmt.Fprintf(&cr, "  %s: %q\n", k, cron[k])
	}
	host := strings.TrimPrefix(s.site.URL, "http://")
	yaml := fmt.Sprintf(`database:
  dsn: %q
api:
  listen: 127.0.0.1:8787
  secret: %q
  shutdown_timeout: 3s
log:
  level: info
site:
  url: %q
stripe:
  secret_key: sk_test_faults0123456789
  webhook_secret: %q
  api_base: %q
upscaler:
  provider: upsampler
  poll_interval: %s
  timeout: %s
  max_attempts: 3
upsampler:
  api_key: %q
  base_url: %q
worker:
  concurrency: 4
  lease: 5s
  idle_poll: 200ms
checkout:
  image_hosts: [%q]
network:
  allow_private_hosts: true
mail:
  smtp_host: 127.0.0.1
  smtp_port: %d
  from: Fault suite <shop@example.com>
storage:
  dir: %q
cron:
%s%s`, s.DSN, s.Secret, s.site.URL, s.WebhookSecret, s.Stripe.URL(),
		cmp.Or(s.opts.PollInterval, time.Second), cmp.Or(s.opts.UpscaleTimeout, 30*time.Second), s.Up.APIKey(), s.upURL, host,
		s.Mail.SMTPPort(), filepath.Join(s.dir, "files"), cr.String(), s.opts.Extra)
	s.ConfigPath = filepath.Join(s.dir, "smid.yaml")
	if err := os.WriteFile(s.ConfigPath, []byte(yaml), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// env is the environment smid runs with: ours without SMI_ settings (a
// stray SMI_DATABASE_DSN would override the configuration), plus extra.
func (s *Stack) env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMI_") && !strings.HasPrefix(kv, "SMID_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

func (s *Stack) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := proc.Start("smid-"+args[0], filepath.Join(s.dir, "smid-"+args[0]+".log"), s.env(),
		append([]string{s.bin}, append(args, "--config", s.ConfigPath)...)...)
	if err != nil {
		return "", err
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		p.Kill()
	}
	return p.Tail(4000), p.Err()
}

// forwardCallback is what the WordPress plugin does with Upsampler's
// callback: hand it to the daemon, here to the next live replica,
// CallbackCopies times at once.
func (s *Stack) forwardCallback(query string, body []byte) {
	live := s.Live()
	if len(live) == 0 {
		return // the daemon is down: the callback is lost, as it would be
	}
	body = bytes.ReplaceAll(body, []byte(s.Up.URL()), []byte(s.upURL))
	copies := max(1, s.opts.CallbackCopies)
	var wg sync.WaitGroup
	for i := range copies {
		r := live[(int(s.turn.Add(1))+i)%len(live)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := r.post("/v1/webhooks/upsampler?"+query, "application/json", body, nil)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
}

// Live lists the replicas whose process runs.
func (s *Stack) Live() []*Replica {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Replica
	for _, r := range s.replicas {
		if r.Running() {
			out = append(out, r)
		}
	}
	return out
}

// StopAll stops every replica (SIGTERM, then SIGKILL).
func (s *Stack) StopAll() {
	s.mu.Lock()
	rs := append([]*Replica(nil), s.replicas...)
	s.mu.Unlock()
	for _, r := range rs {
		r.Stop()
	}
}

// Logs is the end of every replica's log, for a failed test.
func (s *Stack) Logs() string {
	s.mu.Lock()
	rs := append([]*Replica(nil), s.replicas...)
	s.mu.Unlock()
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "--- %s\n%s\n", r.name, proc.TailFile(r.logPath, 3000))
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
