package store

import (
	"context"
	"fmt"
	"strings"
)

// SiteOptions reads the named rows of WordPress's {prefix}options table,
// which the daemon shares with the site and never writes. Names without a
// row are absent from the map.
func (s *DB) SiteOptions(ctx context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	if len(names) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	rows, err := s.db.QueryContext(ctx, `SELECT option_name, option_value FROM `+s.prefix+`options
		WHERE option_name IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read site options: %s", describe(err))
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("read site options: %w", err)
		}
		out[name] = value
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read site options: %w", err)
	}
	return out, nil
}
