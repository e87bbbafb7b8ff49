package upscale

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/sellmyimages/smid/internal/netguard"
)

// Fetch downloads the finished image of r through the fetch client. The API
// key is not sent: result URLs are pre-signed and may be on another host.
func (u *Upsampler) Fetch(ctx context.Context, r Result) (io.ReadCloser, int64, error) {
	if r.Status != StatusSuccess || r.ImageURL == "" {
		return nil, 0, permanent("Upsampler job %s has no finished image to fetch (status %s).", r.ID, r.Status)
	}
	return httpFetch(ctx, u.fetch, r.ImageURL, "the upscaled image")
}

// httpFetch GETs url and returns its body on 200. what names the thing
// fetched, for messages. Shared by Fetch and Local's source download.
func httpFetch(ctx context.Context, client *http.Client, rawURL, what string) (io.ReadCloser, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, &Error{Kind: Permanent, Msg: "Could not request " + what + ": " + err.Error(), Err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		var g *netguard.Error
		if errors.As(err, &g) {
			// A refusal names the problem in a sentence; retrying cannot help.
			return nil, 0, &Error{Kind: Permanent, Msg: "Refused to fetch " + what + ": " + g.Msg, Err: err}
		}
		return nil, 0, &Error{Kind: Transient, Msg: "Could not fetch " + what + " from " + req.URL.Host + ": " + causeText(err), Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close() // the status is the answer
		msg := "Fetching " + what + " failed: " + http.StatusText(resp.StatusCode)
		return nil, 0, &Error{Kind: kindForHTTP(resp.StatusCode, ""), Msg: msg, HTTPStatus: resp.StatusCode}
	}
	return resp.Body, resp.ContentLength, nil
}

// causeText is err without the *url.Error wrapper's "Get <url>:" prefix,
// because a pre-signed URL carries a signature that has no place in a
// job's last_error.
func causeText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
