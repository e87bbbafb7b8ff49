package config

import (
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"
)

// field is one configuration key: its default, where its value goes and
// how it is checked. The table in fields is the only list of keys; the
// defaults, the environment names, the unknown-key check and LogValue all
// come from it.
type field struct {
	key    string
	def    any                 // the default, as it would be written in YAML
	parse  func(raw any) error // stores the value; the message omits the key
	show   func() slog.Value   // for LogValue; never a secret
	secret bool                // its value is scrubbed from error text
}

const mib = 1 << 20

// fields lists every key, bound to c's fields, in the order of
// example.yaml.
func fields(c *Config) []field {
	d, a, s, u, m, cr, st := &c.Database, &c.API, &c.Stripe, &c.Upscaler, &c.Mail, &c.Cron, &c.Storage
	return []field{
		dsnField("database.dsn", &d.rawDSN, d),
		strField("database.wp_config", "", &d.WPConfig),
		strField("database.table_prefix", "", &d.TablePrefix, optional(tablePrefix)),
		intField("database.max_open_conns", 20, &d.MaxOpenConns, 1, 1000),
		intField("database.max_idle_conns", 10, &d.MaxIdleConns, 0, 1000),
		durField("database.conn_max_lifetime", "3m", &d.ConnMaxLifetime, within(0, 5*time.Minute)),
		durField("database.conn_max_idle_time", "1m", &d.ConnMaxIdleTime, nonNegative),

		strField("api.listen", "127.0.0.1:8787", &a.Listen, listenAddr),
		secretField("api.secret", &a.Secret, minChars(32)),
		intField("api.max_body_bytes", int64(1*mib), &a.MaxBodyBytes, 1, 1<<30),
		durField("api.shutdown_timeout", "15s", &a.ShutdownTimeout, positive),

		levelField("log.level", "info", &c.Log.Level),
		strField("log.format", LogText, &c.Log.Format, oneOf(LogText, LogJSON)),

		strField("site.url", "", &c.Site.URL, optional(httpURL)),
		strField("site.name", "", &c.Site.Name, oneLine),
		strField("site.admin_email", "", &c.Site.AdminEmail, optional(address)),
		strField("site.timezone", "", &c.Site.Timezone, optional(timezone)),
		strField("site.locale", "", &c.Site.Locale, optional(locale)),
		strField("site.date_format", "", &c.Site.DateFormat, oneLine),
		strField("site.time_format", "", &c.Site.TimeFormat, oneLine),
		durField("site.options_refresh", "5m", &c.Site.OptionsRefresh, positive),

		secretField("stripe.secret_key", &s.SecretKey, optional(hasPrefix("sk_", "rk_"))),
		secretField("stripe.webhook_secret", &s.WebhookSecret, optional(hasPrefix("whsec_"))),
		strField("stripe.api_base", "", &s.APIBase, optional(httpURL)),
		strField("stripe.currency", "usd", &s.Currency, currency),
		strField("stripe.dashboard_url", "https://dashboard.stripe.com", &s.DashboardURL, httpURL),
		boolField("stripe.refund_on_fraud_warning", true, &s.RefundOnFraudWarning),

		strField("upscaler.provider", ProviderUpsampler, &u.Provider, oneOf(ProviderUpsampler, ProviderLocal)),
		durField("upscaler.poll_interval", "30s", &u.PollInterval, positive),
		durField("upscaler.timeout", "15m", &u.Timeout, positive),
		intField("upscaler.max_attempts", 5, &u.MaxAttempts, 1, 100),
		intField("upscaler.status_checks_per_minute", 200, &u.StatusChecksPerMinute, 1, 240),
		intField("upscaler.submissions_per_minute", 80, &u.SubmissionsPerMinute, 1, 90),

		secretField("upsampler.api_key", &c.Upsampler.APIKey),
		strField("upsampler.base_url", "https://upsampler.com/api/v1", &c.Upsampler.BaseURL, httpURL),

		intField("worker.concurrency", 4, &c.Worker.Concurrency, 1, 256),
		durField("worker.lease", "2m", &c.Worker.Lease, positive),
		durField("worker.idle_poll", "1s", &c.Worker.IdlePoll, positive),

		strField("storage.backend", StorageLocal, &st.Backend, oneOf(StorageLocal, StorageS3)),
		strField("storage.dir", "/var/lib/smid/files", &st.Dir, absPath),
		intField("storage.max_file_bytes", int64(200*mib), &st.MaxFileBytes, 1, 1<<40),
		strField("storage.legacy_dir", "", &st.LegacyDir),
		strField("storage.s3.endpoint", "", &st.S3Endpoint, optional(httpURL)),
		strField("storage.s3.public_endpoint", "", &st.S3PublicEndpoint, optional(httpURL)),
		strField("storage.s3.region", "us-east-1", &st.S3Region, nonEmpty),
		strField("storage.s3.bucket", "", &st.S3Bucket),
		strField("storage.s3.prefix", "", &st.S3Prefix),
		boolField("storage.s3.path_style", false, &st.S3PathStyle),
		strField("storage.s3.access_key_id", "", &st.S3AccessKeyID),
		secretField("storage.s3.secret_access_key", &st.S3SecretAccessKey),
		durField("storage.s3.link_ttl", "5m", &st.S3LinkTTL, within(time.Second, 7*24*time.Hour)),

		durField("downloads.expiry", "24h", &c.Downloads.Expiry, positive),
		durField("downloads.file_retention", "168h", &c.Downloads.FileRetention, positive),
		boolField("downloads.revoke_on_full_refund", true, &c.Downloads.RevokeOnFullRefund),
		secretField("downloads.token_key", &c.Downloads.TokenKey, optional(minChars(32))),

		durField("checkout.abandon_after", "24h", &c.Checkout.AbandonAfter, positive),
		listField("checkout.image_hosts", &c.Checkout.ImageHosts, hostPort),
		boolField("network.allow_private_hosts", false, &c.Network.AllowPrivateHosts),

		decimalField("pricing.cost_per_credit", "0.04", 6, &c.Pricing.CostPerCreditMicros, 1),
		decimalField("pricing.credits_per_megapixel", "0.25", 6, &c.Pricing.MicroCreditsPerMegapixel, 1),
		intField("pricing.markup_percent", int64(200), &c.Pricing.MarkupPercent, 0, 100000),
		decimalField("pricing.minimum", "0.50", 2, &c.Pricing.MinimumCents, 0),

		strField("mail.smtp_host", "127.0.0.1", &m.SMTPHost, nonEmpty),
		intField("mail.smtp_port", 1025, &m.SMTPPort, 1, 65535),
		strField("mail.username", "", &m.Username),
		secretField("mail.password", &m.Password),
		strField("mail.tls", TLSNone, &m.TLS, oneOf(TLSNone, TLSStartTLS, TLSImplicit)),
		strField("mail.from", "", &m.From, optional(address)),
		strField("mail.reply_to", "", &m.ReplyTo, optional(address)),
		strField("mail.subject", "Your hi-res image is ready", &m.Subject, nonEmpty, oneLine),
		strField("mail.templates_dir", "", &m.TemplatesDir),
		intField("mail.max_attempts", 5, &m.MaxAttempts, 1, 50),

		boolField("notify.sale", true, &c.Notify.Sale),
		boolField("notify.failed", true, &c.Notify.Failed),
		boolField("notify.dispute", true, &c.Notify.Dispute),
		boolField("notify.stuck", true, &c.Notify.Stuck),

		strField("cron.poll", "@every 30s", &cr.Poll, schedule),
		strField("cron.expire_tokens", "@every 5m", &cr.ExpireTokens, schedule),
		strField("cron.abandon", "@every 10m", &cr.Abandon, schedule),
		strField("cron.rescue", "@every 1m", &cr.Rescue, schedule),
		strField("cron.retry_refunds", "@every 2m", &cr.RetryRefunds, schedule),
		strField("cron.reconcile", "@every 15m", &cr.Reconcile, schedule),
		strField("cron.retention", "@daily", &cr.Retention, schedule),
		strField("cron.notify_stuck", "@every 5m", &cr.NotifyStuck, schedule),

		durField("retention.abandoned_after", "0", &c.Retention.AbandonedAfter, nonNegative),
		durField("retention.failed_after", "0", &c.Retention.FailedAfter, nonNegative),

		intField("batch.concurrency", 4, &c.Batch.Concurrency, 1, 256),
	}
}

// A check validates a string value and may normalise it.
type check func(string) (string, error)

func strField(key, def string, dst *string, checks ...check) field {
	return field{key: key, def: def,
		parse: func(raw any) (err error) {
			*dst, err = checkString(raw, checks)
			return err
		},
		show: func() slog.Value { return slog.StringValue(*dst) },
	}
}

func secretField(key string, dst *Secret, checks ...check) field {
	return field{key: key, def: "", secret: true,
		parse: func(raw any) error {
			v, err := checkString(raw, checks)
			*dst = Secret(v)
			return err
		},
		show: func() slog.Value { return dst.LogValue() },
	}
}

// dsnField holds a password, so it is secret; LogValue shows the final
// DSN with the password redacted instead.
func dsnField(key string, dst *string, d *Database) field {
	f := strField(key, "", dst)
	f.secret = true
	f.show = func() slog.Value { return slog.StringValue(d.Redacted()) }
	return f
}

func checkString(raw any, checks []check) (string, error) {
	v, err := asString(raw)
	for _, c := range checks {
		if err != nil {
			break
		}
		v, err = c(v)
	}
	return v, err
}

func intField[T int | int64](key string, def T, dst *T, lo, hi T) field {
	return field{key: key, def: def,
		parse: func(raw any) error {
			n, err := asInt(raw)
			if err != nil {
				return err
			}
			if n < int64(lo) || n > int64(hi) {
				return fmt.Errorf("must be from %d to %d (got %d)", lo, hi, n)
			}
			*dst = T(n)
			return nil
		},
		show: func() slog.Value { return slog.Int64Value(int64(*dst)) },
	}
}

func boolField(key string, def bool, dst *bool) field {
	return field{key: key, def: def,
		parse: func(raw any) (err error) {
			*dst, err = asBool(raw)
			return err
		},
		show: func() slog.Value { return slog.BoolValue(*dst) },
	}
}

func durField(key, def string, dst *time.Duration, ok func(time.Duration) error) field {
	return field{key: key, def: def,
		parse: func(raw any) error {
			d, err := asDuration(raw)
			if err == nil {
				err = ok(d)
			}
			*dst = d
			return err
		},
		show: func() slog.Value { return slog.StringValue(dst.String()) },
	}
}

func listField(key string, dst *[]string, each check) field {
	return field{key: key, def: []string{},
		parse: func(raw any) error {
			items, err := asList(raw)
			if err != nil {
				return err
			}
			for i, it := range items {
				if items[i], err = each(it); err != nil {
					return fmt.Errorf("entry %q: %w", it, err)
				}
			}
			*dst = items
			return nil
		},
		show: func() slog.Value { return slog.AnyValue(*dst) },
	}
}

// decimalField stores an exact decimal scaled by 10^scale; least is in the
// same units.
func decimalField(key, def string, scale int, dst *int64, least int64) field {
	return field{key: key, def: def,
		parse: func(raw any) error {
			v, err := asDecimal(raw, scale)
			if err != nil {
				return err
			}
			if v < least {
				return fmt.Errorf("must be at least %s", formatDecimal(least, scale))
			}
			*dst = v
			return nil
		},
		show: func() slog.Value { return slog.StringValue(formatDecimal(*dst, scale)) },
	}
}

func levelField(key, def string, dst *slog.Level) field {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	return field{key: key, def: def,
		parse: func(raw any) error {
			v, err := checkString(raw, []check{oneOf("debug", "info", "warn", "error")})
			*dst = levels[v]
			return err
		},
		show: func() slog.Value { return slog.StringValue(dst.String()) },
	}
}

func positive(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("must be more than 0 (got %s)", d)
	}
	return nil
}

func nonNegative(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("must not be negative (got %s)", d)
	}
	return nil
}

// within accepts lo < d < hi.
func within(lo, hi time.Duration) func(time.Duration) error {
	return func(d time.Duration) error {
		if d <= lo || d >= hi {
			return fmt.Errorf("must be more than %s and less than %s (got %s)", lo, hi, d)
		}
		return nil
	}
}

// minChars counts characters, not bytes, and never echoes the value.
func minChars(n int) check {
	return func(s string) (string, error) {
		if got := utf8.RuneCountInString(s); got < n {
			return s, fmt.Errorf("must be at least %d characters (got %d)", n, got)
		}
		return s, nil
	}
}
