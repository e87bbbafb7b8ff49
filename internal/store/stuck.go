package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// StuckProcessing lists up to limit processing jobs whose processing began
// before t and that have no event of type notedAs yet, oldest first: the
// stuck jobs the owner has not been told about.
func (s *DB) StuckProcessing(ctx context.Context, t time.Time, notedAs string, limit int) ([]*job.Job, error) {
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = 'processing' AND processing_started_at IS NOT NULL AND processing_started_at < ?
		AND NOT EXISTS (SELECT 1 FROM {events} e WHERE e.job_id = {jobs}.job_id AND e.type = ?)
		ORDER BY processing_started_at LIMIT ?`), t.UTC(), notedAs, limit); err != nil {
		return nil, fmt.Errorf("stuck processing: %w", err)
	}
	return toJobs(rows)
}
