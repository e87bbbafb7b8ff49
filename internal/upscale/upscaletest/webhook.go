package upscaletest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// WebhookMode says when and how often the fake announces a finished job.
type WebhookMode int

// Webhook modes. The real service's retry behaviour is unknown, so a
// daemon must cope with every one of these.
const (
	// WebhookOnFinish posts once, as the status flips to its final value.
	WebhookOnFinish WebhookMode = iota
	// WebhookEarly posts when the work is done but keeps GET /status at
	// IN_PROGRESS for WebhookDelay more, so confirming too eagerly fails.
	WebhookEarly
	// WebhookTwice posts the same payload twice.
	WebhookTwice
	// WebhookLate posts WebhookDelay after the status flips.
	WebhookLate
	// WebhookNever does not post; only polling finds out.
	WebhookNever
)

// Delivery is one webhook the fake sent.
type Delivery struct {
	JobID      string
	Body       []byte
	StatusCode int    // the receiver's answer; 0 when it could not be reached
	Err        string // why it could not be reached
	At         time.Time
}

// Tick sends every webhook that is due by the fake's clock. The fake calls
// it on its own every TickInterval; tests on a fake clock can call it
// right after moving the clock, to avoid waiting for the next tick.
func (s *Server) Tick() {
	type due struct {
		url  string
		body statusBody
	}
	var send []due
	s.mu.Lock()
	now := s.now()
	for _, j := range s.jobs {
		for j.hooksLeft > 0 && !now.Before(j.hookAt) {
			j.hooksLeft--
			final := "SUCCESS"
			if j.failMsg != "" {
				final = "FAILED"
			}
			send = append(send, due{j.webhook, s.describe(j, final)})
		}
	}
	s.mu.Unlock()
	// Like a real service, deliveries go out side by side, not one after
	// the other; a slow receiver does not hold up the rest.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, d := range send {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.deliver(d.url, d.body)
		}()
	}
	wg.Wait()
}

func (s *Server) deliver(url string, body statusBody) {
	payload, _ := json.Marshal(body)
	d := Delivery{JobID: body.ID, Body: payload, At: s.now()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		var resp *http.Response
		if resp, err = s.client.Do(req); err == nil {
			d.StatusCode = resp.StatusCode
			resp.Body.Close()
		}
	}
	if err != nil {
		d.Err = err.Error()
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	close(s.delivered)
	s.delivered = make(chan struct{})
	s.mu.Unlock()
}

// Webhooks lists the deliveries made so far, oldest first.
func (s *Server) Webhooks() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitWebhooks waits until at least n webhooks have been sent, or ctx ends.
func (s *Server) WaitWebhooks(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.mu.Lock()
		got, wake := len(s.deliveries), s.delivered
		s.mu.Unlock()
		if got >= n {
			return s.Webhooks(), nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return s.Webhooks(), ctx.Err()
		}
	}
}
