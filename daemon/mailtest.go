package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sellmyimages/smid/internal/config"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
)

// buildMail wires the shop's identity, read from WordPress's options in
// db, into the mailer.
func buildMail(cfg *config.Config, db *store.DB, log *slog.Logger) (*mail.Mailer, *site.Site, error) {
	s := cfg.Site
	shop := site.New(site.Config{Overrides: site.Overrides{Name: s.Name, AdminEmail: s.AdminEmail, URL: s.URL,
		Timezone: s.Timezone, Locale: s.Locale, DateFormat: s.DateFormat, TimeFormat: s.TimeFormat},
		Refresh: s.OptionsRefresh, Log: log}, db)
	m := cfg.Mail
	mailer, err := mail.New(mail.Config{Host: m.SMTPHost, Port: m.SMTPPort, Username: m.Username,
		Password: m.Password.Reveal(), TLS: m.TLS, From: m.From, ReplyTo: m.ReplyTo, Subject: m.Subject,
		TemplatesDir: m.TemplatesDir, Site: shop,
		Notify: mail.Notify{Sale: cfg.Notify.Sale, Failed: cfg.Notify.Failed, Dispute: cfg.Notify.Dispute, Stuck: cfg.Notify.Stuck}})
	if err != nil {
		return nil, nil, err
	}
	return mailer, shop, nil
}

// mailCmd is `smid mail test [--to addr]`: one test email through the
// configured SMTP server, to addr or the site's admin_email.
func mailCmd(ctx context.Context, args []string, out io.Writer, environ []string) error {
	if len(args) == 0 || args[0] != "test" {
		return errors.New("mail: usage: smid mail test --config FILE [--to ADDRESS]")
	}
	fs, path := flags("mail test")
	to := fs.String("to", "", "recipient; empty means the site's admin_email")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, db, err := openStore(ctx, *path, environ)
	if err != nil {
		return err
	}
	defer db.Close()
	mailer, _, err := buildMail(cfg, db, newLogger(cfg))
	if err != nil {
		return err
	}
	sent, err := mailer.SendTest(ctx, *to, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "test email sent to %s through %s:%d\n", sent, cfg.Mail.SMTPHost, cfg.Mail.SMTPPort)
	return nil
}
