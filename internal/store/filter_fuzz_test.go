package store

import (
	"errors"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

// queryOf writes f back as the query that selects it.
func queryOf(f Filter) url.Values {
	v := url.Values{}
	var st []string
	for _, s := range f.Statuses {
		st = append(st, string(s))
	}
	var ps []string
	for _, s := range f.PaymentStatuses {
		ps = append(ps, string(s))
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("status", strings.Join(st, ","))
	set("payment_status", strings.Join(ps, ","))
	for k, t := range map[string]*time.Time{"created_from": f.CreatedFrom, "created_to": f.CreatedTo} {
		if t != nil {
			v.Set(k, t.Format(time.RFC3339Nano))
		}
	}
	set("email", f.Email)
	for k, id := range map[string]*int64{"post_id": f.PostID, "attachment_id": f.AttachmentID} {
		if id != nil {
			v.Set(k, strconv.FormatInt(*id, 10))
		}
	}
	var ids []string
	for _, id := range f.PostIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	set("post_ids", strings.Join(ids, ","))
	set("ids", strings.Join(f.JobIDs, ","))
	set("q", f.Search.Input)
	return v
}

// FuzzParseFilter feeds any query string to ParseFilter. A refusal is a
// job.Invalid naming a filter key; an accepted filter builds a WHERE with
// every value bound, LIKE patterns with no wildcard but their final %, and
// reads back the same from the query it writes out. The seeds in
// testdata/fuzz/FuzzParseFilter are each key at its limits.
func FuzzParseFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string) {
		v, _ := url.ParseQuery(query) // what a server would still read from a bad query
		flt, err := ParseFilter(v)
		if err != nil {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || !slices.Contains(FilterKeys, e.Param) || e.Message == "" {
				t.Fatalf("%q: refused with %#v, want invalid naming a filter key", query, err)
			}
			return
		}
		where, args := flt.where()
		checkSQL(t, where, args)
		for i, a := range args {
			if s, ok := a.(string); ok && strings.Contains(where, "LIKE") && strings.HasSuffix(s, "%") {
				// An escaped wildcard (\%, \_, \\) is a literal character.
				if strings.ContainsAny(likeEscaped.ReplaceAllString(strings.TrimSuffix(s, "%"), ""), `%_\`) {
					t.Fatalf("%q: LIKE argument %d %q carries its own wildcards", query, i, s)
				}
			}
		}
		if flt.CreatedFrom != nil && flt.CreatedTo != nil && flt.CreatedFrom.After(*flt.CreatedTo) {
			t.Fatalf("%q: range %v..%v accepted backwards", query, flt.CreatedFrom, flt.CreatedTo)
		}
		again, err := ParseFilter(queryOf(flt))
		if err != nil {
			t.Fatalf("%q: the filter's own query %q is refused: %v", query, queryOf(flt).Encode(), err)
		}
		if !sameFilter(flt, again) {
			t.Fatalf("%q: read back as %+v, was %+v", query, again, flt)
		}
	})
}

var likeEscaped = regexp.MustCompile(`\\[%_\\]`)

func sameFilter(a, b Filter) bool {
	sameTime := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	if !sameTime(a.CreatedFrom, b.CreatedFrom) || !sameTime(a.CreatedTo, b.CreatedTo) {
		return false
	}
	a.CreatedFrom, a.CreatedTo, b.CreatedFrom, b.CreatedTo = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
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
