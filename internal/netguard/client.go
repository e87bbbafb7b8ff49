package netguard

import (
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// MaxRedirects is how many redirects Client follows before giving up.
const MaxRedirects = 5

// Client returns an http.Client that only fetches URLs p allows and only
// connects to public addresses (unless p.AllowPrivate). Every request,
// including each redirect hop, passes CheckURL; every connection is checked
// against the IP address actually dialled, after DNS resolution, so a name
// that resolves to a public address for the check and a private one for the
// fetch (DNS rebinding) gains nothing. timeout bounds the whole exchange,
// body included; zero means no limit beyond the request's context.
//
// The client ignores HTTP_PROXY and friends: a proxy would make the
// connection on our behalf, out of reach of the address check.
func (p Policy) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   p.control,
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport:     &guardedTransport{policy: p, next: transport},
		Timeout:       timeout,
		CheckRedirect: p.checkRedirect,
	}
}

// control runs after the socket is made and before it connects, with the
// resolved address: the one place where the real destination is known.
func (p Policy) control(_, address string, _ syscall.RawConn) error {
	if p.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refuse("The address %s could not be checked, so it was not fetched.", address)
	}
	if reason := nonPublic(ap.Addr()); reason != "" {
		return refuse("The URL leads to %s address (%s), which this site will not fetch.", reason, ap.Addr().Unmap())
	}
	return nil
}

func (p Policy) checkRedirect(req *http.Request, via []*http.Request) error {
	// via holds the original request plus each hop already taken.
	if len(via) > MaxRedirects {
		return refuse("The URL redirected more than %d times.", MaxRedirects)
	}
	_, err := p.CheckURL(req.URL.String())
	return err
}

// guardedTransport applies CheckURL to every request, so a caller that
// forgets to check the first URL is still protected.
type guardedTransport struct {
	policy Policy
	next   http.RoundTripper
}

// RoundTrip refuses what the policy refuses and sends the rest on.
func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := t.policy.CheckURL(req.URL.String()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on error; the refusal is the error to report
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t *guardedTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
