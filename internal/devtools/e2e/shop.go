package e2e

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

//go:embed wpfixture.php
var wpFixture []byte

// Product is an image for sale: a published post with the image and the
// plugin's buy button.
type Product struct {
	PostID       int64  `json:"post_id"`
	AttachmentID int64  `json:"attachment_id"`
	ImageURL     string `json:"image_url"`
	Permalink    string `json:"permalink"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// TestPNG is a w×h gradient, a real photo stand-in.
func TestPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), 140, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// AddProduct uploads a w×h PNG into the media library and publishes a post
// (slug) with it and its buy button; a post with that slug is reused.
func (s *Stack) AddProduct(ctx context.Context, slug, title string, w, h int) (Product, error) {
	dir := filepath.Join(s.cfg.Dir, "fixtures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Product{}, err
	}
	script := filepath.Join(dir, "wpfixture.php")
	pic := filepath.Join(dir, slug+".png")
	if err := os.WriteFile(script, wpFixture, 0o644); err != nil {
		return Product{}, err
	}
	if err := os.WriteFile(pic, TestPNG(w, h), 0o644); err != nil {
		return Product{}, err
	}
	out, err := runCommand(ctx, s.env(), "php", script, s.SiteDir, pic, slug, title)
	if err != nil {
		return Product{}, err
	}
	var p Product
	// WordPress may print notices before the JSON: take the last line.
	if err := json.Unmarshal([]byte(lastLine(out)), &p); err != nil {
		return Product{}, fmt.Errorf("wpfixture.php printed %q: %w", out, err)
	}
	return p, nil
}

// Checkout is what the plugin's checkout route answered.
type Checkout struct {
	JobID       string `json:"job_id"`
	CheckoutURL string `json:"checkout_url"`
}

// CheckoutREST buys p as a visitor would: POST /wp-json/smi/v1/checkout.
func (s *Stack) CheckoutREST(ctx context.Context, p Product, resolution, email string) (Checkout, error) {
	body, _ := json.Marshal(map[string]any{"attachment_id": p.AttachmentID, "post_id": p.PostID, "resolution": resolution, "email": email})
	var c Checkout
	status, raw, err := s.do(ctx, http.MethodPost, s.SiteURL+"/wp-json/smi/v1/checkout", body, map[string]string{"Content-Type": "application/json"})
	if err != nil {
		return c, err
	}
	if status != http.StatusCreated {
		return c, fmt.Errorf("POST /wp-json/smi/v1/checkout: HTTP %d: %s", status, raw)
	}
	return c, json.Unmarshal(raw, &c)
}

// Job is the part of the daemon's job the demo and tests read.
type Job struct {
	JobID                   string     `json:"job_id"`
	Status                  string     `json:"status"`
	PaymentStatus           string     `json:"payment_status"`
	Email                   string     `json:"email"`
	Resolution              string     `json:"resolution"`
	Currency                string     `json:"currency"`
	AmountCharged           *int64     `json:"amount_charged"`
	RefundAmount            *int64     `json:"refund_amount"`
	StripeCheckoutSessionID *string    `json:"stripe_checkout_session_id"`
	StripePaymentIntentID   *string    `json:"stripe_payment_intent_id"`
	TokenState              string     `json:"token_state"`
	DownloadCount           int        `json:"download_count"`
	OutputWidth             *int       `json:"output_width"`
	OutputHeight            *int       `json:"output_height"`
	CreatedAt               time.Time  `json:"created_at"`
	CompletedAt             *time.Time `json:"completed_at"`
}

// Event is one entry of a job's timeline.
type Event struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Type       string    `json:"type"`
	FromStatus *string   `json:"from_status"`
	ToStatus   *string   `json:"to_status"`
	Message    string    `json:"message"`
}

// JobDetail is GET /v1/jobs/{id}.
type JobDetail struct {
	Job     Job `json:"job"`
	Refunds struct {
		Total     int64 `json:"total"`
		Remaining int64 `json:"remaining"`
		History   []struct {
			Amount int64  `json:"amount"`
			Reason string `json:"reason"`
			Status string `json:"status"`
			Actor  string `json:"actor"`
		} `json:"history"`
	} `json:"refunds"`
	Events []Event `json:"events"`
}

// JobList is GET /v1/jobs.
type JobList struct {
	Jobs       []Job `json:"jobs"`
	Total      int   `json:"total"`
	TotalPages int   `json:"total_pages"`
}

// Daemon sends an authenticated request to smid's API and decodes the
// JSON answer into v (unless v is nil); a non-2xx status is an error.
func (s *Stack) Daemon(ctx context.Context, method, path string, query url.Values, body any, v any) error {
	u := s.DaemonURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	status, out, err := s.do(ctx, method, u, raw, map[string]string{"Authorization": "Bearer " + s.Secret, "Content-Type": "application/json"})
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, status, out)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(out, v)
}

// Job reads one job from the daemon.
func (s *Stack) Job(ctx context.Context, id string) (JobDetail, error) {
	var d JobDetail
	err := s.Daemon(ctx, http.MethodGet, "/v1/jobs/"+url.PathEscape(id), nil, nil, &d)
	return d, err
}

// Jobs lists jobs from the daemon.
func (s *Stack) Jobs(ctx context.Context, q url.Values) (JobList, error) {
	var l JobList
	err := s.Daemon(ctx, http.MethodGet, "/v1/jobs", q, nil, &l)
	return l, err
}

func (s *Stack) do(ctx context.Context, method, u string, body []byte, headers map[string]string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// SignedCheckoutCompleted is the checkout.session.completed event Stripe
// sends when the job's checkout is paid, signed with secret; it returns the
// body and the Stripe-Signature header.
func SignedCheckoutCompleted(secret string, j Job, paymentIntent string) (payload []byte, header string, err error) {
	if j.StripeCheckoutSessionID == nil || j.AmountCharged == nil {
		return nil, "", fmt.Errorf("job %s has no checkout session or amount", j.JobID)
	}
	obj := map[string]any{
		"id": *j.StripeCheckoutSessionID, "object": "checkout.session", "mode": "payment",
		"status": "complete", "payment_status": "paid", "amount_total": *j.AmountCharged,
		"currency": j.Currency, "payment_intent": paymentIntent, "client_reference_id": j.JobID,
		"customer_details": map[string]any{"email": j.Email}, "customer_email": nilIfEmpty(j.Email),
		"metadata": map[string]string{"job_id": j.JobID, "source": "sell-my-images"},
	}
	event := map[string]any{
		"id": "evt_" + randomHex(12), "object": "event", "api_version": "2023-10-16",
		"created": time.Now().Unix(), "livemode": false, "type": "checkout.session.completed",
		"pending_webhooks": 1, "data": map[string]any{"object": obj},
	}
	raw, err := json.Marshal(event)
	if err != nil {
		return nil, "", err
	}
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: raw, Secret: secret, Timestamp: time.Now()})
	return sp.Payload, sp.Header, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PayThroughSite sends the signed checkout.session.completed event for a
// job through the plugin's public bridge, as Stripe would, and returns the
// answer's status and body.
func (s *Stack) PayThroughSite(ctx context.Context, jobID string) (int, string, error) {
	d, err := s.Job(ctx, jobID)
	if err != nil {
		return 0, "", err
	}
	payload, sig, err := SignedCheckoutCompleted(s.WebhookSecret, d.Job, "pi_e2e_"+strings.ReplaceAll(jobID, "-", "")[:16])
	if err != nil {
		return 0, "", err
	}
	status, body, err := s.do(ctx, http.MethodPost, s.SiteURL+"/smi-webhook/stripe/", payload,
		map[string]string{"Content-Type": "application/json", "Stripe-Signature": sig})
	return status, string(body), err
}

// WaitStatus polls the job until it has status want, calling seen with each
// new status on the way; it fails on a terminal status other than want.
func (s *Stack) WaitStatus(ctx context.Context, jobID, want string, within time.Duration, seen func(status string)) (JobDetail, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	last := ""
	for {
		d, err := s.Job(ctx, jobID)
		if err == nil && d.Job.Status != last {
			last = d.Job.Status
			if seen != nil {
				seen(last)
			}
		}
		if err == nil && last == want {
			return d, nil
		}
		if err == nil && (last == "failed" || last == "abandoned") {
			return d, fmt.Errorf("job %s is %s, not %s", jobID, last, want)
		}
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("job %s is %q after %s, want %s (%v)", jobID, last, within, want, err)
		case <-time.After(25 * time.Millisecond):
		}
	}
}
