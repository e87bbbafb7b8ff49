// Package storetest gives each test its own freshly migrated database on
// the real MariaDB/MySQL server named by SMI_TEST_DSN (make test and
// .ci/run start a private instance and set it). There is no mock.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/sellmyimages/smid/internal/store"
)

// ServerDSN is the DSN of the test server without a database name.
func ServerDSN(t testing.TB) *mysql.Config {
	t.Helper()
	dsn := os.Getenv("SMI_TEST_DSN")
	if dsn == "" {
		t.Fatal("SMI_TEST_DSN is not set: run the tests with `make test` (it starts a private MariaDB)")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("SMI_TEST_DSN: %v", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true // as the daemon's own DSN
	cfg.ClientFoundRows = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Collation = "utf8mb4_unicode_ci"
	return cfg
}

// EmptyDB creates a new empty database and returns its DSN; it is dropped
// when the test ends.
func EmptyDB(t testing.TB) string {
	t.Helper()
	cfg := ServerDSN(t)
	admin, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "smi_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("mysql", cfg.FormatDSN())
		if err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// Options tune New.
type Options struct {
	Prefix string
	Now    func() time.Time
}

// New returns a store on a fresh, fully migrated database.
func New(t testing.TB, opts ...Options) *store.DB {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dsn := EmptyDB(t)
	return Open(t, dsn, o, true)
}

// Open opens a store on dsn, migrating it when migrate is set.
func Open(t testing.TB, dsn string, o Options, migrate bool) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DSN: dsn, TablePrefix: o.Prefix, Now: o.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if migrate {
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return db
}
