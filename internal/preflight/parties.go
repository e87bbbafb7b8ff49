package preflight

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sellmyimages/smid/internal/upscale"
)

// KeyChecker makes one cheap authenticated Stripe call.
type KeyChecker interface {
	CheckKey(ctx context.Context) error
	Mode() string
}

// StripeKey checks Stripe accepts the secret key and says which mode it is.
func StripeKey(c KeyChecker) Check {
	return Check{Name: "stripe key", Run: func(ctx context.Context) (string, error) {
		if err := c.CheckKey(ctx); err != nil {
			return "", err
		}
		return c.Mode() + " mode, key accepted", nil
	}}
}

// whsecRE is Stripe's signing-secret shape: whsec_ and at least 24
// base64 or hex characters (the dashboard's are base64, the CLI's hex).
var whsecRE = regexp.MustCompile(`^whsec_[A-Za-z0-9+/=]{24,}$`)

// WebhookSecret checks the signing secret's format; only Stripe's next
// signed event can prove it is the endpoint's own.
func WebhookSecret(secret string) Check {
	return Check{Name: "webhook secret", Run: func(context.Context) (string, error) {
		if !whsecRE.MatchString(secret) {
			return "", errors.New("must be whsec_ followed by at least 24 base64 characters (copy it from the webhook endpoint's page)")
		}
		return "whsec_ format", nil
	}}
}

// SMTPProber connects to the relay, says hello, starts TLS and
// authenticates as configured, and quits without sending.
type SMTPProber interface {
	Probe(ctx context.Context) error
}

// SMTP checks the relay answers and accepts the credentials.
func SMTP(p SMTPProber, where string, auth bool) Check {
	return Check{Name: "smtp", Run: func(ctx context.Context) (string, error) {
		if err := p.Probe(ctx); err != nil {
			return "", err
		}
		if auth {
			return where + " reachable, authenticated", nil
		}
		return where + " reachable (no authentication configured)", nil
	}}
}

// StatusChecker asks the upscaler about one job.
type StatusChecker interface {
	Status(ctx context.Context, id string) (upscale.Result, error)
}

// Upsampler checks the API key by asking about a job that does not
// exist: a refused key answers 401 or 403, an accepted one 404.
func Upsampler(u StatusChecker) Check {
	return Check{Name: "upscaler", Run: func(ctx context.Context) (string, error) {
		_, err := u.Status(ctx, "smid-check-no-such-job")
		var ue *upscale.Error
		switch {
		case err == nil:
			return "upsampler, key accepted", nil
		case errors.As(err, &ue) && ue.HTTPStatus == http.StatusNotFound:
			return "upsampler, key accepted", nil
		case errors.As(err, &ue) && (ue.HTTPStatus == http.StatusUnauthorized || ue.HTTPStatus == http.StatusForbidden):
			return "", fmt.Errorf("upsampler refused the API key (HTTP %d)", ue.HTTPStatus)
		}
		return "", fmt.Errorf("upsampler: %w", err)
	}}
}

// Local reports the in-process provider, which needs no key.
func Local() Check {
	return Check{Name: "upscaler", Run: func(context.Context) (string, error) {
		return "local provider (in-process, no key)", nil
	}}
}

// Storage checks dir exists (creating it as serve would) and takes a
// file: written, synced, read back and removed.
func Storage(dir string) Check {
	return Check{Name: "storage", Run: func(context.Context) (string, error) {
		if !filepath.IsAbs(dir) {
			abs, err := filepath.Abs(dir)
			if err != nil {
				return "", err
			}
			dir = abs
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("%s: %w", dir, errors.Unwrap(err))
		}
		f, err := os.CreateTemp(dir, ".smid-check-*")
		if err != nil {
			return "", fmt.Errorf("%s is not writable: %w", dir, errors.Unwrap(err))
		}
		defer os.Remove(f.Name())
		want := "smid check\n"
		_, err = f.WriteString(want)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("write in %s: %w", dir, err)
		}
		got, err := os.ReadFile(f.Name())
		if err != nil || string(got) != want {
			return "", fmt.Errorf("%s: a file written there did not read back", dir)
		}
		return dir + " writable", nil
	}}
}

// SiteURL checks the public site answers a GET with a status below 500
// (a login wall or 404 page is still the site; a 5xx or no answer is not).
func SiteURL(client *http.Client, url string) Check {
	return Check{Name: "site url", Run: func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("User-Agent", "smid-check")
		resp, err := client.Do(req)
		if err != nil {
			var ue interface{ Unwrap() error }
			if errors.As(err, &ue) {
				err = ue.Unwrap()
			}
			return "", fmt.Errorf("%s unreachable: %v", url, err)
		}
		_ = resp.Body.Close() // only the status is wanted
		if resp.StatusCode >= 500 {
			return "", fmt.Errorf("%s answered %s", url, resp.Status)
		}
		return fmt.Sprintf("%s answered %s", url, strings.TrimSpace(resp.Status)), nil
	}}
}
