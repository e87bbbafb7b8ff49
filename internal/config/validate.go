package config

import (
	"errors"
	"slices"
)

// validate runs the checks that involve more than one key, skipping those
// whose keys already failed on their own.
func (c *Config) validate(failed map[string]bool) []error {
	ok := func(keys ...string) bool {
		return !slices.ContainsFunc(keys, func(k string) bool { return failed[k] })
	}
	var errs []error
	if ok("database.dsn", "database.wp_config", "database.table_prefix") {
		errs = append(errs, resolveDatabase(&c.Database, c.Database.TablePrefix)...)
	}
	if ok("database.max_open_conns", "database.max_idle_conns") && c.Database.MaxIdleConns > c.Database.MaxOpenConns {
		errs = append(errs, keyErr("database.max_idle_conns", "must not exceed database.max_open_conns"))
	}
	if ok("upscaler.timeout", "upscaler.poll_interval") && c.Upscaler.Timeout <= c.Upscaler.PollInterval {
		errs = append(errs, keyErr("upscaler.timeout", "must be longer than upscaler.poll_interval"))
	}
	if ok("downloads.expiry", "downloads.file_retention") && c.Downloads.FileRetention < c.Downloads.Expiry {
		errs = append(errs, keyErr("downloads.file_retention", "must not be shorter than downloads.expiry, or files vanish behind live links"))
	}
	if ok("mail.username", "mail.password") && c.Mail.Password != "" && c.Mail.Username == "" {
		errs = append(errs, keyErr("mail.username", "required when mail.password is set"))
	}
	if ok("storage.backend") && c.Storage.Backend == StorageS3 {
		if c.Storage.S3Endpoint == "" && ok("storage.s3.endpoint") {
			errs = append(errs, keyErr("storage.s3.endpoint", "required when storage.backend is s3"))
		}
		if c.Storage.S3Bucket == "" {
			errs = append(errs, keyErr("storage.s3.bucket", "required when storage.backend is s3"))
		}
		if (c.Storage.S3AccessKeyID == "") != (c.Storage.S3SecretAccessKey == "") {
			errs = append(errs, keyErr("storage.s3.access_key_id", "set together with storage.s3.secret_access_key, or neither (then the AWS_ environment variables are used)"))
		}
	}
	return errs
}

// RequirePipeline reports the keys that are optional for Load but that
// the order pipeline (serve, workers) cannot run without. Like Load, it
// names every missing key in one error.
func (c *Config) RequirePipeline() error {
	var errs []error
	need := func(missing bool, key, why string) {
		if missing {
			errs = append(errs, keyErr(key, why))
		}
	}
	need(c.Site.URL == "", "site.url", "required to run the pipeline")
	need(c.Stripe.SecretKey == "", "stripe.secret_key", "required to run the pipeline")
	need(c.Stripe.WebhookSecret == "", "stripe.webhook_secret", "required to run the pipeline")
	need(c.Upscaler.Provider == ProviderUpsampler && c.Upsampler.APIKey == "",
		"upsampler.api_key", "required to run the pipeline when upscaler.provider is upsampler")
	return errors.Join(errs...)
}
