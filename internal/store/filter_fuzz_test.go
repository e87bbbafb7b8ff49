package store_test

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
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

// queryOf writes f back as the query that selects it.
func queryOf(f store.Filter) url.Values {
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

// FuzzParseFilter feeds any query string to jobfilter.Parse, as the API
// reads it, and the filter it accepts to the store. A refusal is a
// job.Invalid naming a filter key; an accepted filter builds a WHERE with
// every value bound, LIKE patterns with no wildcard but their final %, and
// reads back the same from the query it writes out. The seeds in
// testdata/fuzz/FuzzParseFilter are each key at its limits.
func FuzzParseFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string) {
		v, _ := url.ParseQuery(query) // what a server would still read from a bad query
		flt, err := jobfilter.Parse(v)
		if err != nil {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || !slices.Contains(jobfilter.Keys, e.Param) || e.Message == "" {
				t.Fatalf("%q: refused with %#v, want invalid naming a filter key", query, err)
			}
			return
		}
		where, args := store.WhereOf(flt)
		store.CheckSQL(t, where, args)
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
		again, err := jobfilter.Parse(queryOf(flt))
		if err != nil {
			t.Fatalf("%q: the filter's own query %q is refused: %v", query, queryOf(flt).Encode(), err)
		}
		if !sameFilter(flt, again) {
			t.Fatalf("%q: read back as %+v, was %+v", query, again, flt)
		}
	})
}

var likeEscaped = regexp.MustCompile(`\\[%_\\]`)

func sameFilter(a, b store.Filter) bool {
	sameTime := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	if !sameTime(a.CreatedFrom, b.CreatedFrom) || !sameTime(a.CreatedTo, b.CreatedTo) {
		return false
	}
	a.CreatedFrom, a.CreatedTo, b.CreatedFrom, b.CreatedTo = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}
