package store

import (
	"testing"
	"time"
)

// The LOAD DATA text says what the INSERT path would store: datetimes as
// the layout the old encoder used, NULLs, escapes.
func TestAppendRow(t *testing.T) {
	t.Parallel()
	s := "a\tb\\c\nd\x00e"
	n := 42
	var none *string
	for _, at := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 120000000, time.UTC),
		time.Date(2026, 7, 8, 9, 10, 11, 123456789, time.FixedZone("x", 3600)),
		{},
	} {
		want := at.UTC().Format("2006-01-02 15:04:05.999999")
		if got := string(appendDatetime(nil, at)); got != want {
			t.Errorf("%v: %q, want %q", at, got, want)
		}
	}
	got := string(appendRow(nil, []any{s, &s, none, nil, int64(-7), &n, true, false, "plain"}))
	want := "a\\tb\\\\c\\nd\\0e\ta\\tb\\\\c\\nd\\0e\t\\N\t\\N\t-7\t42\t1\t0\tplain\n"
	if got != want {
		t.Fatalf("row %q, want %q", got, want)
	}
}
