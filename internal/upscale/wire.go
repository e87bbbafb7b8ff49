package upscale

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxAPIBody bounds what we read of an API answer; real ones are tiny.
const maxAPIBody = 1 << 20

type submitRequest struct {
	Webhook string      `json:"webhook,omitempty"`
	Input   submitInput `json:"input"`
}

type submitInput struct {
	ImageURL       string `json:"imageUrl"`
	InputImageType string `json:"inputImageType"`
	UpscaleFactor  int    `json:"upscaleFactor"`
}

// jobResponse is both the submit and the status answer.
type jobResponse struct {
	ID         string      `json:"id"`
	Status     string      `json:"status"`
	ImageURL   string      `json:"imageUrl"`
	CreditCost float64     `json:"creditCost"` // a float in case the API ever sends 0.25
	Error      looseString `json:"error"`
}

// MaxCredits is the most credits one upscale is believed to cost (a
// 50 MP result costs 13 at today's rates). A creditCost outside 0 to
// MaxCredits is not a cost but a garbled answer, and reads as 0: unknown.
const MaxCredits = 10_000

// credits rounds up: a fractional cost still uses a whole credit.
func (r jobResponse) credits() int {
	c := math.Ceil(r.CreditCost)
	if !(c >= 0 && c <= MaxCredits) {
		return 0
	}
	return int(c)
}

// maxIDLen is the length of the jobs table's upsampler_job_id column.
const maxIDLen = 255

// storableID reports whether a provider's job id fits the jobs table: not
// too long and without control characters.
func storableID(id string) bool {
	return len(id) <= maxIDLen && !strings.ContainsFunc(id, unicode.IsControl)
}

// looseString accepts the error field in any of the shapes seen or feared:
// "text", {"message":"text"}, {"error":"text"}, or anything else as raw JSON.
type looseString string

// UnmarshalJSON never fails: an error field we cannot read must not hide
// the rest of the answer.
func (s *looseString) UnmarshalJSON(b []byte) error {
	*s = looseString(messageFrom(b))
	return nil
}

// String is the message.
func (s looseString) String() string { return string(s) }

func messageFrom(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return ""
	}
	var str string
	if json.Unmarshal(b, &str) == nil {
		return snippet([]byte(str))
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) == nil {
		for _, key := range []string{"message", "error", "detail", "msg", "description"} {
			if v, ok := obj[key]; ok {
				if m := messageFrom(v); m != "" {
					return m
				}
			}
		}
	}
	return snippet(b)
}

// errorMessage finds the human sentence in a non-2xx body.
func errorMessage(body []byte, status int) string {
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) == nil {
		if m := messageFrom(env.Error); m != "" {
			return m
		}
		if m := messageFrom(env.Message); m != "" {
			return m
		}
	}
	// A proxy's HTML error page says nothing the status does not.
	if s := snippet(body); s != "" && !strings.HasPrefix(s, "<") {
		return s
	}
	return cmp.Or(http.StatusText(status), "no reason given")
}

// snippet is a short, single-line excerpt of a body, for messages. It is
// valid UTF-8, cut on a character boundary, since it is stored in a utf8mb4
// column that refuses anything else.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if len(s) > 200 {
		cut := 200
		for !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

var errTooLarge = errors.New("body too large")

// readLimited reads all of r, failing rather than truncating past limit.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", errTooLarge, limit)
	}
	return b, nil
}
