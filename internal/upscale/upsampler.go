package upscale

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/netguard"
)

// DefaultUpsamplerURL is the production API base.
const DefaultUpsamplerURL = "https://upsampler.com/api/v1"

// UpsamplerConfig configures an Upsampler.
type UpsamplerConfig struct {
	BaseURL        string        // default DefaultUpsamplerURL
	APIKey         string        // required; sent only as a Bearer token
	HTTPClient     *http.Client  // for API calls; default a client keeping connections for concurrent calls
	Timeout        time.Duration // per API call; default 30s
	InputImageType string        // "universal" (default), "realism" or "anime"
	// FetchClient downloads result images. Default: a netguard client for
	// any public host, since results live on a CDN we cannot name.
	FetchClient  *http.Client
	FetchTimeout time.Duration // per download when FetchClient is nil; default 10m
	// Now reads the clock for Retry-After dates; default time.Now.
	Now func() time.Time
}

// Upsampler is the Upsampler precise-upscale API.
type Upsampler struct {
	base      string
	key       string
	client    *http.Client
	fetch     *http.Client
	timeout   time.Duration
	imageType string
	now       func() time.Time
}

// NewUpsampler checks cfg and returns a client for the API.
func NewUpsampler(cfg UpsamplerConfig) (*Upsampler, error) {
	base := strings.TrimRight(cmp.Or(cfg.BaseURL, DefaultUpsamplerURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upsampler: base URL %q must be an absolute http(s) URL", base)
	}
	if cfg.APIKey == "" {
		return nil, errors.New("upsampler: API key is required")
	}
	// Checked here so that net/http never gets to complain about the header
	// value later, in an error that might end up in a job's last_error.
	if strings.ContainsFunc(cfg.APIKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("upsampler: API key contains spaces or control characters")
	}
	imageType := cmp.Or(cfg.InputImageType, "universal")
	switch imageType {
	case "universal", "realism", "anime":
	default:
		return nil, fmt.Errorf("upsampler: input image type %q is not universal, realism or anime", imageType)
	}
	fetch := cfg.FetchClient
	if fetch == nil {
		fetch = netguard.Policy{}.Client(cmp.Or(cfg.FetchTimeout, 10*time.Minute))
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Upsampler{
		base:      base,
		key:       cfg.APIKey,
		client:    cmp.Or(cfg.HTTPClient, apiClient()),
		fetch:     fetch,
		timeout:   cmp.Or(cfg.Timeout, 30*time.Second),
		imageType: imageType,
		now:       now,
	}, nil
}

// Name identifies the provider.
func (u *Upsampler) Name() string { return "upsampler" }

// Submit asks for a precise upscale. A 200 whose status is FAILED is
// returned as a Permanent error together with the Submission, so the caller
// can still record the job ID.
func (u *Upsampler) Submit(ctx context.Context, imageURL string, factor int, webhookURL string) (Submission, error) {
	if err := validFactor(factor); err != nil {
		return Submission{}, err
	}
	if imageURL == "" {
		return Submission{}, permanent("No image URL was given.")
	}
	body, err := json.Marshal(submitRequest{
		Webhook: webhookURL,
		Input:   submitInput{ImageURL: imageURL, InputImageType: u.imageType, UpscaleFactor: factor},
	})
	if err != nil {
		return Submission{}, permanent("Could not encode the request: %v.", err)
	}
	var resp jobResponse
	if err := u.call(ctx, http.MethodPost, "/precise-upscale", body, &resp); err != nil {
		var e *Error
		if errors.As(err, &e) && e.HTTPStatus >= 200 && e.HTTPStatus <= 299 {
			// A garbled 200 may still have created, and charged for, a job;
			// submitting again could pay twice, so a person should look.
			e.Kind = Permanent
		}
		return Submission{}, err
	}
	sub := Submission{ID: resp.ID, Status: Status(resp.Status), CreditCost: resp.credits(), Error: resp.Error.String()}
	switch {
	case sub.Status == StatusFailed:
		return sub, u.scrub(&Error{Kind: Permanent, Msg: "Upsampler refused the job: " + cmp.Or(sub.Error, "no reason given"), HTTPStatus: http.StatusOK})
	case sub.ID == "":
		// Without an ID the job cannot be followed; retrying could pay twice
		// for an image we would never see, so this is not worth a retry.
		return sub, &Error{Kind: Permanent, Msg: "Upsampler accepted the job but returned no job ID.", HTTPStatus: http.StatusOK}
	case !storableID(sub.ID):
		// An id the jobs table cannot hold would fail to be recorded, and
		// a job whose submission is not recorded is one day sent again.
		n := len(sub.ID)
		sub.ID = ""
		return sub, &Error{Kind: Permanent, Msg: fmt.Sprintf("Upsampler accepted the job but returned a job ID of %d bytes that cannot be stored.", n), HTTPStatus: http.StatusOK}
	}
	return sub, nil
}

// Status looks up job id.
func (u *Upsampler) Status(ctx context.Context, id string) (Result, error) {
	if id == "" {
		return Result{}, permanent("No Upsampler job ID was given.")
	}
	var resp jobResponse
	if err := u.call(ctx, http.MethodGet, "/status/"+url.PathEscape(id), nil, &resp); err != nil {
		return Result{}, err
	}
	if resp.Status == "" {
		// Nothing to act on; asking again costs nothing.
		return Result{}, transient("Upsampler's status answer for job %s had no status.", id)
	}
	if !storableID(resp.ID) {
		resp.ID = "" // the job asked about is the one answered for
	}
	return Result{
		ID:         cmp.Or(resp.ID, id),
		Status:     Status(resp.Status),
		ImageURL:   resp.ImageURL,
		CreditCost: resp.credits(),
		Error:      resp.Error.String(),
	}, nil
}

// call does one API request and decodes a 2xx JSON answer into out.
func (u *Upsampler) call(ctx context.Context, method, path string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, bytes.NewReader(body))
	if err != nil {
		return permanent("Could not build the Upsampler request: %v.", err)
	}
	req.Header.Set("Authorization", "Bearer "+u.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := u.client.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Transient, Msg: "Upsampler did not answer in time.", Err: err}
	}
	if err != nil {
		return u.scrub(&Error{Kind: Transient, Msg: "Could not reach Upsampler: " + causeText(err), Err: err})
	}
	defer resp.Body.Close()
	raw, err := readLimited(resp.Body, maxAPIBody)
	if err != nil {
		return u.scrub(&Error{Kind: Transient, Msg: "Upsampler's answer was cut off: " + err.Error(), HTTPStatus: resp.StatusCode, Err: err})
	}
	// Redacted before any excerpt is cut, so no cut can leave part of the
	// key behind; scrub still catches a key spelled with JSON escapes.
	raw = bytes.ReplaceAll(raw, []byte(u.key), []byte("[redacted]"))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := errorMessage(raw, resp.StatusCode)
		e := &Error{Kind: kindForHTTP(resp.StatusCode, msg), Msg: "Upsampler said: " + msg, HTTPStatus: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), u.now())
		}
		return u.scrub(e)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return u.scrub(&Error{Kind: Transient, Msg: "Upsampler's answer was not the JSON we expect: " + snippet(raw), HTTPStatus: resp.StatusCode, Err: err})
	}
	return nil
}

// scrub removes the API key from an error's text. We never put it there,
// but a proxy or the service might echo the header back in a body.
func (u *Upsampler) scrub(e *Error) *Error {
	e.Msg = strings.ReplaceAll(e.Msg, u.key, "[redacted]")
	if e.Err != nil && strings.Contains(e.Err.Error(), u.key) {
		e.Err = errors.New(strings.ReplaceAll(e.Err.Error(), u.key, "[redacted]"))
	}
	return e
}

// apiClient keeps as many idle connections to the API as workers and
// callback handlers may use at once; the standard client keeps two per
// host, so concurrent calls would otherwise open (and TLS-handshake) a
// new connection each.
func apiClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}
