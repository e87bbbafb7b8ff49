package store

import (
	"context"
	"fmt"
	"strings"
)

// Identity is who the daemon is connected as, for `smid check`.
type Identity struct {
	User     string // user@host as the server matched it (CURRENT_USER())
	Database string
	Product  string // MariaDB or MySQL
	Version  string
	// Privileges are those held on the jobs table: granted globally, on
	// the database (grants with wildcards included) or on the table
	// itself. Privileges that reach the user only through a role are not
	// seen.
	Privileges map[string]bool
}

// Whoami asks the server who we are and what we may do.
func (s *DB) Whoami(ctx context.Context) (Identity, error) {
	var id Identity
	var version string
	if err := s.db.QueryRowContext(ctx, `SELECT CURRENT_USER(), COALESCE(DATABASE(), ''), VERSION()`).Scan(&id.User, &id.Database, &version); err != nil {
		return id, fmt.Errorf("who am I: %s", describe(err))
	}
	id.Product, id.Version = "MySQL", version
	if v, _, ok := strings.Cut(version, "-MariaDB"); ok {
		id.Product, id.Version = "MariaDB", v
	}
	user, host := id.User, ""
	if i := strings.LastIndex(id.User, "@"); i >= 0 {
		user, host = id.User[:i], id.User[i+1:]
	}
	grantee := "'" + user + "'@'" + host + "'"
	rows, err := s.db.QueryContext(ctx, s.q(`
		SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
		UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND ? LIKE TABLE_SCHEMA
		UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ? AND TABLE_SCHEMA = ? AND TABLE_NAME = '{jobs}'`),
		grantee, grantee, id.Database, grantee, id.Database)
	if err != nil {
		return id, fmt.Errorf("read grants: %s", describe(err))
	}
	defer rows.Close()
	id.Privileges = map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return id, err
		}
		id.Privileges[p] = true
	}
	return id, rows.Err()
}
