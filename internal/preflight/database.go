package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sellmyimages/smid/internal/store"
)

// Database is what the database checks ask of the store.
type Database interface {
	Whoami(ctx context.Context) (store.Identity, error)
	Schema(ctx context.Context) (store.SchemaState, error)
}

// ServePrivileges are what `smid serve` needs on the smi tables;
// MigratePrivileges are what `smid migrate` needs besides.
var (
	ServePrivileges   = []string{"SELECT", "INSERT", "UPDATE", "DELETE"}
	MigratePrivileges = []string{"CREATE", "ALTER", "INDEX", "DROP"}
)

// Grants checks the database answers and that its user holds what serve
// and migrate need, globally, on the database or on the jobs table.
func Grants(db Database) Check {
	return Check{Name: "database", Run: func(ctx context.Context) (string, error) {
		id, err := db.Whoami(ctx)
		if err != nil {
			return "", err
		}
		var missing []string
		for _, p := range append(slices.Clone(ServePrivileges), MigratePrivileges...) {
			if !id.Privileges[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return "", fmt.Errorf("%s on %s lacks %s (GRANT %s ON `%s`.* TO …)",
				id.User, id.Database, strings.Join(missing, ", "), strings.Join(missing, ", "), id.Database)
		}
		return fmt.Sprintf("%s %s as %s on %s, grants %s", id.Product, id.Version, id.User, id.Database,
			strings.Join(append(slices.Clone(ServePrivileges), MigratePrivileges...), ", ")), nil
	}}
}

// Schema checks every migration this binary knows is applied.
func Schema(db Database) Check {
	return Check{Name: "schema", Run: func(ctx context.Context) (string, error) {
		st, err := db.Schema(ctx)
		if err != nil {
			return "", err
		}
		if !st.Current {
			return "", fmt.Errorf("%d of %d migrations applied: run smid migrate", st.Applied, st.Latest)
		}
		return fmt.Sprintf("current (%d migrations)", st.Latest), nil
	}}
}
