package httpapi

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store"
)

// FuzzParseList feeds any query string to the list endpoint's parser, with
// and without paging. A refusal is a job.Invalid naming a parameter the
// endpoint knows; an accepted query has an order the store can index, a
// page size from 1 to 500 and a page of 1 or more, and a cursor only when
// no page was asked for. The seeds in testdata/fuzz/FuzzParseList are each
// parameter at its limits.
func FuzzParseList(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string, paging bool) {
		v, _ := url.ParseQuery(query)
		known := listParams
		if !paging {
			known = append(slices.Clone(filterParams), "orderby", "order")
		}
		if err := checkKnown(v, known); err != nil {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || slices.Contains(known, e.Param) {
				t.Fatalf("%q: unknown parameter refused with %#v", query, err)
			}
			return
		}
		lq, err := parseList(v, paging)
		if err != nil {
			var e *job.Error
			if !errors.As(err, &e) || e.Code != job.EInvalid || !slices.Contains(known, e.Param) || e.Message == "" {
				t.Fatalf("%q: refused with %#v, want invalid naming a known parameter", query, err)
			}
			return
		}
		if !slices.Contains(store.OrderBy, lq.OrderBy) || lq.PerPage < 1 || lq.PerPage > 500 || lq.Page < 1 {
			t.Fatalf("%q: accepted %+v", query, lq)
		}
		if lq.Cursor != "" && (!paging || v.Get("page") != "") {
			t.Fatalf("%q: cursor %q accepted with page %q, paging %v", query, lq.Cursor, v.Get("page"), paging)
		}
		if !paging && (lq.PerPage != 25 || lq.Page != 1 || lq.Cursor != "") {
			t.Fatalf("%q: paging read without paging: %+v", query, lq)
		}
	})
}
