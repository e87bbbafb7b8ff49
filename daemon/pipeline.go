package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/sellmyimages/smid/internal/config"
	"github.com/sellmyimages/smid/internal/cron"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/metrics"
	"github.com/sellmyimages/smid/internal/netguard"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/storage"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale"
)

// buildPipeline wires Stripe, the upscaler, mail and storage into the
// lifecycle service, and cron onto it.
func buildPipeline(cfg *config.Config, db *store.DB, pr *pricing.Pricing, mailer *mail.Mailer, reg *metrics.Registry, log *slog.Logger) (*pipeline.Service, *cron.Scheduler, func(), error) {
	pay, err := stripe.New(stripe.Config{SecretKey: cfg.Stripe.SecretKey.Reveal(), WebhookSecret: cfg.Stripe.WebhookSecret.Reveal(),
		APIBase: cfg.Stripe.APIBase, Currency: cfg.Stripe.Currency})
	if err != nil {
		return nil, nil, nil, err
	}
	policy := netguard.Policy{AllowPrivate: cfg.Network.AllowPrivateHosts}
	var up pipeline.Upscaler
	switch cfg.Upscaler.Provider {
	case config.ProviderLocal:
		up, err = upscale.NewLocal(upscale.LocalConfig{HTTPClient: policy.Client(2 * time.Minute),
			OutDir: filepath.Join(cfg.Storage.Dir, "local-upscaler")})
	default:
		up, err = upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: cfg.Upsampler.BaseURL, APIKey: cfg.Upsampler.APIKey.Reveal(),
			FetchClient: policy.Client(10 * time.Minute)})
	}
	if err != nil {
		return nil, nil, nil, err
	}
	st := cfg.Storage
	files, err := storage.New(storage.Config{Backend: st.Backend, Dir: st.Dir, MaxFileBytes: st.MaxFileBytes,
		S3: storage.S3Config{Endpoint: st.S3Endpoint, PublicEndpoint: st.S3PublicEndpoint, Region: st.S3Region,
			Bucket: st.S3Bucket, Prefix: st.S3Prefix, PathStyle: st.S3PathStyle, AccessKeyID: st.S3AccessKeyID,
			SecretAccessKey: st.S3SecretAccessKey.Reveal(), LinkTTL: st.S3LinkTTL}})
	if err != nil {
		return nil, nil, nil, err
	}
	// Links the original PHP plugin emailed name its files by absolute path.
	legacy, err := storage.OpenLegacy(cfg.LegacyDir())
	if err != nil {
		log.Warn("the original plugin's files will not be served", "dir", cfg.LegacyDir(), "err", err)
	}
	tokenKey, err := cfg.TokenKeyBytes(cfg.Storage.Dir)
	if err != nil {
		_ = files.Close() // the error being returned is the one that matters
		return nil, nil, nil, err
	}
	pollEvery, err := cron.Period(cmp.Or(cfg.Cron.Poll, "@every 30s"))
	if err != nil {
		pollEvery = 30 * time.Second // "off": the budget is moot
	}
	svc, err := pipeline.New(pipeline.Config{TokenKey: tokenKey, PollEvery: pollEvery, ShutdownTimeout: cfg.API.ShutdownTimeout,
		SiteURL: cfg.Site.URL, Currency: cfg.Stripe.Currency, ImageHosts: cfg.Checkout.ImageHosts,
		AllowPrivateHosts: cfg.Network.AllowPrivateHosts, PollInterval: cfg.Upscaler.PollInterval,
		UpscaleTimeout: cfg.Upscaler.Timeout, MaxAttempts: cfg.Upscaler.MaxAttempts,
		StatusChecksPerMinute: cfg.Upscaler.StatusChecksPerMinute, SubmissionsPerMinute: cfg.Upscaler.SubmissionsPerMinute,
		Concurrency: cfg.Worker.Concurrency, Lease: cfg.Worker.Lease, IdlePoll: cfg.Worker.IdlePoll,
		DownloadExpiry: cfg.Downloads.Expiry, FileRetention: cfg.Downloads.FileRetention,
		AbandonAfter: cfg.Checkout.AbandonAfter, RevokeOnFullRefund: cfg.Downloads.RevokeOnFullRefund,
		RefundOnFraudWarning: cfg.Stripe.RefundOnFraudWarning, MaxEmailAttempts: cfg.Mail.MaxAttempts,
		RetainAbandoned: cfg.Retention.AbandonedAfter, RetainFailed: cfg.Retention.FailedAfter,
	}, pipeline.Deps{Store: db, Payments: pay, Upscaler: up, Mailer: mailer, Files: storage.WithLegacy{Store: files, Legacy: legacy}, Pricing: pr, Log: log, Errors: reg})
	if err != nil {
		_ = files.Close() // the error being returned is the one that matters
		return nil, nil, nil, err
	}
	sched, err := cron.New(cronTasks(cfg, svc), db, log)
	if err != nil {
		_ = files.Close() // the error being returned is the one that matters
		return nil, nil, nil, fmt.Errorf("cron: %w", err)
	}
	sched.Observe(reg)
	return svc, sched, func() { _ = files.Close(); _ = legacy.Close() }, nil // at exit: nothing left to flush
}

func cronTasks(cfg *config.Config, svc *pipeline.Service) []cron.Task {
	return []cron.Task{
		{Name: "poll", Schedule: cfg.Cron.Poll, Run: svc.Poll},
		{Name: "expire_tokens", Schedule: cfg.Cron.ExpireTokens, Run: svc.ExpireTokens},
		{Name: "abandon", Schedule: cfg.Cron.Abandon, Run: svc.Abandon},
		{Name: "rescue", Schedule: cfg.Cron.Rescue, Run: svc.Rescue},
		{Name: "retry_refunds", Schedule: cfg.Cron.RetryRefunds, Run: svc.RetryRefunds},
		{Name: "reconcile", Schedule: cfg.Cron.Reconcile, Run: svc.ReconcileRecent},
		{Name: "retention", Schedule: cfg.Cron.Retention, Run: svc.Purge},
		{Name: "notify_stuck", Schedule: cfg.Cron.NotifyStuck, Run: svc.NotifyStuck},
	}
}
