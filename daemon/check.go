package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/config"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/preflight"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/stripe"
	"github.com/sellmyimages/smid/internal/upscale"
)

// check wires each configured part into its preflight check and prints
// one line per check.
func check(ctx context.Context, args []string, out io.Writer, environ []string) error {
	fs, path := flags("check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path, environ)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(out, "FAIL  config  %s\n", line)
		}
		return errors.New("the configuration does not load; nothing else was checked")
	}
	from := "environment only"
	if *path != "" {
		from = *path + " and the environment"
	}
	checks, closeDB := checks(ctx, cfg)
	checks = append([]preflight.Check{{Name: "config", Run: func(context.Context) (string, error) { return "loaded from " + from, nil }}}, checks...)
	defer closeDB()
	res := preflight.Run(ctx, out, 15*time.Second, checks)
	if n := preflight.Failed(res); n > 0 {
		return fmt.Errorf("%d of %d checks failed", n, len(res))
	}
	return nil
}

func notSet(key string) error { return fmt.Errorf("not set (%s)", key) }

func checks(ctx context.Context, cfg *config.Config) ([]preflight.Check, func()) {
	var cs []preflight.Check
	closeDB := func() {}
	db, err := openDB(ctx, cfg)
	if err != nil {
		cs = append(cs, preflight.Fail("database", err), preflight.Fail("schema", errors.New("no database")))
	} else {
		closeDB = func() { _ = db.Close() } // the checks are done; nothing was written
		cs = append(cs, preflight.Grants(db), preflight.Schema(db))
	}

	if key := cfg.Stripe.SecretKey.Reveal(); key == "" {
		cs = append(cs, preflight.Fail("stripe key", notSet("stripe.secret_key")))
	} else if pay, err := stripe.New(stripe.Config{SecretKey: key, APIBase: cfg.Stripe.APIBase, Currency: cfg.Stripe.Currency, MaxNetworkRetries: -1}); err != nil {
		cs = append(cs, preflight.Fail("stripe key", err))
	} else {
		cs = append(cs, preflight.StripeKey(pay))
	}
	if ws := cfg.Stripe.WebhookSecret.Reveal(); ws == "" {
		cs = append(cs, preflight.Fail("webhook secret", notSet("stripe.webhook_secret")))
	} else {
		cs = append(cs, preflight.WebhookSecret(ws))
	}

	mailer, err := mail.New(mail.Config{Host: cfg.Mail.SMTPHost, Port: cfg.Mail.SMTPPort, Username: cfg.Mail.Username,
		Password: cfg.Mail.Password.Reveal(), TLS: cfg.Mail.TLS, From: cfg.Mail.From, ReplyTo: cfg.Mail.ReplyTo, Subject: cfg.Mail.Subject})
	if err != nil {
		cs = append(cs, preflight.Fail("smtp", err))
	} else {
		where := cfg.Mail.SMTPHost + ":" + strconv.Itoa(cfg.Mail.SMTPPort) + " (" + cfg.Mail.TLS + ")"
		cs = append(cs, preflight.SMTP(mailer, where, cfg.Mail.Username != ""))
	}

	switch {
	case cfg.Upscaler.Provider == config.ProviderLocal:
		cs = append(cs, preflight.Local())
	case cfg.Upsampler.APIKey.Reveal() == "":
		cs = append(cs, preflight.Fail("upscaler", notSet("upsampler.api_key")))
	default:
		up, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: cfg.Upsampler.BaseURL, APIKey: cfg.Upsampler.APIKey.Reveal()})
		if err != nil {
			cs = append(cs, preflight.Fail("upscaler", err))
		} else {
			cs = append(cs, preflight.Upsampler(up))
		}
	}

	cs = append(cs, preflight.Storage(cfg.Storage.Dir))
	if cfg.Site.URL == "" {
		cs = append(cs, preflight.Fail("site url", notSet("site.url")))
	} else {
		cs = append(cs, preflight.SiteURL(&http.Client{Timeout: 10 * time.Second}, cfg.Site.URL))
	}
	return cs, closeDB
}

// openDB connects without failing the whole command: check reports it.
func openDB(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	return store.Open(ctx, storeConfig(cfg))
}
