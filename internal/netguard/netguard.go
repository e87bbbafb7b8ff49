// Package netguard decides which URLs the daemon may fetch on its own behalf.
//
// The daemon downloads a customer-chosen image_url and Upsampler result URLs.
// Without a guard either could point it at the machine itself, the site's LAN
// or a cloud metadata endpoint (server-side request forgery). CheckURL vets a
// URL before any network traffic; Client refuses to connect to a non-public
// address, checking the address actually dialled so DNS tricks cannot slip past.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Policy says which URLs may be fetched.
type Policy struct {
	// AllowedHosts lists the hosts ("example.com") or host:port pairs
	// ("example.com:8443") a URL may name, compared case-insensitively.
	// Empty means any host, as for Upsampler result URLs on a CDN we
	// cannot name in advance.
	AllowedHosts []string
	// AllowPrivate lets the client reach loopback, private and other
	// non-public addresses; for tests and single-machine demos only.
	AllowPrivate bool
}

// Error says why a URL or address was refused, in a sentence fit to show
// the person who supplied it.
type Error struct {
	Msg string
}

// Error is the sentence.
func (e *Error) Error() string { return e.Msg }

// IsBlocked reports whether err, however deeply wrapped (http.Client wraps
// dial and redirect failures twice), is a refusal by a Policy rather than an
// ordinary network failure. A refusal will not go away on retry.
func IsBlocked(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

func refuse(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// CheckURL parses raw and returns it if p allows fetching it. It does no
// network I/O: names are resolved, and their addresses checked, at dial time
// by Client.
func (p Policy) CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, refuse("The address %q is not a valid URL.", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, refuse("The URL must start with http:// or https://.")
	}
	if u.User != nil {
		return nil, refuse("The URL must not contain a user name or password.")
	}
	host := normalHost(u.Hostname())
	if host == "" {
		return nil, refuse("The URL has no host name.")
	}
	port, err := effectivePort(u, scheme)
	if err != nil {
		return nil, err
	}
	if !p.hostAllowed(host, port) {
		return nil, refuse("The host %s is not on this site's list of allowed hosts.", u.Host)
	}
	// A literal address can be judged now, which gives a clearer message
	// than the dial-time refusal would.
	if addr, err := netip.ParseAddr(host); err == nil && !p.AllowPrivate {
		if reason := nonPublic(addr); reason != "" {
			return nil, refuse("The URL points at %s address (%s), which this site will not fetch.", reason, host)
		}
	}
	return u, nil
}

// effectivePort is the URL's port, or the scheme's default when it has none,
// so that an allowed "example.com:443" matches "https://example.com/".
func effectivePort(u *url.URL, scheme string) (string, error) {
	port := u.Port()
	if port == "" {
		if scheme == "https" {
			return "443", nil
		}
		return "80", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", refuse("The URL's port %q is not valid.", port)
	}
	return strconv.Itoa(n), nil
}

func (p Policy) hostAllowed(host, port string) bool {
	if len(p.AllowedHosts) == 0 {
		return true
	}
	for _, entry := range p.AllowedHosts {
		h, pt := splitEntry(entry)
		if h == host && (pt == "" || pt == port) {
			return true
		}
	}
	return false
}

// splitEntry reads an AllowedHosts entry: "host", "host:port", "[v6]" or
// "[v6]:port". A bare IPv6 address has colons but no port.
func splitEntry(entry string) (host, port string) {
	entry = strings.TrimSpace(entry)
	if h, p, err := net.SplitHostPort(entry); err == nil {
		return normalHost(h), p
	}
	return normalHost(strings.Trim(entry, "[]")), ""
}

// normalHost lowercases a host name and drops a trailing root dot, since
// "Example.COM." and "example.com" name the same machine.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// CheckResolved resolves the URL's host and refuses it when any address is
// loopback, private, link-local or otherwise not public (unless the policy
// allows private hosts). The dialer checks again at connect time; this
// check lets a bad URL be refused up front with a clear message.
func (p Policy) CheckResolved(ctx context.Context, u *url.URL) error {
	if p.AllowPrivate {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil {
		return refuse("host %s cannot be resolved", u.Hostname())
	}
	for _, a := range addrs {
		if why := nonPublic(a.Unmap()); why != "" {
			return refuse("host %s resolves to %s address", u.Hostname(), why)
		}
	}
	return nil
}
