package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"
	"github.com/sellmyimages/smid/internal/site"
)

// Checks for string values. Messages never repeat a value that could be a
// secret; only checks used on plain settings quote what they got.

// optional skips c for an empty value.
func optional(c check) check {
	return func(s string) (string, error) {
		if s == "" {
			return s, nil
		}
		return c(s)
	}
}

func nonEmpty(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return s, errors.New("must not be empty")
	}
	return s, nil
}

// absPath wants an absolute path: a relative one would depend on the
// directory the daemon happens to start in.
func absPath(s string) (string, error) {
	if !filepath.IsAbs(s) {
		return s, fmt.Errorf("must be an absolute path (got %q)", s)
	}
	return filepath.Clean(s), nil
}

func oneLine(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") {
		return s, errors.New("must be a single line")
	}
	return s, nil
}

func oneOf(options ...string) check {
	return func(s string) (string, error) {
		if !slices.Contains(options, s) {
			return s, fmt.Errorf("must be one of %s (got %q)", strings.Join(options, ", "), s)
		}
		return s, nil
	}
}

func tablePrefix(s string) (string, error) {
	if !tablePrefixRE.MatchString(s) {
		return s, errors.New("must match [A-Za-z0-9_]{1,32}")
	}
	return s, nil
}

// hasPrefix catches a key pasted into the wrong setting (a publishable
// pk_ key as the secret key); it names the prefixes, not the value.
func hasPrefix(prefixes ...string) check {
	return func(s string) (string, error) {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				return s, nil
			}
		}
		return s, fmt.Errorf("must start with %s", strings.Join(prefixes, " or "))
	}
}

// httpURL wants an absolute http(s) URL without credentials, query or
// fragment, and drops a trailing slash so callers can append paths. The
// value is not quoted back: a URL may carry a password.
func httpURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return s, errors.New("must be an absolute http:// or https:// URL")
	case u.User != nil:
		return s, errors.New("must not contain credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return s, errors.New("must not have a query or fragment")
	}
	return strings.TrimRight(s, "/"), nil
}

// listenAddr accepts host:port (port 0 picks a free one) or unix:/path.
func listenAddr(s string) (string, error) {
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if path == "" {
			return s, errors.New("unix: needs a socket path")
		}
		return s, nil
	}
	_, port, err := net.SplitHostPort(s)
	if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 0 || p > 65535 {
		return s, fmt.Errorf("must be host:port or unix:/path (got %q)", s)
	}
	return s, nil
}

// hostnameRE is a DNS name: dot-separated labels of letters, digits and
// inner hyphens.
var hostnameRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// hostPort accepts host, host:port, an IP address or [IPv6]:port, and
// lower-cases it.
func hostPort(s string) (string, error) {
	s = strings.ToLower(s)
	if strings.Contains(s, "/") {
		return s, errors.New("must be a host name or host:port, not a URL")
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return s, errors.New("port must be a number from 1 to 65535")
		}
	}
	if net.ParseIP(host) != nil {
		if port == "" && strings.Contains(host, ":") {
			return host, nil // a bare IPv6 address
		}
		return s, nil
	}
	if !hostnameRE.MatchString(host) || len(host) > 253 {
		return s, errors.New("must be a host name or host:port, not a URL")
	}
	return s, nil
}

func address(s string) (string, error) {
	if _, err := mail.ParseAddress(s); err != nil {
		return s, fmt.Errorf("must be an e-mail address like \"Name <user@example.com>\" (got %q)", s)
	}
	return s, nil
}

// zeroDecimal and threeDecimal list the ISO 4217 codes Stripe does not
// count in hundredths. Amounts here are cents, so these would be off by 100×
// (zero-decimal) or 10× (three-decimal). ISK and UGX are zero-decimal
// currencies that Stripe writes with two decimals but only in multiples of
// 100, which a computed price would rarely be.
var (
	zeroDecimal  = []string{"bif", "clp", "djf", "gnf", "isk", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
	threeDecimal = []string{"bhd", "jod", "kwd", "omr", "tnd"}
	currencyRE   = regexp.MustCompile(`^[a-z]{3}$`)
)

// currency lower-cases an ISO 4217 code and refuses those without two
// decimal places.
func currency(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case !currencyRE.MatchString(s):
		return s, fmt.Errorf("must be a three-letter ISO 4217 code like usd (got %q)", s)
	case slices.Contains(zeroDecimal, s):
		return s, fmt.Errorf("%s is a zero-decimal currency; only currencies with two decimal places are supported", s)
	case slices.Contains(threeDecimal, s):
		return s, fmt.Errorf("%s is a three-decimal currency; only currencies with two decimal places are supported", s)
	}
	return s, nil
}

// schedule accepts what robfig/cron's standard parser does: five fields
// or a descriptor like "@every 30s" or "@daily".
func schedule(s string) (string, error) {
	if _, err := cron.ParseStandard(s); err != nil {
		return s, fmt.Errorf("not a cron schedule (%v)", err)
	}
	return s, nil
}

// timezone accepts what the site's zone can be: an IANA name such as
// America/New_York or an offset such as UTC+5:30.
func timezone(s string) (string, error) {
	if _, err := site.ParseZone(s); err != nil {
		return s, err
	}
	return strings.TrimSpace(s), nil
}

// locale accepts a WordPress locale such as en_US or de_DE.
func locale(s string) (string, error) {
	return site.ParseLocale(s)
}
