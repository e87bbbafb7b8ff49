package upscale

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Kind says whether trying again may help.
type Kind string

// Error kinds.
const (
	// Transient failures (network, timeout, 429, 5xx) may clear on their own;
	// the job service retries them with backoff.
	Transient Kind = "transient"
	// Permanent failures (bad key, no credit, bad image, a FAILED job) will
	// fail the same way again; the job needs a person.
	Permanent Kind = "permanent"
)

// Error is every failure a provider returns.
type Error struct {
	Kind       Kind
	Msg        string        // what went wrong, fit for a job's last_error
	HTTPStatus int           // the provider's HTTP status, 0 when there was none
	RetryAfter time.Duration // how long the provider asked us to wait, if it did
	Err        error         // the underlying cause, if any, for errors.Is
}

// Error is Msg, with the HTTP status when there was one.
func (e *Error) Error() string {
	if e.HTTPStatus != 0 {
		return fmt.Sprintf("%s (HTTP %d)", e.Msg, e.HTTPStatus)
	}
	return e.Msg
}

// Unwrap exposes the cause, so errors.Is(err, context.DeadlineExceeded) works.
func (e *Error) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying. Errors that are not an
// *Error count as transient: an unknown failure is more likely a hiccup
// than a verdict, and the job service caps attempts anyway.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind == Transient
	}
	return true
}

func permanent(format string, args ...any) *Error {
	return &Error{Kind: Permanent, Msg: fmt.Sprintf(format, args...)}
}

func transient(format string, args ...any) *Error {
	return &Error{Kind: Transient, Msg: fmt.Sprintf(format, args...)}
}

// kindForHTTP classifies a non-2xx answer. Upsampler documents none of its
// error codes, so this table is the one place our guesses live.
func kindForHTTP(status int, msg string) Kind {
	switch {
	case outOfCredit(msg):
		return Permanent
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return Transient
	}
	return Permanent
}

// outOfCredit recognises the account having run dry, whatever status code
// carries it: retrying would only fail again until someone tops up.
func outOfCredit(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "insufficient credit") ||
		strings.Contains(m, "not enough credit") ||
		strings.Contains(m, "out of credit")
}
