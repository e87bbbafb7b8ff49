package site

import (
	"testing"
	"time"
)

func TestParseZone(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in         string
		name       string
		offsetSecs int
	}{
		{"America/New_York", "EST", -5 * 3600},
		{"Europe/Berlin", "CET", 3600},
		{"UTC", "UTC", 0},
		{"UTC+5:30", "UTC+5:30", 5*3600 + 1800},
		{"+05:30", "UTC+5:30", 5*3600 + 1800},
		{"-5", "UTC-5", -5 * 3600},
		{"5.75", "UTC+5:45", 5*3600 + 45*60},
		{"utc-9.5", "UTC-9:30", -(9*3600 + 1800)},
		{"0", "UTC", 0},
	}
	for _, tc := range tests {
		loc, err := ParseZone(tc.in)
		if err != nil {
			t.Errorf("ParseZone(%q): %v", tc.in, err)
			continue
		}
		name, off := at.In(loc).Zone()
		if name != tc.name || off != tc.offsetSecs {
			t.Errorf("ParseZone(%q) = %s %d, want %s %d", tc.in, name, off, tc.name, tc.offsetSecs)
		}
	}
	for _, bad := range []string{"", "Mars/Olympus", "UTC+15", "+5:75", "Local", "/etc/passwd", "../../etc/passwd"} {
		if _, err := ParseZone(bad); err == nil {
			t.Errorf("ParseZone(%q) succeeded, want an error", bad)
		}
	}
}

func TestZoneFromOptions(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		tz, gmt string
		want    int
	}{
		{"America/New_York", "", -5 * 3600},
		{"America/New_York", "3", -5 * 3600}, // the named zone wins, as in wp_timezone()
		{"", "-5", -5 * 3600},
		{"", "5.5", 5*3600 + 1800},
		{"", "", 0},
		{"Nowhere/Special", "2", 2 * 3600},
		{"", "junk", 0},
	}
	for _, tc := range tests {
		if _, off := at.In(zoneFromOptions(tc.tz, tc.gmt)).Zone(); off != tc.want {
			t.Errorf("zone(%q, %q) offset %d, want %d", tc.tz, tc.gmt, off, tc.want)
		}
	}
}
