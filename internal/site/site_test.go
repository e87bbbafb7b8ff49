package site_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// wpRows are options as a WordPress 6.1 site set to New York and German
// keeps them: blogname HTML-escaped by sanitize_option, an empty
// gmt_offset beside a named zone, WPLANG as the language chooser saves it.
var wpRows = map[string]string{
	"blogname":        "Tom &amp; Jerry&#039;s Prints",
	"admin_email":     "owner@shop.example",
	"timezone_string": "America/New_York",
	"gmt_offset":      "",
	"date_format":     "F j, Y",
	"time_format":     "g:i a",
	"WPLANG":          "de_DE",
	"siteurl":         "https://www.shop.example/wp",
	"home":            "https://www.shop.example",
	"blogdescription": "Just another WordPress site",
}

type bundle struct {
	dsn   string
	db    *store.DB
	clock *pipelinetest.Clock
}

func setup(t *testing.T, prefix string) bundle {
	t.Helper()
	dsn := storetest.EmptyDB(t)
	db := storetest.Open(t, dsn, storetest.Options{Prefix: prefix}, false)
	return bundle{dsn: dsn, db: db, clock: pipelinetest.NewClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))}
}

func (b bundle) site(o site.Overrides) *site.Site {
	return site.New(site.Config{Overrides: o, Refresh: 5 * time.Minute, Now: b.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, b.db)
}

// sale is 23:30 on 4 December in New York.
var sale = time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC)

func TestInfoFromWordPressOptions(t *testing.T) {
	t.Parallel()
	b := setup(t, "wp_")
	storetest.WPOptions(t, b.dsn, "wp_", wpRows)
	info := b.site(site.Overrides{}).Info(context.Background())

	if info.Name != "Tom & Jerry's Prints" || info.AdminEmail != "owner@shop.example" {
		t.Errorf("name %q, admin %q", info.Name, info.AdminEmail)
	}
	if info.URL != "https://www.shop.example" || info.Host() != "shop.example" {
		t.Errorf("URL %q, host %q: want home's, without www.", info.URL, info.Host())
	}
	if got := info.DateTime(sale); got != "December 4, 2026 11:30 pm EST" {
		t.Errorf("DateTime = %q, want the New York day and the site's formats", got)
	}
	if got := info.Date(sale); got != "December 4, 2026" {
		t.Errorf("Date = %q", got)
	}
	if got, _ := info.Money(1234, "eur"); got != "12,34\u00a0€" {
		t.Errorf("Money in de_DE = %q", got)
	}
}

func TestInfoRefreshesOnItsClock(t *testing.T) {
	t.Parallel()
	b := setup(t, "shop2_")
	storetest.WPOptions(t, b.dsn, "shop2_", wpRows)
	s := b.site(site.Overrides{})
	ctx := context.Background()
	if got := s.Info(ctx).Name; got != "Tom & Jerry's Prints" {
		t.Fatalf("name = %q", got)
	}
	storetest.WPOptions(t, b.dsn, "shop2_", map[string]string{"blogname": "Jerry Alone", "timezone_string": "",
		"gmt_offset": "5.5", "time_format": "H:i"})
	b.clock.Advance(4 * time.Minute)
	if got := s.Info(ctx).Name; got != "Tom & Jerry's Prints" {
		t.Errorf("within the refresh period name = %q, want the cached one", got)
	}
	b.clock.Advance(time.Minute)
	info := s.Info(ctx)
	if info.Name != "Jerry Alone" {
		t.Errorf("after the refresh period name = %q, want the new one", info.Name)
	}
	if got := info.DateTime(sale); got != "December 5, 2026 10:00 UTC+5:30" {
		t.Errorf("DateTime with gmt_offset 5.5 = %q", got)
	}
}

func TestOverridesWin(t *testing.T) {
	t.Parallel()
	b := setup(t, "wp_")
	storetest.WPOptions(t, b.dsn, "wp_", wpRows)
	info := b.site(site.Overrides{Name: "Config Shop", AdminEmail: "ops@shop.example", URL: "https://pics.example",
		Timezone: "Europe/Berlin", Locale: "en_GB", DateFormat: "d/m/Y", TimeFormat: "H:i"}).Info(context.Background())
	if info.Name != "Config Shop" || info.AdminEmail != "ops@shop.example" || info.Host() != "pics.example" {
		t.Errorf("info = %+v", info)
	}
	if got := info.DateTime(sale); got != "05/12/2026 05:30 CET" {
		t.Errorf("DateTime = %q", got)
	}
	if got, _ := info.Money(1234, "gbp"); got != "£12.34" {
		t.Errorf("Money = %q", got)
	}
}

// TestNotifySwitchesFromSettings reads the owner-notification switches as
// the plugin's Settings screen saves them: "1" when ticked, "" once
// unticked, no row when never saved.
func TestNotifySwitchesFromSettings(t *testing.T) {
	t.Parallel()
	b := setup(t, "wp_")
	rows := map[string]string{"smi_notify_sale": "", "smi_notify_failed": "1"}
	for k, v := range wpRows {
		rows[k] = v
	}
	storetest.WPOptions(t, b.dsn, "wp_", rows)
	got := b.site(site.Overrides{}).Info(context.Background()).Notify
	if len(got) != 2 || got["sale"] || !got["failed"] {
		t.Errorf("Notify = %v, want sale off, failed on, dispute and stuck unset", got)
	}
	if _, ok := got["stuck"]; ok {
		t.Error("a switch never saved must be absent, so the config decides")
	}
}

func TestMissingOptionsTableFallsBackThenRecovers(t *testing.T) {
	t.Parallel()
	b := setup(t, "wp_")
	s := b.site(site.Overrides{Name: "Fallback Shop"})
	ctx := context.Background()
	info := s.Info(ctx)
	if info.Name != "Fallback Shop" || info.DateTime(sale) != "December 5, 2026 4:30 am UTC" {
		t.Errorf("without the table: %q, %q; want the override and WordPress's defaults in UTC", info.Name, info.DateTime(sale))
	}
	storetest.WPOptions(t, b.dsn, "wp_", wpRows)
	b.clock.Advance(31 * time.Second) // a failed read is retried after 30s, not a whole refresh
	if got := s.Info(ctx).DateTime(sale); got != "December 4, 2026 11:30 pm EST" {
		t.Errorf("after the table appeared: %q", got)
	}
}
