package bench

import (
	"context"
	"database/sql"
	"fmt"
)

// legacyPage is one view of the old plugin's Jobs page, query for query:
// a COUNT(*) for the pagination, then SELECT * of the page by OFFSET.
func (b *Bench) legacyPage(where string, args []any, order string, offset int) func(context.Context) error {
	count := "SELECT COUNT(*) FROM " + legacyTable + where
	page := "SELECT * FROM " + legacyTable + where + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	pargs := append(append([]any{}, args...), b.cfg.PerPage, offset)
	return func(ctx context.Context) error {
		var n int64
		if err := b.raw.GetContext(ctx, &n, count, args...); err != nil {
			return fmt.Errorf("legacy count: %w", err)
		}
		got, err := b.drain(ctx, page, pargs...)
		if err != nil {
			return fmt.Errorf("legacy page: %w", err)
		}
		if got == 0 && n > int64(offset) {
			return fmt.Errorf("legacy page: no rows although COUNT(*) is %d", n)
		}
		return nil
	}
}

// legacySearch is the old plugin's free-text search: a substring of the
// email or the job id, which no index can answer.
func legacySearch(q string) (string, []any) {
	return " WHERE (email LIKE ? OR job_id LIKE ?)", []any{"%" + q + "%", "%" + q + "%"}
}

// legacyQuery runs one query and reads every row.
func (b *Bench) legacyQuery(query string, args ...any) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := b.drain(ctx, query, args...)
		return err
	}
}

// drain reads every row and column of a result, as $wpdb->get_results
// would, and says how many rows there were.
func (b *Bench) drain(ctx context.Context, query string, args ...any) (int, error) {
	rows, err := b.raw.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// legacyRows is the old screen's live refresh: one query per row.
func (b *Bench) legacyRows(ids []string) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, id := range ids {
			if _, err := b.drain(ctx, "SELECT * FROM "+legacyTable+" WHERE job_id = ?", id); err != nil {
				return err
			}
		}
		return nil
	}
}
