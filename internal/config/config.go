// Package config loads the daemon's settings from a YAML file and the
// environment, checks them once, and hands back a typed Config.
//
// Every key can be overridden by an environment variable named SMI_ plus
// the key path upper-cased with dots turned into underscores:
// database.dsn is SMI_DATABASE_DSN, mail.smtp_port is SMI_MAIL_SMTP_PORT.
// List keys take a comma-separated value from the environment. An empty
// variable counts as unset, as in viper.
package config

import (
	"log/slog"
	"strings"
	"time"
)

// Config is the daemon's whole configuration, one field per YAML section.
// Load fills and validates it; nothing in it changes afterwards.
type Config struct {
	Database  Database
	API       API
	Log       Log
	Site      Site
	Stripe    Stripe
	Upscaler  Upscaler
	Upsampler Upsampler
	Worker    Worker
	Storage   Storage
	Downloads Downloads
	Checkout  Checkout
	Network   Network
	Pricing   Pricing
	Mail      Mail
	Cron      Cron
	Retention Retention
	Batch     Batch
	Notify    Notify

	// Renamed lists the old key names the configuration still used, each
	// with its new name: they work, and serve warns about them.
	Renamed []string
}

// API is the HTTP API that WordPress calls.
type API struct {
	// Listen is host:port, or unix:/path for a Unix socket.
	Listen string
	// Secret is the Bearer token WordPress sends; at least 32 characters.
	Secret Secret
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64
	// ShutdownTimeout bounds how long in-flight requests get on shutdown.
	ShutdownTimeout time.Duration
}

// ListenAddr splits Listen into the arguments of net.Listen.
func (a API) ListenAddr() (network, address string) {
	if path, ok := strings.CutPrefix(a.Listen, "unix:"); ok {
		return "unix", path
	}
	return "tcp", a.Listen
}

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// Log sets up the daemon's slog handler.
type Log struct {
	Level  slog.Level
	Format string // LogText or LogJSON
}

// Site is the public WordPress site. The identity fields override what
// the daemon reads from WordPress's options table; empty keeps WordPress's.
type Site struct {
	// URL is absolute http(s), without a trailing slash; empty until set,
	// which only commands that run the pipeline refuse.
	URL string
	// Name overrides blogname.
	Name string
	// AdminEmail overrides admin_email: where owner notifications go.
	AdminEmail string
	// Timezone overrides timezone_string/gmt_offset: an IANA name or an
	// offset such as UTC+5:30.
	Timezone string
	// Locale overrides WPLANG, such as en_US or de_DE.
	Locale string
	// DateFormat and TimeFormat override date_format and time_format, in
	// PHP date() letters.
	DateFormat, TimeFormat string
	// OptionsRefresh is how often WordPress's options are read again.
	OptionsRefresh time.Duration
}

// Stripe holds the Stripe account settings.
type Stripe struct {
	SecretKey     Secret // sk_… or rk_…
	WebhookSecret Secret // whsec_…
	// APIBase replaces Stripe's API URL (stripe-mock in tests); empty means Stripe.
	APIBase string
	// Currency is a lower-case ISO 4217 code with two decimal places.
	Currency string
	// DashboardURL is where admin links to payments point.
	DashboardURL string
	// RefundOnFraudWarning refunds in full, and revokes, a charge Stripe
	// reports an early fraud warning for.
	RefundOnFraudWarning bool
}

// Upscale providers.
const (
	ProviderUpsampler = "upsampler"
	ProviderLocal     = "local"
)

// Upscaler chooses and paces the upscaling provider.
type Upscaler struct {
	Provider              string // ProviderUpsampler or ProviderLocal
	PollInterval          time.Duration
	Timeout               time.Duration
	MaxAttempts           int
	StatusChecksPerMinute int // Upsampler allows 240
	SubmissionsPerMinute  int // Upsampler allows 90
}

// Upsampler is the upsampler.com account.
type Upsampler struct {
	APIKey  Secret
	BaseURL string // without a trailing slash
}

// Worker sizes the pool that runs jobs.
type Worker struct {
	Concurrency int
	Lease       time.Duration // how long a claimed job stays ours without renewal
	IdlePoll    time.Duration // wait between claims when there is no work
}

// Storage is where delivered files live: a local directory, or a bucket
// of an S3-compatible object store that several hosts share.
type Storage struct {
	Backend      string // StorageLocal or StorageS3
	Dir          string // the files (local), or temp copies before upload (s3)
	MaxFileBytes int64
	// LegacyDir is where the original PHP plugin's files may be served
	// from by their absolute paths; see Config.LegacyDir for its default.
	LegacyDir string

	S3Endpoint        string // http(s)://host[:port] the daemon reaches the store at
	S3PublicEndpoint  string // the same store as browsers reach it; empty: S3Endpoint
	S3Region          string
	S3Bucket          string
	S3Prefix          string
	S3PathStyle       bool
	S3AccessKeyID     string // empty: AWS_ACCESS_KEY_ID from the environment
	S3SecretAccessKey Secret // empty: AWS_SECRET_ACCESS_KEY from the environment
	S3LinkTTL         time.Duration
}

// Storage backends.
const (
	StorageLocal = "local"
	StorageS3    = "s3"
)

// Downloads governs customers' download links.
type Downloads struct {
	Expiry             time.Duration
	FileRetention      time.Duration // never shorter than Expiry
	RevokeOnFullRefund bool
	// TokenKey is the key download links are derived from; empty means a
	// key file kept beside the stored files (see TokenKeyBytes).
	TokenKey Secret
}

// Checkout governs what a customer may buy.
type Checkout struct {
	AbandonAfter time.Duration
	// ImageHosts are lower-case host or host:port entries naming where
	// images offered for sale may be fetched from.
	ImageHosts []string
}

// Network governs outbound fetches.
type Network struct {
	// AllowPrivateHosts lets the daemon fetch from loopback and private
	// addresses; off outside development.
	AllowPrivateHosts bool
}

// Pricing is the price formula, all in exact integers.
type Pricing struct {
	// CostPerCreditMicros is what one provider credit costs, in millionths
	// of the currency's major unit: 0.04 is 40000.
	CostPerCreditMicros int64
	// MicroCreditsPerMegapixel is credits per output megapixel, in
	// millionths: 0.25 is 250000.
	MicroCreditsPerMegapixel int64
	// MarkupPercent is added on top of cost: 200 means price = cost × 3.
	MarkupPercent int64
	// MinimumCents is the lowest price charged, in minor units.
	MinimumCents int64
}

// Mail TLS modes.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// Mail is the SMTP relay and the delivery message.
type Mail struct {
	SMTPHost string
	SMTPPort int
	Username string
	Password Secret
	TLS      string // TLSNone, TLSStartTLS or TLSImplicit
	From     string // an RFC 5322 address; empty means wordpress@<site host>
	ReplyTo  string // optional RFC 5322 address; empty means the site's admin_email
	Subject  string
	// TemplatesDir holds templates replacing the embedded ones by name.
	TemplatesDir string
	// MaxAttempts bounds the tries of a delivery email the server
	// refuses for now; a permanent refusal stops at once.
	MaxAttempts int
}

// Notify switches the shop owner's email notifications.
type Notify struct {
	Sale, Failed, Dispute, Stuck bool
}

// Cron holds the schedules of periodic tasks, in robfig/cron's standard
// syntax: five fields or a descriptor such as "@every 30s" or "@daily".
type Cron struct {
	Poll         string
	ExpireTokens string
	Abandon      string
	Rescue       string
	RetryRefunds string
	Reconcile    string
	Retention    string
	NotifyStuck  string
}

// Retention says when finished jobs are purged; zero keeps them forever.
type Retention struct {
	AbandonedAfter time.Duration
	FailedAfter    time.Duration
}

// Batch sizes admin bulk operations.
type Batch struct {
	Concurrency int
}
