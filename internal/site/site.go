// Package site is the shop's identity as WordPress knows it: its name, its
// owner's address, its time zone, date and time formats, locale and URL,
// read from the options table the daemon shares with WordPress (read-only,
// cached, refreshed) and overridable from the daemon's configuration.
package site

import (
	"cmp"
	"context"
	"html"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The WordPress options the site is read from.
var optionNames = []string{"blogname", "admin_email", "timezone_string", "gmt_offset",
	"date_format", "time_format", "WPLANG", "siteurl", "home",
	NotifyOption + "sale", NotifyOption + "failed", NotifyOption + "dispute", NotifyOption + "stuck"}

// NotifyOption prefixes the plugin's owner-notification switches
// (smi_notify_sale, …), saved by its Settings screen as "1" (on) or ""
// (off). A switch without a row leaves the daemon's notify.* key in charge.
const NotifyOption = "smi_notify_"

// WordPress's own defaults (populate_options), used when a row is missing.
const (
	DefaultDateFormat = "F j, Y"
	DefaultTimeFormat = "g:i a"
	DefaultLocale     = "en_US"
)

// Info is one snapshot of the shop's identity. The zero value is not
// useful; get one from Site.Info or Resolve.
type Info struct {
	// Name is the shop's name (blogname); may be empty.
	Name string
	// AdminEmail is the owner's address (admin_email); may be empty.
	AdminEmail string
	// URL is the public home URL, without a trailing slash; may be empty.
	URL string
	// SiteURL is where WordPress itself (and wp-admin) lives: the siteurl
	// option, without a trailing slash; may be empty.
	SiteURL string
	// Location is the site's time zone; never nil.
	Location *time.Location
	// Locale is WordPress's locale, such as en_US or de_DE.
	Locale string
	// DateFormat and TimeFormat are the site's PHP date() formats.
	DateFormat, TimeFormat DateLayout
	// Notify holds the owner-notification switches the Settings screen
	// saved, by kind (sale, failed, dispute, stuck); a kind never saved is
	// absent.
	Notify map[string]bool
}

// Host is the home URL's host without a leading "www.", as WordPress's
// wp_mail builds its default sender, or "" without a URL.
func (i Info) Host() string {
	u, err := url.Parse(i.URL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// Date writes t's day in the site's zone and date format.
func (i Info) Date(t time.Time) string { return i.DateFormat.Format(t.In(i.Location)) }

// Time writes t's time of day in the site's zone and time format.
func (i Info) Time(t time.Time) string { return i.TimeFormat.Format(t.In(i.Location)) }

// DateTime writes t in the site's zone and formats, with the zone's
// abbreviation so a reader elsewhere knows whose clock it is:
// "December 1, 2026 6:30 pm EST".
func (i Info) DateTime(t time.Time) string {
	lt := t.In(i.Location)
	return i.DateFormat.Format(lt) + " " + i.TimeFormat.Format(lt) + " " + lt.Format("MST")
}

// Money writes an amount of minor units in the site's locale.
func (i Info) Money(minor int64, currency string) (string, error) {
	return FormatMoney(i.Locale, minor, currency)
}

// Overrides replace what WordPress says; empty fields leave it be. They
// are meant to be checked already (config does it with ParseZone and
// ParseLocale).
type Overrides struct {
	Name, AdminEmail, URL, Timezone, Locale, DateFormat, TimeFormat string
}

// Resolve builds an Info from WordPress option rows and the overrides.
func Resolve(opts map[string]string, o Overrides) Info {
	// WordPress saves blogname HTML-escaped ("Tom &amp; Jerry") and decodes
	// it for mail; so do we, and templates escape again where HTML needs it.
	home := cmp.Or(o.URL, opts["home"], opts["siteurl"])
	info := Info{
		Name:       strings.TrimSpace(cmp.Or(o.Name, html.UnescapeString(opts["blogname"]))),
		AdminEmail: strings.TrimSpace(cmp.Or(o.AdminEmail, opts["admin_email"])),
		URL:        strings.TrimRight(strings.TrimSpace(home), "/"),
		SiteURL:    strings.TrimRight(strings.TrimSpace(cmp.Or(opts["siteurl"], home)), "/"),
		Location:   zoneFromOptions(opts["timezone_string"], opts["gmt_offset"]),
		Locale:     cmp.Or(o.Locale, opts["WPLANG"], DefaultLocale),
		DateFormat: ParsePHPDate(cmp.Or(o.DateFormat, opts["date_format"], DefaultDateFormat)),
		TimeFormat: ParsePHPDate(cmp.Or(o.TimeFormat, opts["time_format"], DefaultTimeFormat)),
	}
	for name, v := range opts {
		if kind, ok := strings.CutPrefix(name, NotifyOption); ok {
			if info.Notify == nil {
				info.Notify = map[string]bool{}
			}
			// WordPress saves a boolean option as "1", or "" once unticked.
			info.Notify[kind] = v == "1" || strings.EqualFold(v, "true")
		}
	}
	if o.Timezone != "" {
		if loc, err := ParseZone(o.Timezone); err == nil {
			info.Location = loc
		}
	}
	if _, err := ParseLocale(info.Locale); err != nil {
		info.Locale = DefaultLocale
	}
	return info
}

// Options reads WordPress option rows; store.DB is one.
type Options interface {
	SiteOptions(ctx context.Context, names []string) (map[string]string, error)
}

// Config tunes a Site.
type Config struct {
	Overrides Overrides
	// Refresh is how long a snapshot is used before the options are read
	// again (default 5 minutes).
	Refresh time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Site hands out the shop's identity, reading WordPress's options at most
// once per Refresh. A failed read keeps the last good snapshot (or the
// overrides and WordPress's defaults before the first) and is retried
// after a short pause. It is safe for concurrent use.
type Site struct {
	cfg  Config
	opts Options

	mu      sync.Mutex
	info    Info
	readAt  time.Time
	hasInfo bool
	lastErr string
}

// retryAfter is the pause after a failed read.
const retryAfter = 30 * time.Second

// New builds a Site; opts may be nil, and then only the overrides and
// WordPress's defaults count.
func New(cfg Config, opts Options) *Site {
	cfg.Refresh = cmp.Or(cfg.Refresh, 5*time.Minute)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Site{cfg: cfg, opts: opts}
}

// Info returns the current snapshot, reading the options first when the
// last read is older than Refresh.
func (s *Site) Info(ctx context.Context) Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if s.hasInfo && now.Sub(s.readAt) < s.cfg.Refresh {
		return s.info
	}
	if s.opts == nil {
		s.info, s.readAt, s.hasInfo = Resolve(nil, s.cfg.Overrides), now, true
		return s.info
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	rows, err := s.opts.SiteOptions(rctx, optionNames)
	if err != nil {
		// Said once per distinct error: a daemon beside no WordPress would
		// otherwise repeat it every 30 seconds.
		if msg := err.Error(); msg != s.lastErr {
			s.lastErr = msg
			s.cfg.Log.Warn("cannot read the site's WordPress options; using the last known ones", "err", err)
		}
		if !s.hasInfo {
			s.info, s.hasInfo = Resolve(nil, s.cfg.Overrides), true
		}
		// Try again soon rather than after a whole Refresh.
		s.readAt = now.Add(min(retryAfter, s.cfg.Refresh) - s.cfg.Refresh)
		return s.info
	}
	s.info, s.readAt, s.hasInfo, s.lastErr = Resolve(rows, s.cfg.Overrides), now, true, ""
	return s.info
}
