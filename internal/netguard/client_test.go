package netguard

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

// viaLocalhost rewrites srv's URL to name "localhost", so that CheckURL has
// nothing to object to and only the dial-time check can stop the request.
func viaLocalhost(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return "http://localhost:" + u.Port() + "/"
}

func TestClientRefusesLoopbackAtDial(t *testing.T) {
	t.Parallel()
	srv := newServer(t, hello)
	_, err := Policy{}.Client(5 * time.Second).Get(viaLocalhost(t, srv))
	if err == nil {
		t.Fatal("request to localhost succeeded, want refusal")
	}
	if !IsBlocked(err) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a loopback refusal", err)
	}
}

func TestClientRefusesLoopbackLiteral(t *testing.T) {
	t.Parallel()
	srv := newServer(t, hello)
	_, err := Policy{}.Client(5 * time.Second).Get(srv.URL)
	if !IsBlocked(err) {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestClientAllowPrivateConnects(t *testing.T) {
	t.Parallel()
	srv := newServer(t, hello)
	for _, target := range []string{srv.URL, viaLocalhost(t, srv)} {
		resp, err := Policy{AllowPrivate: true}.Client(5 * time.Second).Get(target)
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "hello" {
			t.Fatalf("GET %s body = %q", target, body)
		}
	}
}

func TestClientRefusesRedirectToDisallowedHost(t *testing.T) {
	t.Parallel()
	other := newServer(t, hello)
	start := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
	})
	startURL, _ := url.Parse(start.URL)
	p := Policy{AllowedHosts: []string{startURL.Host}, AllowPrivate: true}
	_, err := p.Client(5 * time.Second).Get(start.URL)
	if !IsBlocked(err) || !strings.Contains(err.Error(), "allowed hosts") {
		t.Fatalf("err = %v, want a refusal of the redirect target", err)
	}
}

func TestClientRefusesRedirectToBadScheme(t *testing.T) {
	t.Parallel()
	start := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	_, err := Policy{AllowPrivate: true}.Client(5 * time.Second).Get(start.URL)
	if !IsBlocked(err) {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestClientStopsAfterMaxRedirects(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n")) // none on the first request: 0
		if n == MaxRedirects {
			io.WriteString(w, "done")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("%s/?n=%d", srv.URL, n+1), http.StatusFound)
	})
	client := Policy{AllowPrivate: true}.Client(5 * time.Second)

	// Exactly MaxRedirects hops are followed...
	resp, err := client.Get(srv.URL + "/?n=0")
	if err != nil {
		t.Fatalf("%d redirects: %v", MaxRedirects, err)
	}
	resp.Body.Close()

	// ...and one more is refused.
	_, err = client.Get(fmt.Sprintf("%s/?n=-1", srv.URL))
	if !IsBlocked(err) || !strings.Contains(err.Error(), "redirected more than") {
		t.Fatalf("err = %v, want too-many-redirects refusal", err)
	}
}
