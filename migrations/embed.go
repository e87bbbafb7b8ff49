// Package migrations holds the numbered SQL files that build the smid schema
// inside the WordPress database. They are embedded into the binary.
//
// Rules the runner relies on:
//   - `{prefix}` stands for the validated WordPress table prefix.
//   - Statements end with a semicolon at the end of a line.
//   - A file holds either only DDL, each statement safe to repeat (a duplicate
//     column, duplicate index or missing index to drop is taken as already
//     done, because MySQL 8 has no ADD COLUMN IF NOT EXISTS), or only DML,
//     which runs in one transaction with the row that records the migration.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
