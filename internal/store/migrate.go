package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/sellmyimages/smid/migrations"
)

// Migration is one numbered SQL file and whether it has been applied.
type Migration struct {
	Version   string // e.g. "0003"
	Name      string // e.g. "0003_jobs_indexes.sql"
	Applied   bool
	AppliedAt string
}

// SchemaState summarises the schema against the embedded migrations.
type SchemaState struct {
	Applied int  `json:"applied"`
	Latest  int  `json:"latest"`
	Current bool `json:"current"`
}

func loadMigrations() ([]Migration, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		v, _, ok := strings.Cut(n, "_")
		if !ok || len(v) != 4 {
			return nil, fmt.Errorf("migration %s: name must start with a 4-digit number", n)
		}
		out = append(out, Migration{Version: v, Name: n})
	}
	return out, nil
}

func (s *DB) ensureMigrationsTable(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, s.q(`CREATE TABLE IF NOT EXISTS {migrations} (
		version varchar(16) NOT NULL,
		name varchar(255) NOT NULL,
		applied_at datetime(6) NOT NULL,
		PRIMARY KEY (version)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`))
	return err
}

// Migrations lists every embedded migration and whether it is applied.
func (s *DB) Migrations(ctx context.Context) ([]Migration, error) {
	all, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	applied := map[string]string{}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT version, applied_at FROM {migrations}`))
	if err != nil {
		if isMySQLErr(err, 1146) { // table does not exist yet: nothing applied
			return all, nil
		}
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v, at string
		if err := rows.Scan(&v, &at); err != nil {
			return nil, err
		}
		applied[v] = at
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range all {
		if at, ok := applied[all[i].Version]; ok {
			all[i].Applied, all[i].AppliedAt = true, at
		}
	}
	return all, nil
}

// Schema reports how far the database's schema is from the binary's.
func (s *DB) Schema(ctx context.Context) (SchemaState, error) {
	ms, err := s.Migrations(ctx)
	if err != nil {
		return SchemaState{}, err
	}
	st := SchemaState{Latest: len(ms)}
	for _, m := range ms {
		if m.Applied {
			st.Applied++
		}
	}
	st.Current = st.Applied == st.Latest
	return st, nil
}

// Migrate applies pending migrations in order and returns the names it
// applied. A named MySQL lock makes two processes migrating at once take
// turns; the second finds nothing left to do.
func (s *DB) Migrate(ctx context.Context) ([]string, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	lock := "smi_migrate:" + s.prefix
	var got int
	if err := conn.GetContext(ctx, &got, `SELECT COALESCE(GET_LOCK(?, 120), 0)`, lock); err != nil {
		return nil, err
	}
	if got != 1 {
		return nil, fmt.Errorf("migrate: another process holds the migration lock")
	}
	// As in WithLock: RELEASE_LOCK fails only with its session, which frees the lock.
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK(?)`, lock) }()

	if err := s.ensureMigrationsTable(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %s", describe(err))
	}
	ms, err := s.Migrations(ctx)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, m := range ms {
		if m.Applied {
			continue
		}
		if err := s.apply(ctx, m); err != nil {
			return done, fmt.Errorf("migrate %s: %s", m.Name, describe(err))
		}
		done = append(done, m.Name)
	}
	return done, nil
}

// apply runs one migration's statements and records it. DDL commits
// implicitly in MySQL, so DDL files are written to be repeatable; DML files
// commit together with their record.
func (s *DB) apply(ctx context.Context, m Migration) error {
	body, err := fs.ReadFile(migrations.FS, path.Clean(m.Name))
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range splitStatements(string(body)) {
		stmt = strings.ReplaceAll(stmt, "{prefix}", s.prefix)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			// 1060 duplicate column, 1061 duplicate key, 1091 cannot drop
			// a missing index: the statement's effect is already there.
			if isMySQLErr(err, 1060, 1061, 1091) {
				continue
			}
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO {migrations} (version, name, applied_at) VALUES (?, ?, ?)`),
		m.Version, m.Name, s.Now()); err != nil {
		return err
	}
	return tx.Commit()
}

// splitStatements splits on semicolons that end a line and drops comments.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}
