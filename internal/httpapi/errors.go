package httpapi

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/sellmyimages/smid/internal/job"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	job.EInvalid:         http.StatusBadRequest,
	job.ENotFound:        http.StatusNotFound,
	job.EConflict:        http.StatusConflict,
	job.EGone:            http.StatusGone,
	job.EPaymentRefused:  http.StatusPaymentRequired,
	job.EBadGateway:      http.StatusBadGateway,
	job.EUnavailable:     http.StatusServiceUnavailable,
	job.EInternal:        http.StatusInternalServerError,
	"unauthorized":       http.StatusUnauthorized,
	"forbidden":          http.StatusForbidden,
	"method_not_allowed": http.StatusMethodNotAllowed,
	"too_large":          http.StatusRequestEntityTooLarge,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// writeError answers with the error's code and message. Anything that is
// not a *job.Error is internal: logged with its detail, shown as a
// generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *job.Error
	if !errors.As(err, &e) {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", logPath(r), "err", err)
		e = &job.Error{Code: job.EInternal, Message: "internal error; the daemon's log has the detail"}
	} else if e.Code == job.EInternal {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", logPath(r), "err", err)
		e = &job.Error{Code: job.EInternal, Message: "internal error; the daemon's log has the detail"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 && e.Code != job.EInternal {
		s.log.WarnContext(r.Context(), "request failed", "method", r.Method, "path", logPath(r), "code", e.Code, "message", e.Message)
	}
	writeJSON(w, status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Param: e.Param, Reason: e.Reason}})
}

func plainError(code, msg string) *job.Error { return &job.Error{Code: code, Message: msg} }

// secretSegment is a path segment that may be a download token.
var secretSegment = regexp.MustCompile(`[A-Za-z0-9_-]{16,}`)

// logPath is the request's path as logs may show it: the route pattern
// when one matched (a download's is /v1/downloads/{token}), else the path
// with anything long enough to be a token masked. No token in clear ever
// reaches a log line.
func logPath(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return secretSegment.ReplaceAllString(r.URL.Path, "[redacted]")
}
