package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A download token never reaches a log line: matched routes log their
// pattern, unmatched paths have token-like segments masked.
func TestLogPathHidesTokens(t *testing.T) {
	token := strings.Repeat("ab12", 16)
	mux := http.NewServeMux()
	var got string
	mux.HandleFunc("GET /v1/downloads/{token}", func(w http.ResponseWriter, r *http.Request) { got = logPath(r) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { got = logPath(r) })
	for _, p := range []string{"/v1/downloads/" + token, "/v1/download/" + token + "/x", "/smi-download/" + token} {
		got = ""
		mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
		if got == "" || strings.Contains(got, token) || strings.Contains(got, token[:20]) {
			t.Errorf("%s logged as %q", p, got)
		}
	}
}
