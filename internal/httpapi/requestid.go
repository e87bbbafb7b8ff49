package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"

	"github.com/sellmyimages/smid/internal/reqid"
)

// requestIDRE is what a caller's X-Request-Id may be; anything else is
// replaced, so a log line never carries a visitor's free text.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID takes the plugin's X-Request-Id (or makes one), echoes it
// in the answer, and puts it in the request's context, where the logger
// finds it for every line logged with that context.
func withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !requestIDRE.MatchString(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		h.ServeHTTP(w, r.WithContext(reqid.With(r.Context(), id)))
	})
}
