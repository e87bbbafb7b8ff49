package job

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status code, in one table.
const (
	EInvalid        = "invalid"         // bad input; Param names the field
	ENotFound       = "not_found"       // no such job, batch or token
	EConflict       = "conflict"        // the job's state does not allow it
	EGone           = "gone"            // the thing existed but is no longer usable
	EPaymentRefused = "payment_refused" // Stripe refused a money movement
	EBadGateway     = "bad_gateway"     // an outside party failed
	EUnavailable    = "unavailable"     // try again later
	EInternal       = "internal"        // a bug or an outage; details only in the log
)

// Error is the one error type of the product: a code, a message safe to show
// to an admin, and the parameter it is about when there is one.
type Error struct {
	Code    string
	Message string
	Param   string
	// Reason refines Code for callers that branch on it (e.g. "expired").
	Reason string
}

func (e *Error) Error() string {
	if e.Param != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Param, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds an invalid-input error about one parameter.
func Invalid(param, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of err, or EInternal when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrJobNotFound is returned when no job has the given id.
var ErrJobNotFound = &Error{Code: ENotFound, Message: "no job has this id"}

// ErrConflict is returned when a conditional update found the job moved on.
var ErrConflict = &Error{Code: EConflict, Message: "the job changed meanwhile; reload and try again"}
