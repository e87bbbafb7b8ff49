package httpapi

import (
	"context"
	"net/url"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
)

// SiteInfo gives the shop's identity (its time zone for the export);
// *site.Site is one.
type SiteInfo interface {
	Info(ctx context.Context) site.Info
}

// exportOptions are the export's presentation choices.
type exportOptions struct {
	// labels heads each column "Label (key)" for people; otherwise the bare
	// key, for scripts.
	labels bool
	// bom starts the file with a UTF-8 byte order mark, which spreadsheet
	// apps need to read UTF-8.
	bom bool
}

func parseExportOptions(v url.Values) (exportOptions, error) {
	var o exportOptions
	switch v.Get("header") {
	case "", "keys":
	case "labels":
		o.labels = true
	default:
		return o, job.Invalid("header", "header must be keys or labels")
	}
	switch v.Get("bom") {
	case "", "0":
	case "1":
		o.bom = true
	default:
		return o, job.Invalid("bom", "bom must be 0 or 1")
	}
	return o, nil
}

func (o exportOptions) headerOf(c store.ExportColumn) string {
	if o.labels {
		return c.Label + " (" + c.Header + ")"
	}
	return c.Header
}

// siteZone is the site's time zone, or UTC when the daemon has no site.
func (s *Server) siteZone(ctx context.Context) *time.Location {
	if s.svc.Site == nil {
		return time.UTC
	}
	return s.svc.Site.Info(ctx).Location
}

// localTime rewrites an RFC 3339 UTC cell in zone, with its offset
// ("2026-12-04T23:30:00-05:00"); empty cells (NULL) stay empty.
func localTime(dst, cell []byte, zone *time.Location) []byte {
	if len(cell) == 0 {
		return dst
	}
	t, err := time.Parse(time.RFC3339, string(cell))
	if err != nil {
		return append(dst, cell...)
	}
	return t.In(zone).AppendFormat(dst, time.RFC3339)
}
