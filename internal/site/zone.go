package site

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the site's zone must load on a machine without zoneinfo
)

// ParseZone reads a time zone the way WordPress's settings can hold one:
// an IANA name ("America/New_York", "UTC") or a fixed offset from UTC
// ("UTC+5:30", "+05:30", "-5", "5.75", as gmt_offset stores it).
func ParseZone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty time zone")
	}
	if off, ok := parseOffset(s); ok {
		return fixedZone(off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil || strings.HasPrefix(s, "/") || s == "Local" {
		return nil, fmt.Errorf("unknown time zone %q: use a name such as America/New_York or an offset such as UTC+5:30", s)
	}
	return loc, nil
}

var offsetRE = regexp.MustCompile(`^(?:UTC|GMT)?\s*([+-]?)(\d{1,2})(?:(?::(\d{2}))|(\.\d+))?$`)

// parseOffset reads an offset into seconds east of UTC.
func parseOffset(s string) (int, bool) {
	m := offsetRE.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[2])
	secs := h * 3600
	switch {
	case m[3] != "":
		mins, _ := strconv.Atoi(m[3])
		if mins >= 60 {
			return 0, false
		}
		secs += mins * 60
	case m[4] != "":
		frac, _ := strconv.ParseFloat("0"+m[4], 64)
		secs += int(math.Round(frac*60)) * 60
	}
	if secs > 14*3600 {
		return 0, false
	}
	if m[1] == "-" {
		secs = -secs
	}
	return secs, true
}

// fixedZone names an offset as WordPress shows it: UTC, UTC+5:30, UTC-5.
func fixedZone(secs int) *time.Location {
	if secs == 0 {
		return time.UTC
	}
	sign, a := "+", secs
	if secs < 0 {
		sign, a = "-", -secs
	}
	name := "UTC" + sign + strconv.Itoa(a/3600)
	if m := a % 3600 / 60; m != 0 {
		name += fmt.Sprintf(":%02d", m)
	}
	return time.FixedZone(name, secs)
}

// zoneFromOptions is WordPress's own rule (wp_timezone_string): the named
// zone when timezone_string holds one, else gmt_offset hours.
func zoneFromOptions(tzString, gmtOffset string) *time.Location {
	if tzString != "" {
		if loc, err := ParseZone(tzString); err == nil {
			return loc
		}
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(gmtOffset), 64); err == nil && math.Abs(f) <= 14 {
		return fixedZone(int(math.Round(f * 3600)))
	}
	return time.UTC
}
