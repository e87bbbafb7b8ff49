// Package upscaletest is a stand-in for the Upsampler API, served over
// real HTTP, for tests and benchmarks in any package. It follows
// /work/shared/UPSAMPLER.md: Bearer auth, POST /precise-upscale,
// GET /status/{id}, webhooks, and the published rate limits, and it can be
// told to misbehave in the ways the real service might.
//
// Time inside the fake (job progress, rate-limit windows, result expiry)
// runs on Options.Now, so tests can move it forward without sleeping.
// Only Reply.Delay uses the real clock, since its point is to make a
// client's timeout fire.
package upscaletest

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// DefaultAPIKey is the key the fake accepts unless Options.APIKey is set.
const DefaultAPIKey = "fake-upsampler-key"

// Published limits, enforced when Options.EnforceRateLimits is set.
const (
	SubmitsPerMinute = 90
	SubmitsPerHour   = 6000
	StatusPerMinute  = 240
)

// Options shapes a fake. The zero value is a well-behaved, instant service.
type Options struct {
	APIKey string           // default DefaultAPIKey
	Now    func() time.Time // default time.Now

	// QueueTime is how long a job stays IN_QUEUE, ProcessingTime how long
	// it then stays IN_PROGRESS. Both zero: finished by the first status check.
	QueueTime, ProcessingTime time.Duration

	// ImageSize reports the input's size, to price the job and size the
	// result. Default: fetch imageUrl and read its image header. Use
	// FixedSize in load tests that have no images to serve.
	ImageSize func(ctx context.Context, imageURL string) (width, height int, err error)
	// HTTPClient fetches images and delivers webhooks; default a 10s client.
	HTTPClient *http.Client
	// TinyResults serves a 1×1 PNG instead of one of the true output size.
	TinyResults bool
	// ResultTTL is how long result URLs work after a job ends; default 3h.
	ResultTTL time.Duration

	// FailJob, when it returns a non-empty message for a job's imageUrl,
	// makes that job end FAILED with that message instead of SUCCESS.
	FailJob func(imageURL string) string

	// Webhook says when and how often finished jobs are announced;
	// WebhookDelay is the gap used by WebhookEarly and WebhookLate.
	Webhook      WebhookMode
	WebhookDelay time.Duration

	// EnforceRateLimits answers 429 beyond the published limits.
	EnforceRateLimits bool

	// TickInterval is how often, in real time, the fake checks for jobs
	// whose webhook is due; default 10ms. Tick does it on demand.
	TickInterval time.Duration
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	now    func() time.Time
	client *http.Client
	http   *httptest.Server

	mu           sync.Mutex
	jobs         map[string]*job
	submits      int
	attempts     int
	perURL       map[string]int
	statusChecks int
	rateLimited  int
	submitScript []Reply
	statusScript []Reply
	submitMinute window
	submitHour   window
	statusMinute window
	deliveries   []Delivery
	delivered    chan struct{} // closed and replaced after each delivery
	pngs         map[[2]int][]byte

	stop chan struct{}
	done chan struct{}
}

// New starts a fake on a local port. Call Close when done.
func New(opts Options) *Server {
	opts.APIKey = cmp.Or(opts.APIKey, DefaultAPIKey)
	opts.ResultTTL = cmp.Or(opts.ResultTTL, 3*time.Hour)
	opts.TickInterval = cmp.Or(opts.TickInterval, 10*time.Millisecond)
	s := &Server{
		opts:         opts,
		now:          opts.Now,
		client:       cmp.Or(opts.HTTPClient, webhookClient()),
		jobs:         make(map[string]*job),
		perURL:       make(map[string]int),
		submitMinute: window{limit: SubmitsPerMinute, span: time.Minute},
		submitHour:   window{limit: SubmitsPerHour, span: time.Hour},
		statusMinute: window{limit: StatusPerMinute, span: time.Minute},
		delivered:    make(chan struct{}),
		pngs:         make(map[[2]int][]byte),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.ImageSize == nil {
		s.opts.ImageSize = s.fetchImageSize
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /precise-upscale", s.handleSubmit)
	mux.HandleFunc("GET /status/{id}", s.handleStatus)
	mux.HandleFunc("GET /results/{file}", s.handleResult)
	s.http = httptest.NewServer(mux)
	go s.loop()
	return s
}

// URL is the API base, to use as UpsamplerConfig.BaseURL.
func (s *Server) URL() string { return s.http.URL }

// APIKey is the key the fake accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// Close stops webhook delivery and the server. Requests still in flight,
// such as a delayed Reply, are waited for.
func (s *Server) Close() {
	select {
	case <-s.stop:
		return
	default:
	}
	close(s.stop)
	<-s.done
	s.http.Close()
}

func (s *Server) loop() {
	defer close(s.done)
	t := time.NewTicker(s.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Tick()
		}
	}
}

// webhookClient keeps a connection per concurrent webhook delivery.
func webhookClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Timeout: 10 * time.Second, Transport: t}
}
