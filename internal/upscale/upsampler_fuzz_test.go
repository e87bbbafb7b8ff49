package upscale_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sellmyimages/smid/internal/upscale"
)

// fuzzKey is the API key; no error may show it, even when the answer
// echoes it.
const fuzzKey = "up_fuzz_key_0123456789abcdef"

// answer is an Upsampler that always gives one HTTP answer, without a
// socket, so the fuzzer's time goes to decoding.
type answer struct {
	status int
	body   []byte
}

func (a *answer) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3"}},
		Body: io.NopCloser(bytes.NewReader(a.body)), Request: r}, nil
}

// maxStoredID is the length of the upsampler_job_id column.
const maxStoredID = 255

// FuzzUpsamplerAnswer gives Submit or Status any HTTP status and body, the
// shape of Upsampler's answers and of its callback. Whatever comes back:
// an error is an *upscale.Error with a kind, a message that is valid UTF-8
// (it is stored in last_error), short, and never the API key; a success
// has a job ID the jobs table can hold, a status (a submission's may be
// missing) and a credit cost from 0 to upscale.MaxCredits. The seeds in
// testdata/fuzz/FuzzUpsamplerAnswer are real answers, every error shape,
// echoed keys and hostile values.
func FuzzUpsamplerAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte, submit bool) {
		if status < 100 || status > 999 {
			return // net/http never hands over such a status
		}
		a := &answer{status: status, body: body}
		u, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: "https://upsampler.test/api/v1", APIKey: fuzzKey,
			HTTPClient: &http.Client{Transport: a}})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		var st upscale.Status
		var credits int
		if submit {
			var sub upscale.Submission
			sub, err = u.Submit(context.Background(), "https://shop.example/a.png", 4, "https://shop.example/hook?job=x")
			id, st, credits = sub.ID, sub.Status, sub.CreditCost
		} else {
			var res upscale.Result
			res, err = u.Status(context.Background(), "job-1")
			id, st, credits = res.ID, res.Status, res.CreditCost
		}
		if err != nil {
			var e *upscale.Error
			if !errors.As(err, &e) || (e.Kind != upscale.Transient && e.Kind != upscale.Permanent) {
				t.Fatalf("error %#v is not an *upscale.Error with a kind", err)
			}
			msg := err.Error()
			if !utf8.ValidString(msg) || len(msg) > 500 || strings.Contains(msg, fuzzKey) {
				t.Fatalf("message %q: not valid UTF-8, over 500 bytes or showing the key", msg)
			}
			return
		}
		// A submission may come back without a status: it has an id, so
		// it is followed by polling rather than sent (and paid for) again.
		if (st == "" && !submit) || id == "" || len(id) > maxStoredID || credits < 0 || credits > upscale.MaxCredits {
			t.Fatalf("accepted id %q status %q credits %d", id, st, credits)
		}
	})
}
