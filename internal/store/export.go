package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
)

// Export calls fn for every job the query selects, in its order, reading
// rows from the server as they come (the driver does not buffer a result
// set), so memory stays flat whatever the row count. Paging fields of lq
// are ignored.
func (s *DB) Export(ctx context.Context, lq ListQuery, fn func(*job.Job) error) error {
	if !slices.Contains(OrderBy, lq.OrderBy) {
		return job.Invalid("orderby", "unknown orderby %q (accepted: %s)", lq.OrderBy, strings.Join(OrderBy, ", "))
	}
	where, args := lq.Filter.where()
	rows, err := s.db.QueryxContext(ctx, s.q("SELECT "+jobColumns+" FROM {jobs}"+where+orderClause("", lq.OrderBy, lq.Desc)), args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	var r jobRow
	for rows.Next() {
		r = jobRow{}
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("export scan: %w", err)
		}
		j, err := r.toJob()
		if err != nil {
			return err
		}
		if err := fn(j); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DBStats exposes the pool statistics (for metrics).
func (s *DB) DBStats() sqlDBStats { return s.db.Stats() }
