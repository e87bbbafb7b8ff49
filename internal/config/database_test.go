package config

import (
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// parsed loads with env and parses the final DSN back.
func parsed(t *testing.T, env []string) (*Config, *mysql.Config) {
	t.Helper()
	c := mustLoad(t, "", env)
	mc, err := mysql.ParseDSN(c.Database.DSN())
	if err != nil {
		t.Fatalf("final DSN does not parse: %v", err)
	}
	return c, mc
}

// checkForced asserts the options the store relies on.
func checkForced(t *testing.T, mc *mysql.Config) {
	t.Helper()
	if !mc.ParseTime || mc.Loc != time.UTC || mc.MultiStatements {
		t.Errorf("parseTime=%v loc=%v multiStatements=%v", mc.ParseTime, mc.Loc, mc.MultiStatements)
	}
	if mc.Collation != "utf8mb4_unicode_ci" || mc.Params["time_zone"] != "'+00:00'" {
		t.Errorf("collation=%q time_zone=%q", mc.Collation, mc.Params["time_zone"])
	}
}

func TestDSNForcesOptions(t *testing.T) {
	t.Parallel()
	dsn := "smi:" + testPassword + "@tcp(db:3306)/shop?loc=Local&multiStatements=true&charset=latin1&collation=latin1_swedish_ci&parseTime=false&time_zone=%27SYSTEM%27&timeout=5s"
	c, mc := parsed(t, []string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_DSN=" + dsn})
	checkForced(t, mc)
	if !strings.Contains(c.Database.DSN(), "charset=utf8mb4&") {
		t.Errorf("charset not forced: %s", c.Database.DSN())
	}
	if mc.User != "smi" || mc.Passwd != testPassword || mc.Addr != "db:3306" || mc.DBName != "shop" || mc.Timeout != 5*time.Second {
		t.Errorf("DSN lost settings: %+v", mc)
	}
	if c.Database.WPConfig != "" || c.Database.TablePrefix != "wp_" {
		t.Errorf("database = %v %q", c.Database.WPConfig, c.Database.TablePrefix)
	}
}

func TestDSNFromWPConfig(t *testing.T) {
	t.Parallel()
	const pw = `it's-a "secret" pw`
	tests := []struct {
		name, host, prefixEnv string
		net, addr, prefix     string
	}{
		{"socket", "localhost:/run/mysqld/mysqld.sock", "", "unix", "/run/mysqld/mysqld.sock", "blog_"},
		{"tcp", "db.internal:3307", "", "tcp", "db.internal:3307", "blog_"},
		{"localhost", "localhost", "", "tcp", "127.0.0.1:3306", "blog_"},
		{"ipv6", "[::1]:3307", "", "tcp", "[::1]:3307", "blog_"},
		{"explicit prefix wins", "db", "SMI_DATABASE_TABLE_PREFIX=other_", "tcp", "db:3306", "other_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wp := writeFile(t, "wp-config.php", `<?php
define( 'DB_NAME', 'blog' );
define( 'DB_USER', 'blog' );
define( 'DB_PASSWORD', 'it\'s-a "secret" pw' );
define( 'DB_HOST', '`+tt.host+`' );
$table_prefix = 'blog_';
`)
			env := []string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_WP_CONFIG=" + wp}
			if tt.prefixEnv != "" {
				env = append(env, tt.prefixEnv)
			}
			c, mc := parsed(t, env)
			checkForced(t, mc)
			if mc.Net != tt.net || mc.Addr != tt.addr || mc.User != "blog" || mc.Passwd != pw || mc.DBName != "blog" {
				t.Errorf("got %s(%s) %s/%s", mc.Net, mc.Addr, mc.User, mc.DBName)
			}
			if c.Database.TablePrefix != tt.prefix || c.Database.WPConfig != wp {
				t.Errorf("table prefix %q, wp_config %q", c.Database.TablePrefix, c.Database.WPConfig)
			}
			if strings.Contains(c.Database.Redacted(), pw) || strings.Contains(c.Database.String(), pw) {
				t.Errorf("Redacted shows the password: %s", c.Database.Redacted())
			}
		})
	}
}

func TestWPConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{`define('DB_NAME','n'); define('DB_USER','u'); define('DB_PASSWORD','` + testPassword + `'); define('DB_HOST','db:port');`,
			`config: database.wp_config: DB_HOST "db:port": port must be a number`},
		{`define('DB_NAME','n'); define('DB_USER','u'); define('DB_PASSWORD','` + testPassword + `'); define('DB_HOST','h'); $table_prefix = 'wp-';`,
			"config: database.wp_config: table prefix must match [A-Za-z0-9_]{1,32}"},
		{`define('DB_NAME','n'); define('DB_PASSWORD','` + testPassword + `'); define('DB_HOST','h');`,
			"wp-config.php: DB_USER is not defined"},
	}
	for _, tt := range tests {
		wp := writeFile(t, "wp-config.php", "<?php\n"+tt.src)
		_, err := Load("", []string{"SMI_API_SECRET=" + testSecret, "SMI_DATABASE_WP_CONFIG=" + wp})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v\nwant an error containing %q", err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), testPassword) {
			t.Errorf("error shows the password: %v", err)
		}
	}
}
