package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
)

// ExportColumn is one column of the CSV export: its stable key, a label
// for people, and the SQL that produces its text. Times come as RFC 3339
// UTC and money as the exact DECIMAL text, both from the server, so rows
// stream out as bytes with little to convert.
type ExportColumn struct {
	Header string // the stable key, e.g. "created_at"
	Label  string // for people, e.g. "Created"
	SQL    string
	// Text marks free text a spreadsheet might read as a formula.
	Text bool
	// Time marks an RFC 3339 UTC time the API may show in another zone.
	Time bool
}

func rfc3339(col string) string { return "DATE_FORMAT(" + col + ", '%Y-%m-%dT%H:%i:%sZ')" }

func exportCol(key, label string) ExportColumn {
	return ExportColumn{Header: key, Label: label, SQL: key}
}
func exportText(key, label string) ExportColumn {
	return ExportColumn{Header: key, Label: label, SQL: key, Text: true}
}
func exportTime(key, label string) ExportColumn {
	return ExportColumn{Header: key, Label: label, SQL: rfc3339(key), Time: true}
}

// ExportColumns are the export's columns, in order.
var ExportColumns = []ExportColumn{
	exportCol("job_id", "Job ID"), exportTime("created_at", "Created"),
	exportCol("status", "Status"), exportCol("payment_status", "Payment status"),
	exportText("email", "Email"), exportCol("post_id", "Post ID"), exportCol("attachment_id", "Attachment ID"),
	exportText("resolution", "Resolution"), exportCol("image_width", "Image width"), exportCol("image_height", "Image height"),
	exportCol("currency", "Currency"), exportCol("amount_charged", "Amount charged"), exportCol("amount_cost", "Provider cost"),
	exportCol("refund_amount", "Refunded"), exportCol("credits_used", "Credits used"),
	exportTime("paid_at", "Paid"), exportTime("processing_started_at", "Processing started"),
	exportTime("completed_at", "Completed"), exportTime("failed_at", "Failed"),
	exportTime("refunded_at", "Refunded at"), exportText("refund_reason", "Refund reason"),
	exportText("upsampler_job_id", "Upsampler job ID"), exportText("stripe_payment_intent_id", "Stripe PaymentIntent"),
	exportText("stripe_checkout_session_id", "Stripe Checkout Session"), exportCol("download_count", "Downloads"),
	{Header: "email_sent", Label: "Email sent", SQL: "IF(email_sent, 'true', 'false')"}, exportText("last_error", "Last error"),
}

// Export calls fn with every selected row's cells, in the list's order,
// reading rows from the server as they come (the driver does not buffer a
// result set), so memory stays flat whatever the row count. The cells are
// only valid during the call (a cell is NULL when nil). Paging fields of lq
// are ignored.
func (s *DB) Export(ctx context.Context, lq ListQuery, fn func(cells [][]byte) error) error {
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
	// RawBytes point into the driver's buffer: no copy per cell.
	raw := make([]sql.RawBytes, len(ExportColumns))
	cells := make([][]byte, len(raw))
	dest := make([]any, len(raw))
	for i := range raw {
		dest[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export scan: %w", err)
		}
		for i, c := range raw {
			cells[i] = c
		}
		if err := fn(cells); err != nil {
			return err
		}
	}
	return rows.Err()
}
