package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/config"
	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/metrics"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/store"
)

// parts is everything serve starts and stops besides the HTTP server.
type parts struct {
	apiConfig httpapi.Config
	services  httpapi.Services
	starters  []func(context.Context)
	halts     []func()
	stoppers  []func()
}

func (p *parts) start(ctx context.Context) {
	for _, s := range p.starters {
		s(ctx)
	}
}

// stopTakingWork halts the loops that claim new work; in-flight work goes on.
func (p *parts) stopTakingWork() {
	for _, h := range p.halts {
		h()
	}
}

func (p *parts) stop() {
	for i := len(p.stoppers) - 1; i >= 0; i-- {
		p.stoppers[i]()
	}
}

// build constructs every part from the configuration.
func build(_ context.Context, cfg *config.Config, db *store.DB, log *slog.Logger) (*parts, error) {
	pr, err := pricing.New(pricing.Config{
		CostPerCreditMicros: cfg.Pricing.CostPerCreditMicros, MicroCreditsPerMegapixel: cfg.Pricing.MicroCreditsPerMegapixel,
		MarkupPercent: cfg.Pricing.MarkupPercent, Minimum: job.Money(cfg.Pricing.MinimumCents), Currency: cfg.Stripe.Currency,
	})
	if err != nil {
		return nil, err
	}
	reg := metrics.New(db.Pool(), db, log)
	p := &parts{apiConfig: httpapi.Config{
		Listen: cfg.API.Listen, Secret: cfg.API.Secret.Reveal(), MaxBodyBytes: cfg.API.MaxBodyBytes,
		Version: version, Currency: cfg.Stripe.Currency, StripeMode: stripeMode(cfg.Stripe.SecretKey.Reveal()),
		DashboardURL: cfg.Stripe.DashboardURL, Credits: pr.CreditsFor, Now: time.Now, Metrics: reg,
		UpscaleTimeout: cfg.Upscaler.Timeout, RevokeOnFullRefund: cfg.Downloads.RevokeOnFullRefund,
		StripeConfigured:   cfg.Site.URL != "" && cfg.Stripe.SecretKey != "" && cfg.Stripe.WebhookSecret != "",
		UpscalerConfigured: cfg.Upscaler.Provider == config.ProviderLocal || cfg.Upsampler.APIKey != "",
		MailConfigured:     cfg.Mail.SMTPHost != "",
		NotifyDefaults: map[string]bool{mail.NotifySale: cfg.Notify.Sale, mail.NotifyFailed: cfg.Notify.Failed,
			mail.NotifyDispute: cfg.Notify.Dispute, mail.NotifyStuck: cfg.Notify.Stuck},
	}}
	mailer, shop, err := buildMail(cfg, db, log)
	if err != nil {
		return nil, err
	}
	p.services.Mail, p.services.Site = mailer, shop
	if err := cfg.RequirePipeline(); err != nil {
		log.Warn("pipeline not configured: only the read API runs", "missing", err.Error())
		return p, nil
	}
	svc, sched, closeFiles, err := buildPipeline(cfg, db, pr, mailer, reg, log)
	if err != nil {
		return nil, err
	}
	adm := admin.New(admin.Config{Concurrency: cfg.Batch.Concurrency}, svc, db, log)
	p.services.Pipeline, p.services.Admin = svc, adm
	p.starters = append(p.starters, svc.Start, adm.Start, func(context.Context) { sched.Start() })
	p.halts = append(p.halts, svc.Halt)
	p.stoppers = append(p.stoppers, closeFiles, svc.Stop, adm.Stop, sched.Stop)
	return p, nil
}

func stripeMode(key string) string {
	if len(key) > 8 && key[3:8] == "live_" {
		return "live"
	}
	return "test"
}
