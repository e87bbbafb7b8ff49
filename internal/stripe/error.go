package stripe

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	stripego "github.com/stripe/stripe-go/v76"
)

// ErrKind says what a failed Stripe call means for the caller.
type ErrKind string

// The kinds of Stripe failure.
const (
	// KindRefused: Stripe understood and said no (already refunded, disputed,
	// amount too large, card declined). Show Stripe's message; don't retry.
	KindRefused ErrKind = "refused"
	// KindUnavailable: Stripe could not be reached or failed (5xx, 429,
	// network, timeout). Retrying later may work.
	KindUnavailable ErrKind = "unavailable"
	// KindAuth: the key is wrong, revoked or lacks a permission.
	KindAuth ErrKind = "auth"
	// KindNotFound: the object does not exist in this account and mode.
	KindNotFound ErrKind = "not_found"
	// KindInvalid: anything else, usually a bad parameter on our side.
	KindInvalid ErrKind = "invalid"
)

// Error is every error this package returns from an API call. Message is
// Stripe's human message (or ours), safe to show an admin; it never holds
// the secret key.
type Error struct {
	Kind       ErrKind
	Code       string // Stripe's error code, e.g. "charge_already_refunded"
	Message    string
	Param      string // the request parameter Stripe blamed, if any
	HTTPStatus int    // 0 when no response arrived
	RequestID  string // Stripe's req_… id, for support tickets
	err        error  // the cause, for errors.Is (e.g. context.Canceled)
}

// Error formats the kind, code and message.
func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("stripe: %s (%s): %s", e.Kind, e.Code, e.Message)
	}
	return fmt.Sprintf("stripe: %s: %s", e.Kind, e.Message)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.err }

// KindOf returns the kind of err if it is (or wraps) an *Error, else "".
func KindOf(err error) ErrKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// refusalCodes are invalid_request_error codes meaning Stripe gave a
// considered "no" to a well-formed request, not that we made a mistake.
var refusalCodes = map[stripego.ErrorCode]bool{
	stripego.ErrorCodeChargeAlreadyRefunded: true,
	stripego.ErrorCodeChargeDisputed:        true,
	stripego.ErrorCodeRefundDisputedPayment: true,
	stripego.ErrorCodeChargeNotRefundable:   true,
	stripego.ErrorCodeAmountTooLarge:        true,
	stripego.ErrorCodeBalanceInsufficient:   true,
	stripego.ErrorCodeInsufficientFunds:     true,
}

func invalid(format string, args ...any) error {
	return &Error{Kind: KindInvalid, Message: fmt.Sprintf(format, args...)}
}

// wrapErr turns whatever stripe-go returned into an *Error, scrubbing the key
// from every string it keeps.
func (c *Client) wrapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *stripego.Error
	if !errors.As(err, &se) {
		// No Stripe response: network failure, timeout, cancellation or a
		// body that was not Stripe's JSON (a proxy's error page).
		return &Error{
			Kind:    KindUnavailable,
			Message: c.redact("could not reach Stripe: " + err.Error()),
			err:     err,
		}
	}
	e := &Error{
		Code:       string(se.Code),
		Message:    c.redact(se.Msg),
		Param:      se.Param,
		HTTPStatus: se.HTTPStatusCode,
		RequestID:  se.RequestID,
		Kind:       kindOf(se),
	}
	if e.Message == "" {
		e.Message = http.StatusText(se.HTTPStatusCode)
	}
	return e
}

func kindOf(se *stripego.Error) ErrKind {
	switch {
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		return KindAuth
	case se.HTTPStatusCode >= 500, se.HTTPStatusCode == http.StatusTooManyRequests,
		se.Type == stripego.ErrorTypeAPI, se.Code == stripego.ErrorCodeLockTimeout,
		se.Code == stripego.ErrorCodeIdempotencyKeyInUse:
		return KindUnavailable
	case se.Type == stripego.ErrorTypeCard, refusalCodes[se.Code]:
		return KindRefused
	case se.HTTPStatusCode == http.StatusNotFound, se.Code == stripego.ErrorCodeResourceMissing:
		return KindNotFound
	default:
		return KindInvalid
	}
}

// redact removes the secret key from s. Stripe masks keys in its own
// messages; this guards the strings we build from transport errors too.
func (c *Client) redact(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}
