package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

var contentRange = regexp.MustCompile(`^bytes ([0-9]+)-([0-9]+)/([0-9]+)$`)

// checkPart asserts that a 206 part's Content-Range lies within the file
// and that its bytes are the file's bytes at that place; it returns where
// the part starts.
func checkPart(t *testing.T, cr string, body, file []byte) int {
	m := contentRange.FindStringSubmatch(cr)
	if m == nil {
		t.Fatalf("Content-Range %q", cr)
	}
	first, _ := strconv.Atoi(m[1])
	last, _ := strconv.Atoi(m[2])
	size, _ := strconv.Atoi(m[3])
	if size != len(file) || first > last || last >= size {
		t.Fatalf("Content-Range %q is outside the %d-byte file", cr, len(file))
	}
	if !bytes.Equal(body, file[first:last+1]) {
		t.Fatalf("Content-Range %q: %d bytes that are not the file's", cr, len(body))
	}
	return first
}

// FuzzDownload asks the download route for any token with any Range
// header, on real parts: a completed job in MariaDB, its file on disk, the
// daemon's HTTP handler. A token other than the job's is refused as
// unknown, whatever its alphabet or length, and counts nothing. The job's
// own token answers 200 with the whole file, 206 with ranges inside the
// file holding the file's bytes, or 416; a download is counted only when
// bytes from the start of the file were sent. The seeds in
// testdata/fuzz/FuzzDownload are the Range forms of RFC 9110 and broken ones.
func FuzzDownload(f *testing.F) {
	ctx := context.Background()
	e := pipelinetest.New(f, pipelinetest.Options{FakeStripe: true})
	j := e.Completed("fuzz@example.com")
	tr, err := e.Svc.IssueToken(ctx, pipeline.TokenRequest{JobID: j.JobID, Actor: job.ActorSystem})
	if err != nil {
		f.Fatal(err)
	}
	token := path.Base(tr.DownloadURL)
	fh, _, err := e.Files.Open(*j.UpscaledFilePath)
	if err != nil {
		f.Fatal(err)
	}
	file, err := io.ReadAll(fh)
	fh.Close()
	if err != nil || len(file) == 0 {
		f.Fatal(err)
	}
	ts := e.Serve(httpapi.Config{Secret: secret, Version: "fuzz"}, httpapi.Services{Pipeline: e.Svc})
	count := func(t *testing.T) int {
		cur, err := e.DB.Get(ctx, j.JobID)
		if err != nil {
			t.Fatal(err)
		}
		return cur.DownloadCount
	}

	f.Fuzz(func(t *testing.T, tok string, own bool, rng string) {
		if own {
			tok = token
		}
		req, err := http.NewRequest("GET", ts.URL+"/v1/downloads/"+url.PathEscape(tok), nil)
		if err != nil {
			return // not a URL any client could send
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		if strings.ContainsFunc(rng, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }) {
			return // a header no client can send
		}
		if rng != "" {
			req.Header["Range"] = []string{rng}
		}
		before := count(t)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		counted := count(t) - before
		if counted != 0 && counted != 1 {
			t.Fatalf("one request counted %d downloads", counted)
		}
		if tok != token {
			plainSegment := tok != "" && tok != "." && tok != ".." && !strings.Contains(tok, "/")
			if resp.StatusCode < 300 || resp.StatusCode >= 500 || counted != 0 ||
				(plainSegment && (resp.StatusCode != 404 || !bytes.Contains(body, []byte(`"reason":"unknown"`)))) {
				t.Fatalf("token %q: %d %s, counted %d", tok, resp.StatusCode, body, counted)
			}
			return
		}
		start := -1 // where the bytes sent begin
		switch mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); {
		case resp.StatusCode == 200:
			if !bytes.Equal(body, file) {
				t.Fatalf("Range %q: 200 with %d bytes, not the %d-byte file", rng, len(body), len(file))
			}
			start = 0
		case resp.StatusCode == 206 && mt == "multipart/byteranges":
			mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
			for n := 0; ; n++ {
				p, err := mr.NextPart()
				if err == io.EOF {
					if n < 2 {
						t.Fatalf("Range %q: multipart answer with %d parts", rng, n)
					}
					break
				}
				if err != nil {
					t.Fatalf("Range %q: multipart answer unreadable: %v", rng, err)
				}
				data, _ := io.ReadAll(p)
				if s := checkPart(t, p.Header.Get("Content-Range"), data, file); n == 0 {
					start = s
				}
			}
		case resp.StatusCode == 206:
			start = checkPart(t, resp.Header.Get("Content-Range"), body, file)
		case resp.StatusCode == 416:
			// net/http answers a malformed Range with a bare 416 and one
			// that misses the file with the file's size.
			if cr := resp.Header.Get("Content-Range"); cr != "" && cr != fmt.Sprintf("bytes */%d", len(file)) {
				t.Fatalf("Range %q: 416 with Content-Range %q", rng, cr)
			}
		default:
			t.Fatalf("Range %q: %d %s", rng, resp.StatusCode, body)
		}
		if counted == 1 && start != 0 {
			t.Fatalf("Range %q: %d counted as a download, though it sent nothing from the start", rng, resp.StatusCode)
		}
	})
}
