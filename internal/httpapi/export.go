package httpapi

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"

	"github.com/sellmyimages/smid/internal/store"
)

// handleExport streams the filtered jobs as RFC 4180 CSV, one row at a time
// straight from the database cursor, so memory does not grow with the row
// count.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := checkKnown(v, append(filterParams, "orderby", "order", "header", "bom")); err != nil {
		s.writeError(w, r, err)
		return
	}
	opt, err := parseExportOptions(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	zone := s.siteZone(r.Context())
	lq, err := parseList(v, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := fmt.Sprintf("smi-jobs-%s.csv", s.cfg.Now().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &csvWriter{w: bw}
	started := false
	header := func() {
		started = true
		if opt.bom {
			bw.WriteString("\ufeff")
		}
		for i, c := range store.ExportColumns {
			cw.cell(i, []byte(opt.headerOf(c)), false)
		}
		cw.end()
	}
	var local []byte
	err = s.store.Export(r.Context(), lq, func(cells [][]byte) error {
		if !started {
			header()
		}
		for i, c := range cells {
			if store.ExportColumns[i].Time {
				local = localTime(local[:0], c, zone)
				c = local
			}
			cw.cell(i, c, store.ExportColumns[i].Text)
		}
		cw.end()
		return cw.err
	})
	if err == nil && !started {
		header()
	}
	if err != nil {
		if !started {
			// Nothing sent yet: a proper JSON error is still possible.
			w.Header().Del("Content-Disposition")
			s.writeError(w, r, err)
			return
		}
		// Mid-stream the status line is gone; cutting the body short is
		// the only honest signal left. The log has the cause.
		s.log.ErrorContext(r.Context(), "export aborted", "err", err)
		panic(http.ErrAbortHandler)
	}
	if err := bw.Flush(); err != nil {
		// The client went away before the last rows reached it.
		s.log.WarnContext(r.Context(), "export cut short", "err", err)
	}
}

// csvWriter writes RFC 4180 records (CRLF line ends, quotes only where
// needed) from byte cells, without a string per cell.
type csvWriter struct {
	w   *bufio.Writer
	err error
}

func (c *csvWriter) cell(i int, v []byte, text bool) {
	if i > 0 {
		c.w.WriteByte(',')
	}
	// A spreadsheet runs a cell starting with =, +, -, @, tab or CR as a
	// formula (OWASP's CSV injection advice): free text gets a ' first.
	lead := text && len(v) > 0 && bytes.IndexByte([]byte("=+-@\t\r"), v[0]) >= 0
	if !lead && !bytes.ContainsAny(v, ",\"\r\n") && (len(v) == 0 || (v[0] != ' ' && v[len(v)-1] != ' ')) {
		c.w.Write(v)
		return
	}
	c.w.WriteByte('"')
	if lead {
		c.w.WriteByte('\'')
	}
	for {
		k := bytes.IndexByte(v, '"')
		if k < 0 {
			break
		}
		c.w.Write(v[:k+1])
		c.w.WriteByte('"')
		v = v[k+1:]
	}
	c.w.Write(v)
	c.w.WriteByte('"')
}

func (c *csvWriter) end() {
	if _, err := c.w.WriteString("\r\n"); err != nil && c.err == nil {
		c.err = err
	}
}
