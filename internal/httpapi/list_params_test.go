package httpapi_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type listBody struct {
	Jobs []struct {
		JobID  string `json:"job_id"`
		Status string `json:"status"`
	} `json:"jobs"`
	Total       int64  `json:"total"`
	TotalExact  bool   `json:"total_exact"`
	TotalCapped bool   `json:"total_capped"`
	Page        int    `json:"page"`
	TotalPages  int64  `json:"total_pages"`
	NextCursor  string `json:"next_cursor"`
	PrevCursor  string `json:"prev_cursor"`
}

// What the Jobs screen asks for: the rows it shows by id, the last page,
// honest totals, and refusals for what it must not send.
func TestListScreenParams(t *testing.T) {
	t.Parallel()
	b := setup(t, 300)
	get := func(q url.Values) (int, listBody) {
		t.Helper()
		resp, body := b.do("GET", "/v1/jobs?"+q.Encode(), nil)
		var l listBody
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("%v in %s", err, body)
		}
		return resp.StatusCode, l
	}
	want := []string{b.jobs[3].JobID, b.jobs[200].JobID, b.jobs[299].JobID}
	code, l := get(url.Values{"ids": {strings.Join(want, ",")}, "per_page": {"2"}})
	var got []string
	for _, j := range l.Jobs {
		got = append(got, j.JobID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if code != 200 || !slices.Equal(got, want) || !l.TotalExact || l.Total != 3 {
		t.Fatalf("ids: %d %v total %d", code, got, l.Total)
	}

	code, l = get(url.Values{"position": {"last"}, "per_page": {"25"}, "status": {"completed"}})
	if code != 200 || len(l.Jobs) != 25 || l.NextCursor != "" || l.PrevCursor == "" || !l.TotalExact || l.TotalCapped || l.Page != int(l.TotalPages) {
		t.Fatalf("last page: %d, %d jobs, next %q prev %q exact %v page %d/%d", code, len(l.Jobs), l.NextCursor, l.PrevCursor, l.TotalExact, l.Page, l.TotalPages)
	}
	code, prev := get(url.Values{"cursor": {l.PrevCursor}, "per_page": {"25"}, "status": {"completed"}})
	if code != 200 || len(prev.Jobs) != 25 || prev.NextCursor == "" {
		t.Fatalf("page before the last: %d, %d jobs", code, len(prev.Jobs))
	}

	code, l = get(url.Values{"created_from": {"2026-06-01T00:00:00+02:00"}, "status": {"completed"}, "payment_status": {"paid"}})
	if code != 200 || !l.TotalExact || l.Total == 0 {
		t.Fatalf("local dates with status and payment: %d total %d exact %v", code, l.Total, l.TotalExact)
	}

	for _, q := range []url.Values{
		{"position": {"first"}},
		{"position": {"last"}, "page": {"2"}},
		{"ids": {"nope"}},
		{"post_ids": {"1,-2"}},
	} {
		if code, _ := get(q); code != 400 {
			t.Errorf("%v: status %d, want 400", q, code)
		}
	}
}
