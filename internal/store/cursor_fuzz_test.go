package store

import (
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
)

// sqlShape is every character the WHERE clauses may hold: column names,
// keywords, operators and placeholders. A value from the request is never
// among them, because values are bound.
var sqlShape = regexp.MustCompile(`^[A-Za-z_ (),?=<>]*$`)

// checkSQL asserts that a condition binds one argument per placeholder and
// holds nothing but SQL.
func checkSQL(t *testing.T, cond string, args []any) {
	t.Helper()
	if !sqlShape.MatchString(cond) {
		t.Fatalf("condition holds more than SQL: %q", cond)
	}
	if n := strings.Count(cond, "?"); n != len(args) {
		t.Fatalf("%d placeholders, %d arguments: %q", n, len(args), cond)
	}
}

// FuzzCursor feeds any string as a list cursor. It is refused as an
// invalid cursor, or decodes to a position in a known order that encodes
// and decodes back to itself and seeks with every value bound. The seeds in
// testdata/fuzz/FuzzCursor are cursors the server issues for each order,
// NULL values and tampered ones.
func FuzzCursor(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || e.Param != "cursor" {
				t.Fatalf("%q: refused with %#v, want invalid cursor", s, err)
			}
			return
		}
		if c.ID <= 0 || !slices.Contains(OrderBy, c.OrderBy) {
			t.Fatalf("%q: accepted %+v", s, c)
		}
		again, err := decodeCursor(encodeCursor(c))
		if err != nil {
			t.Fatalf("%q: the cursor %+v does not survive its own encoding: %v", s, c, err)
		}
		if !again.Created.Equal(c.Created) || !reflect.DeepEqual(again.Value, c.Value) ||
			again.OrderBy != c.OrderBy || again.Desc != c.Desc || again.ID != c.ID || again.Back != c.Back {
			t.Fatalf("%q: %+v read back as %+v", s, c, again)
		}
		cond, args := keysetCond(c.OrderBy, c.Desc, c)
		checkSQL(t, cond, args)
	})
}
