package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// ProcessingSince lists up to limit processing jobs whose processing began
// before t, oldest first: the jobs an owner should hear are stuck.
func (s *DB) ProcessingSince(ctx context.Context, t time.Time, limit int) ([]*job.Job, error) {
	var rows []jobRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+jobColumns+` FROM {jobs}
		WHERE status = 'processing' AND processing_started_at IS NOT NULL AND processing_started_at < ?
		ORDER BY processing_started_at LIMIT ?`), t.UTC(), limit); err != nil {
		return nil, fmt.Errorf("processing since: %w", err)
	}
	return toJobs(rows)
}
