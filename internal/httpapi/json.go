package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
)

// writeJSON writes v as the response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// readJSON decodes a size-limited JSON body into v, refusing unknown
// fields so a typo is an error rather than a silent default.
func readJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return job.Invalid("body", "send the body as application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty body means all defaults
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &job.Error{Code: "too_large", Message: "request body is too large"}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return job.Invalid(te.Field, "%s must be a %s", te.Field, te.Type.String())
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return job.Invalid(strings.Trim(f, `"`), "unknown field %s", f)
		}
		return job.Invalid("body", "body is not valid JSON: %v", err)
	}
	if dec.More() {
		return job.Invalid("body", "body must hold one JSON object")
	}
	return nil
}
