// Package stripe is the daemon's one door to Stripe: checkout sessions,
// payment intents, refunds and signed webhooks. It wraps stripe-go behind a
// few small types so the job services never see stripe-go's structs, and it
// keeps no package-level state (stripe-go's global key and backends are never
// touched).
package stripe

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// DefaultCurrency is used when neither Config nor a call names a currency.
const DefaultCurrency = "usd"

// Config is what New needs to talk to Stripe.
type Config struct {
	// SecretKey is the API key (sk_… or a restricted rk_… key). Required.
	SecretKey string
	// WebhookSecret is the endpoint's signing secret (whsec_…). Optional, but
	// VerifyEvent refuses every event without it.
	WebhookSecret string
	// APIBase replaces https://api.stripe.com, e.g. stripe-mock's
	// http://127.0.0.1:12111 in tests.
	APIBase string
	// Currency is the default ISO currency for checkouts (lower case); "usd"
	// when empty.
	Currency string
	// HTTPClient carries every request; a client with a 30s timeout when nil.
	HTTPClient *http.Client
	// MaxNetworkRetries is how often stripe-go retries a request that failed
	// in a way known to be safe to retry; 0 means the default of 2 and a
	// negative value turns retries off.
	MaxNetworkRetries int64
}

// Client calls Stripe with one account's key. It is safe for concurrent use.
type Client struct {
	api           *client.API
	key           string
	webhookSecret string
	currency      string
	live          bool
}

// New checks cfg and builds a Client. It makes no request.
func New(cfg Config) (*Client, error) {
	key := strings.TrimSpace(cfg.SecretKey)
	if key == "" {
		return nil, errors.New("stripe: secret key is required")
	}
	if !strings.HasPrefix(key, "sk_") && !strings.HasPrefix(key, "rk_") {
		// Never echo the value: a publishable or webhook secret pasted here
		// is still a secret.
		return nil, errors.New("stripe: secret key must start with sk_ or rk_")
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.APIBase), "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("stripe: api base must be an http(s) URL")
		}
	}
	retries := cmp.Or(cfg.MaxNetworkRetries, 2)
	if retries < 0 {
		retries = 0
	}
	httpClient := cmp.Or(cfg.HTTPClient, &http.Client{Timeout: 30 * time.Second})

	backend := func(typ stripego.SupportedBackend) stripego.Backend {
		bc := &stripego.BackendConfig{
			HTTPClient: httpClient,
			// stripe-go logs every request and error to stdout/stderr by
			// default; we report through returned errors instead.
			LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
			MaxNetworkRetries: stripego.Int64(retries),
		}
		if base != "" {
			bc.URL = stripego.String(base)
		}
		return stripego.GetBackendWithConfig(typ, bc)
	}
	backends := &stripego.Backends{
		API:     backend(stripego.APIBackend),
		Connect: backend(stripego.ConnectBackend),
		Uploads: backend(stripego.UploadsBackend),
	}
	return &Client{
		api:           client.New(key, backends),
		key:           key,
		webhookSecret: cfg.WebhookSecret,
		currency:      strings.ToLower(cmp.Or(strings.TrimSpace(cfg.Currency), DefaultCurrency)),
		live:          strings.Contains(key, "_live_"),
	}, nil
}

// Mode reports "live" or "test" from the key, for status pages.
func (c *Client) Mode() string {
	if c.live {
		return "live"
	}
	return "test"
}

// Currency is the default currency checkouts use.
func (c *Client) Currency() string { return c.currency }
