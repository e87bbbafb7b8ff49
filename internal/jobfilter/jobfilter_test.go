package jobfilter

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

func TestParseSearch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		q    string
		kind store.SearchKind
		bad  bool
	}{
		{"", store.SearchNone, false},
		{"6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a", store.SearchJobID, false},
		{"6F1C2E0A", store.SearchJobIDPrefix, false},
		{"6f1c2e0a-9b8d", store.SearchJobIDPrefix, false},
		{"ann@example.com", store.SearchEmail, false},
		{"ann", store.SearchEmailPrefix, false},
		{"@example.com", store.SearchEmailDomain, false},
		{"1234", store.SearchNumericID, false},
		{"0", 0, true},
		{"a%b", 0, true},
		{"x", 0, true},
		{"two words", 0, true},
	}
	for _, c := range cases {
		s, err := ParseSearch(c.q)
		if (err != nil) != c.bad || (!c.bad && s.Kind != c.kind) {
			t.Errorf("ParseSearch(%q) = %v, %v; want kind %v bad=%v", c.q, s.Kind, err, c.kind, c.bad)
		}
	}
}

// Lists too long, ids that are not ids and times without an offset are
// refused.
func TestParseRefuses(t *testing.T) {
	t.Parallel()
	many := strings.TrimSuffix(strings.Repeat("7,", store.MaxPostIDs+1), ",")
	for _, q := range []url.Values{
		{"post_ids": {many}},
		{"post_ids": {"1,x"}},
		{"post_ids": {"0"}},
		{"ids": {"not-a-uuid"}},
		{"ids": {strings.TrimSuffix(strings.Repeat("6f1c2e0a-9b8d-4c6e-8f4a-3b2c1d0e9f8a,", store.MaxJobIDs+1), ",")}},
		{"created_from": {"2026-03-01T00:00:00"}},
	} {
		_, err := Parse(q)
		var e *job.Error
		if !errors.As(err, &e) || e.Code != job.EInvalid {
			t.Errorf("%v: %v, want refused as invalid", q, err)
			continue
		}
		for k := range q {
			if e.Param != k {
				t.Errorf("%v: refusal names %q, want %q", q, e.Param, k)
			}
		}
	}
}

// A site's local midnight keeps its offset, even when the "+" arrived
// unescaped and reads as a space; a bare date as an upper bound is the end
// of that UTC day; a partial email is a prefix, a whole one exact.
func TestParseReadsWhatTheScreenSends(t *testing.T) {
	t.Parallel()
	f, err := Parse(url.Values{
		"status":       {"completed,failed"},
		"created_from": {"2026-03-01T00:00:00 02:00"},
		"created_to":   {"2026-03-31"},
		"email":        {"ann@"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 2, 28, 22, 0, 0, 0, time.UTC); !f.CreatedFrom.Equal(want) {
		t.Errorf("created_from %v, want %v", f.CreatedFrom, want)
	}
	if want := time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC); !f.CreatedTo.Equal(want) {
		t.Errorf("created_to %v, want %v", f.CreatedTo, want)
	}
	if len(f.Statuses) != 2 || f.Email != "ann@" || !f.EmailPrefix {
		t.Errorf("statuses %v, email %q prefix=%v", f.Statuses, f.Email, f.EmailPrefix)
	}
	if f, _ := Parse(url.Values{"email": {"ann@example.com"}}); f.EmailPrefix {
		t.Error("a whole address was read as a prefix")
	}
}
