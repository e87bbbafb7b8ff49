package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
)

// ExportColumn is one column of the CSV export: its header and the SQL
// that produces its text. Times are formatted as RFC 3339 UTC and money
// stays the exact DECIMAL text, both by the server, so rows stream out as
// bytes with nothing to convert.
type ExportColumn struct {
	Header string
	SQL    string
	// Text marks free text a spreadsheet might read as a formula.
	Text bool
}

func rfc3339(col string) string { return "DATE_FORMAT(" + col + ", '%Y-%m-%dT%H:%i:%sZ')" }

// ExportColumns are the export's columns, in order.
var ExportColumns = []ExportColumn{
	{"job_id", "job_id", false}, {"created_at", rfc3339("created_at"), false},
	{"status", "status", false}, {"payment_status", "payment_status", false},
	{"email", "email", true}, {"post_id", "post_id", false}, {"attachment_id", "attachment_id", false},
	{"resolution", "resolution", true}, {"image_width", "image_width", false}, {"image_height", "image_height", false},
	{"currency", "currency", false}, {"amount_charged", "amount_charged", false}, {"amount_cost", "amount_cost", false},
	{"refund_amount", "refund_amount", false}, {"credits_used", "credits_used", false},
	{"paid_at", rfc3339("paid_at"), false}, {"processing_started_at", rfc3339("processing_started_at"), false},
	{"completed_at", rfc3339("completed_at"), false}, {"failed_at", rfc3339("failed_at"), false},
	{"refunded_at", rfc3339("refunded_at"), false}, {"refund_reason", "refund_reason", true},
	{"upsampler_job_id", "upsampler_job_id", true}, {"stripe_payment_intent_id", "stripe_payment_intent_id", true},
	{"stripe_checkout_session_id", "stripe_checkout_session_id", true}, {"download_count", "download_count", false},
	{"email_sent", "IF(email_sent, 'true', 'false')", false}, {"last_error", "last_error", true},
}

// Export calls fn with every selected row's cells, in the list's order,
// reading rows from the server as they come (the driver does not buffer a
// result set), so memory stays flat whatever the row count. The cells are
// only valid during the call. Paging fields of lq are ignored.
func (s *DB) Export(ctx context.Context, lq ListQuery, fn func(cells []sql.RawBytes) error) error {
	if !slices.Contains(OrderBy, lq.OrderBy) {
		return job.Invalid("orderby", "unknown orderby %q (accepted: %s)", lq.OrderBy, strings.Join(OrderBy, ", "))
	}
	exprs := make([]string, len(ExportColumns))
	for i, c := range ExportColumns {
		exprs[i] = c.SQL
	}
	where, args := lq.Filter.where()
	rows, err := s.db.QueryContext(ctx, s.q("SELECT "+strings.Join(exprs, ", ")+" FROM {jobs}"+where+orderClause("", lq.OrderBy, lq.Desc)), args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	cells := make([]sql.RawBytes, len(ExportColumns))
	dest := make([]any, len(cells))
	for i := range cells {
		dest[i] = &cells[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export scan: %w", err)
		}
		if err := fn(cells); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DBStats exposes the pool statistics (for metrics).
func (s *DB) DBStats() sqlDBStats { return s.db.Stats() }
