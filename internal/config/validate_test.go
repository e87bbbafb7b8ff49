package config

import (
	"strings"
	"testing"
)

func TestValidationNamesKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"SMI_API_SECRET=short"}, "config: api.secret: must be at least 32 characters (got 5)"},
		{[]string{"SMI_API_SECRET="}, "config: api.secret: must be at least 32 characters (got 0)"},
		{[]string{"SMI_DATABASE_TABLE_PREFIX=wp-"}, "config: database.table_prefix: must match [A-Za-z0-9_]{1,32}"},
		{[]string{"SMI_DATABASE_TABLE_PREFIX=" + strings.Repeat("a", 33)}, "config: database.table_prefix: must match"},
		{[]string{"SMI_DATABASE_MAX_OPEN_CONNS=0"}, "config: database.max_open_conns: must be from 1 to 1000 (got 0)"},
		{[]string{"SMI_DATABASE_MAX_OPEN_CONNS=abc"}, `config: database.max_open_conns: must be an integer (got "abc")`},
		{[]string{"SMI_DATABASE_MAX_IDLE_CONNS=30"}, "config: database.max_idle_conns: must not exceed database.max_open_conns"},
		{[]string{"SMI_DATABASE_CONN_MAX_LIFETIME=5m"}, "config: database.conn_max_lifetime: must be more than 0s and less than 5m0s (got 5m0s)"},
		{[]string{"SMI_DATABASE_CONN_MAX_LIFETIME=0"}, "config: database.conn_max_lifetime: must be more than 0s"},
		{[]string{"SMI_DATABASE_CONN_MAX_IDLE_TIME=-1s"}, "config: database.conn_max_idle_time: must not be negative"},
		{[]string{"SMI_API_LISTEN=8787"}, `config: api.listen: must be host:port or unix:/path (got "8787")`},
		{[]string{"SMI_API_LISTEN=unix:"}, "config: api.listen: unix: needs a socket path"},
		{[]string{"SMI_API_MAX_BODY_BYTES=0"}, "config: api.max_body_bytes: must be from 1"},
		{[]string{"SMI_API_SHUTDOWN_TIMEOUT=15"}, "config: api.shutdown_timeout: must be a duration with a unit"},
		{[]string{"SMI_LOG_LEVEL=verbose"}, `config: log.level: must be one of debug, info, warn, error (got "verbose")`},
		{[]string{"SMI_LOG_FORMAT=xml"}, "config: log.format: must be one of text, json"},
		{[]string{"SMI_SITE_URL=example.com"}, "config: site.url: must be an absolute http:// or https:// URL"},
		{[]string{"SMI_SITE_URL=ftp://example.com"}, "config: site.url: must be an absolute http:// or https:// URL"},
		{[]string{"SMI_SITE_URL=https://example.com/?a=1"}, "config: site.url: must not have a query or fragment"},
		{[]string{"SMI_SITE_TIMEZONE=Mars/Olympus"}, `config: site.timezone: unknown time zone "Mars/Olympus"`},
		{[]string{"SMI_SITE_TIMEZONE=UTC+5:30"}, ""},
		{[]string{"SMI_SITE_LOCALE=en US"}, `config: site.locale: locale "en US" must look like en_US`},
		{[]string{"SMI_SITE_ADMIN_EMAIL=owner"}, "config: site.admin_email: must be an e-mail address"},
		{[]string{"SMI_NOTIFY_SALE=maybe"}, "config: notify.sale:"},
		{[]string{"SMI_STRIPE_SECRET_KEY=pk_test_abc"}, "config: stripe.secret_key: must start with sk_ or rk_"},
		{[]string{"SMI_STRIPE_WEBHOOK_SECRET=sk_test_abc"}, "config: stripe.webhook_secret: must start with whsec_"},
		{[]string{"SMI_STRIPE_API_BASE=localhost:12111"}, "config: stripe.api_base: must be an absolute"},
		{[]string{"SMI_STRIPE_CURRENCY=jpy"}, "config: stripe.currency: jpy is a zero-decimal currency"},
		{[]string{"SMI_STRIPE_CURRENCY=KWD"}, "config: stripe.currency: kwd is a three-decimal currency"},
		{[]string{"SMI_STRIPE_CURRENCY=dollars"}, "config: stripe.currency: must be a three-letter ISO 4217 code"},
		{[]string{"SMI_STRIPE_DASHBOARD_URL="}, ""}, // empty env is unset: the default stays
		{[]string{"SMI_UPSCALER_PROVIDER=magic"}, "config: upscaler.provider: must be one of upsampler, local"},
		{[]string{"SMI_UPSCALER_POLL_INTERVAL=0s"}, "config: upscaler.poll_interval: must be more than 0"},
		{[]string{"SMI_UPSCALER_TIMEOUT=10s"}, "config: upscaler.timeout: must be longer than upscaler.poll_interval"},
		{[]string{"SMI_UPSCALER_MAX_ATTEMPTS=0"}, "config: upscaler.max_attempts: must be from 1 to 100"},
		{[]string{"SMI_UPSCALER_STATUS_CHECKS_PER_MINUTE=241"}, "config: upscaler.status_checks_per_minute: must be from 1 to 240 (got 241)"},
		{[]string{"SMI_UPSCALER_SUBMISSIONS_PER_MINUTE=91"}, "config: upscaler.submissions_per_minute: must be from 1 to 90 (got 91)"},
		{[]string{"SMI_UPSAMPLER_BASE_URL=upsampler.com"}, "config: upsampler.base_url: must be an absolute"},
		{[]string{"SMI_WORKER_CONCURRENCY=257"}, "config: worker.concurrency: must be from 1 to 256 (got 257)"},
		{[]string{"SMI_WORKER_LEASE=-2m"}, "config: worker.lease: must be more than 0"},
		{[]string{"SMI_WORKER_IDLE_POLL=soon"}, "config: worker.idle_poll: must be a duration"},
		{[]string{"SMI_STORAGE_DIR= "}, "config: storage.dir: must be an absolute path"},
		{[]string{"SMI_STORAGE_DIR=var/files"}, `config: storage.dir: must be an absolute path (got "var/files")`},
		{[]string{"SMI_STORAGE_MAX_FILE_BYTES=-1"}, "config: storage.max_file_bytes: must be from 1"},
		{[]string{"SMI_STORAGE_BACKEND=nfs"}, "config: storage.backend: must be one of local, s3"},
		{[]string{"SMI_STORAGE_BACKEND=s3", "SMI_STORAGE_S3_BUCKET=b"}, "config: storage.s3.endpoint: required when storage.backend is s3"},
		{[]string{"SMI_STORAGE_BACKEND=s3", "SMI_STORAGE_S3_ENDPOINT=http://127.0.0.1:8333"}, "config: storage.s3.bucket: required when storage.backend is s3"},
		{[]string{"SMI_STORAGE_BACKEND=s3", "SMI_STORAGE_S3_ENDPOINT=http://127.0.0.1:8333", "SMI_STORAGE_S3_BUCKET=b",
			"SMI_STORAGE_S3_ACCESS_KEY_ID=AKID"}, "config: storage.s3.access_key_id: set together with storage.s3.secret_access_key"},
		{[]string{"SMI_STORAGE_BACKEND=s3", "SMI_STORAGE_S3_ENDPOINT=http://127.0.0.1:8333", "SMI_STORAGE_S3_BUCKET=b"}, ""},
		{[]string{"SMI_STORAGE_S3_ENDPOINT=127.0.0.1:8333"}, "config: storage.s3.endpoint: must be an absolute http:// or https:// URL"},
		{[]string{"SMI_STORAGE_S3_LINK_TTL=200h"}, "config: storage.s3.link_ttl: must be more than 1s and less than 168h0m0s"},
		{[]string{"SMI_DOWNLOADS_EXPIRY=200h"}, "config: downloads.file_retention: must not be shorter than downloads.expiry"},
		{[]string{"SMI_DOWNLOADS_REVOKE_ON_FULL_REFUND=maybe"}, `config: downloads.revoke_on_full_refund: must be true or false (got "maybe")`},
		{[]string{"SMI_CHECKOUT_ABANDON_AFTER=0"}, "config: checkout.abandon_after: must be more than 0"},
		{[]string{"SMI_CHECKOUT_IMAGE_HOSTS=https://cdn.example.com/"}, `config: checkout.image_hosts: entry "https://cdn.example.com/": must be a host name or host:port, not a URL`},
		{[]string{"SMI_CHECKOUT_IMAGE_HOSTS=cdn.example.com:99999"}, "config: checkout.image_hosts: entry \"cdn.example.com:99999\": port must be a number from 1 to 65535"},
		{[]string{"SMI_NETWORK_ALLOW_PRIVATE_HOSTS=2"}, "config: network.allow_private_hosts: must be true or false"},
		{[]string{"SMI_PRICING_COST_PER_CREDIT=0"}, "config: pricing.cost_per_credit: must be at least 0.000001"},
		{[]string{"SMI_PRICING_COST_PER_CREDIT=0.0000001"}, "config: pricing.cost_per_credit: has more than 6 decimal places"},
		{[]string{"SMI_PRICING_CREDITS_PER_MEGAPIXEL=-0.25"}, "config: pricing.credits_per_megapixel: must not be negative"},
		{[]string{"SMI_PRICING_MARKUP_PERCENT=-5"}, "config: pricing.markup_percent: must be from 0 to 100000 (got -5)"},
		{[]string{"SMI_PRICING_MINIMUM=1.005"}, "config: pricing.minimum: has more than 2 decimal places (got 1.005)"},
		{[]string{"SMI_PRICING_MINIMUM=1e2"}, "config: pricing.minimum: must be a decimal number"},
		{[]string{"SMI_MAIL_SMTP_HOST= "}, "config: mail.smtp_host: must not be empty"},
		{[]string{"SMI_MAIL_SMTP_PORT=0"}, "config: mail.smtp_port: must be from 1 to 65535 (got 0)"},
		{[]string{"SMI_MAIL_PASSWORD=mailpass-123456"}, "config: mail.username: required when mail.password is set"},
		{[]string{"SMI_MAIL_TLS=ssl"}, "config: mail.tls: must be one of none, starttls, tls"},
		{[]string{"SMI_MAIL_FROM=not an address"}, "config: mail.from: must be an e-mail address"},
		{[]string{"SMI_MAIL_REPLY_TO=@@"}, "config: mail.reply_to: must be an e-mail address"},
		{[]string{"SMI_MAIL_SUBJECT=a\nBcc: x@example.com"}, "config: mail.subject: must be a single line"},
		{[]string{"SMI_CRON_POLL=every 30s"}, "config: cron.poll: not a cron schedule"},
		{[]string{"SMI_CRON_EXPIRE_TOKENS=* * *"}, "config: cron.expire_tokens: not a cron schedule"},
		{[]string{"SMI_CRON_ABANDON=@sometimes"}, "config: cron.abandon: not a cron schedule"},
		{[]string{"SMI_CRON_RESCUE=x"}, "config: cron.rescue: not a cron schedule"},
		{[]string{"SMI_CRON_RETRY_REFUNDS=x"}, "config: cron.retry_refunds: not a cron schedule"},
		{[]string{"SMI_CRON_RETRY_DELIVERIES=x"}, "config: cron.retry_refunds: not a cron schedule"},
		{[]string{"SMI_CRON_RECONCILE=x"}, "config: cron.reconcile: not a cron schedule"},
		{[]string{"SMI_CRON_RETENTION=x"}, "config: cron.retention: not a cron schedule"},
		{[]string{"SMI_RETENTION_ABANDONED_AFTER=-1h"}, "config: retention.abandoned_after: must not be negative"},
		{[]string{"SMI_RETENTION_FAILED_AFTER=7"}, "config: retention.failed_after: must be a duration with a unit"},
		{[]string{"SMI_BATCH_CONCURRENCY=0"}, "config: batch.concurrency: must be from 1 to 256 (got 0)"},
	}
	for _, tt := range tests {
		_, err := Load("", baseEnv(tt.env...))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.env, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: got %v\nwant an error containing %q", tt.env, err, tt.want)
		}
	}
}

func TestDatabaseSource(t *testing.T) {
	t.Parallel()
	wp := writeFile(t, "wp-config.php", `<?php define('DB_NAME','n'); define('DB_USER','u'); define('DB_PASSWORD','p'); define('DB_HOST','h');`)
	tests := []struct {
		env  []string
		want string
	}{
		{[]string{"SMI_API_SECRET=" + testSecret}, "config: database.dsn: required (or set database.wp_config)"},
		{baseEnv("SMI_DATABASE_WP_CONFIG=" + wp), "config: database.dsn: set either database.dsn or database.wp_config, not both"},
		{[]string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_WP_CONFIG=/nonexistent/wp-config.php"}, "config: database.wp_config: open /nonexistent/wp-config.php: no such file or directory"},
		{[]string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db:3306)"}, "config: database.dsn: not a valid go-sql-driver DSN"},
		{[]string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db:3306/wp"}, "config: database.dsn: not a valid go-sql-driver DSN"},
		{[]string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db:3306)/"}, "config: database.dsn: must name a database"},
	}
	for _, tt := range tests {
		_, err := Load("", tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v\nwant an error containing %q", tt.env, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), testPassword) {
			t.Errorf("%q: error shows the password: %v", tt.env, err)
		}
	}
}

func TestAllProblemsReported(t *testing.T) {
	t.Parallel()
	_, err := Load("", []string{"SMI_API_SECRET=x", "SMI_LOG_LEVEL=loud", "SMI_WORKER_CONCURRENCY=0"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, key := range []string{"database.dsn", "api.secret", "log.level", "worker.concurrency"} {
		if !strings.Contains(err.Error(), "config: "+key+": ") {
			t.Errorf("error does not name %s:\n%v", key, err)
		}
	}
}

func TestRequirePipeline(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "", baseEnv())
	err := c.RequirePipeline()
	for _, key := range []string{"site.url", "stripe.secret_key", "stripe.webhook_secret", "upsampler.api_key"} {
		if err == nil || !strings.Contains(err.Error(), "config: "+key+": required") {
			t.Errorf("RequirePipeline does not name %s: %v", key, err)
		}
	}

	c = mustLoad(t, "", baseEnv(
		"SMI_SITE_URL=https://example.com",
		"SMI_STRIPE_SECRET_KEY=sk_test_123",
		"SMI_STRIPE_WEBHOOK_SECRET=whsec_123",
		"SMI_UPSCALER_PROVIDER=local",
	))
	if err := c.RequirePipeline(); err != nil {
		t.Errorf("local provider needs no upsampler key: %v", err)
	}
	c.Upscaler.Provider = ProviderUpsampler
	if err := c.RequirePipeline(); err == nil || !strings.Contains(err.Error(), "upsampler.api_key") {
		t.Errorf("got %v", err)
	}
}
