package faults

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

// Job is what the API says about a job: the columns the suite judges by.
type Job struct {
	JobID          string  `json:"job_id"`
	ImageURL       string  `json:"image_url"`
	Email          string  `json:"email"`
	Status         string  `json:"status"`
	PaymentStatus  string  `json:"payment_status"`
	AmountCharged  *int64  `json:"amount_charged"`
	UpsamplerJobID *string `json:"upsampler_job_id"`
	SessionID      *string `json:"stripe_checkout_session_id"`
	PaymentIntent  *string `json:"stripe_payment_intent_id"`
	EmailSent      bool    `json:"email_sent"`
	Attempts       int     `json:"attempts"`
	LastError      *string `json:"last_error"`
}

// Detail is GET /v1/jobs/{id}.
type Detail struct {
	Job     Job `json:"job"`
	Refunds struct {
		Total   int64 `json:"total"`
		History []struct {
			StripeRefundID *string `json:"stripe_refund_id"`
			Amount         int64   `json:"amount"`
			Source         string  `json:"source"`
			Status         string  `json:"status"`
		} `json:"history"`
	} `json:"refunds"`
	Events []struct {
		Type  string `json:"type"`
		Actor string `json:"actor"`
	} `json:"events"`
}

// Count is how many events of type typ the job has.
func (d Detail) Count(typ string) int {
	n := 0
	for _, e := range d.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// any picks a live replica, waiting up to a minute for one (a kill test
// may be between runs).
func (s *Stack) any() *Replica {
	deadline := time.Now().Add(time.Minute)
	for {
		if live := s.Live(); len(live) > 0 {
			return live[int(s.turn.Add(1))%len(live)]
		}
		if time.Now().After(deadline) {
			s.t.Fatal("no smid replica running")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Order opens a checkout for picture n as email would; a failing order's
// image is one the Upsampler fake cannot upscale.
func (s *Stack) Order(n int, failing bool) string {
	s.t.Helper()
	name := fmt.Sprintf("photo-%d.png", n)
	if failing {
		name = fmt.Sprintf("photo-fail-%d.png", n)
	}
	body, _ := json.Marshal(map[string]any{"post_id": 7, "image_url": s.site.URL + "/wp-content/uploads/2026/12/" + name,
		"image_width": 200, "image_height": 150, "resolution": "4x", "email": fmt.Sprintf("buyer-%d@example.com", n),
		"success_url": s.site.URL + "/thanks", "cancel_url": s.site.URL + "/"})
	var out struct {
		JobID string `json:"job_id"`
	}
	s.retry("checkout", func(r *Replica) (int, []byte, error) {
		resp, err := r.post("/v1/checkouts", "application/json", body, nil)
		return readResp(resp, err)
	}, &out)
	return out.JobID
}

// Pay delivers a signed checkout.session.completed for the job, as Stripe
// does: again and again until the daemon answers 2xx.
func (s *Stack) Pay(jobID string) {
	s.t.Helper()
	d := s.Get(jobID)
	obj := map[string]any{"id": *d.Job.SessionID, "object": "checkout.session", "payment_status": "paid",
		"status": "complete", "amount_total": *d.Job.AmountCharged, "currency": "usd", "payment_intent": PaymentIntent(jobID),
		"customer_details": map[string]any{"email": d.Job.Email}, "client_reference_id": jobID,
		"metadata": map[string]string{"job_id": jobID, "source": "sell-my-images"}}
	ev := stripetest.EventJSON("evt_paid_"+strings.ReplaceAll(jobID, "-", ""), "checkout.session.completed", obj)
	s.retry("stripe webhook", func(r *Replica) (int, []byte, error) {
		payload, sig := stripetest.SignEvent(s.t, s.WebhookSecret, ev)
		resp, err := r.post("/v1/webhooks/stripe", "application/json", payload, map[string]string{"Stripe-Signature": sig})
		return readResp(resp, err)
	}, nil)
}

// PaymentIntent is the payment intent the suite pays job with.
func PaymentIntent(jobID string) string { return "pi_" + strings.ReplaceAll(jobID, "-", "")[:24] }

// Get reads a job's detail, retrying while no replica answers.
func (s *Stack) Get(jobID string) Detail {
	s.t.Helper()
	var d Detail
	s.retry("get job", func(r *Replica) (int, []byte, error) { return r.get("/v1/jobs/" + jobID) }, &d)
	return d
}

// retry calls f on a live replica until it answers 2xx (decoding into
// out), for up to two minutes: the suite's requests, like Stripe's and
// WordPress's, are retried while a replica is down or the database is.
func (s *Stack) retry(what string, f func(*Replica) (int, []byte, error), out any) {
	s.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, body, err := f(s.any())
		if err == nil && code/100 == 2 {
			if out != nil {
				if err := json.Unmarshal(body, out); err != nil {
					s.t.Fatalf("%s: %v in %s", what, err, body)
				}
			}
			return
		}
		if err == nil && code/100 == 4 {
			s.t.Fatalf("%s: HTTP %d: %s", what, code, body)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: still failing after 2 minutes: HTTP %d %v %s\n%s", what, code, err, body, s.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func readResp(resp *http.Response, err error) (int, []byte, error) {
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Download fetches a token's file through the daemon: the status and the
// bytes.
func (s *Stack) Download(token string) (int, []byte) {
	s.t.Helper()
	var code int
	var body []byte
	deadline := time.Now().Add(time.Minute)
	for {
		var err error
		code, body, err = s.any().get("/v1/downloads/" + token)
		if err == nil && code < 500 {
			return code, body
		}
		if time.Now().After(deadline) {
			return code, body
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Result is the file the Upsampler fake made for one of its jobs.
func (s *Stack) Result(upsamplerID string) []byte {
	s.t.Helper()
	resp, err := http.Get(s.Up.URL() + "/results/" + upsamplerID + ".png")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("result of %s: HTTP %d", upsamplerID, resp.StatusCode)
	}
	return b
}

// Mail is one message Mailpit received.
type Mail struct {
	JobID, To, Subject, Token string
}

var tokenRE = regexp.MustCompile(`/smi-download/([0-9A-Za-z]{16,128})`)

// Mails lists every message Mailpit received, oldest first, with the
// download token of delivery mails.
func (s *Stack) Mails() []Mail {
	s.t.Helper()
	var out []Mail
	msgs := s.Mail.Messages(s.t) // newest first
	slices.Reverse(msgs)
	for _, m := range msgs {
		full := s.Mail.Message(s.t, m.ID)
		ml := Mail{JobID: full.Header("X-SMI-Job-ID"), Subject: full.Subject}
		if len(full.To) > 0 {
			ml.To = full.To[0].Address
		}
		if t := tokenRE.FindStringSubmatch(full.Text + full.HTML); t != nil {
			ml.Token = t[1]
		}
		out = append(out, ml)
	}
	return out
}
