package wpscreen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// daemonClient makes the Jobs screen's two daemon requests from Go.
type daemonClient struct {
	base, secret string
	client       *http.Client
}

func newDaemonClient(base, secret string) *daemonClient {
	return &daemonClient{base: base, secret: secret, client: &http.Client{Timeout: time.Minute}}
}

// screenCalls is what the plugin's screen asks the daemon for, in its
// order: the counts for the status views, then the page of jobs.
func (d *daemonClient) screenCalls(jobs url.Values) func(context.Context) (time.Duration, error) {
	return func(ctx context.Context) (time.Duration, error) {
		start := time.Now()
		if err := d.get(ctx, "/v1/stats", url.Values{"only": {"counts"}}); err != nil {
			return 0, err
		}
		if err := d.get(ctx, "/v1/jobs", jobs); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
}

func (d *daemonClient) get(ctx context.Context, path string, v url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+path+"?"+v.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.secret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-SMI-Actor", "wp:1:admin")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", path, resp.Status, body)
	}
	return nil
}
