package config

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Database is the WordPress MySQL/MariaDB database the daemon shares.
type Database struct {
	// WPConfig is the wp-config.php the credentials were read from, or "".
	WPConfig string
	// TablePrefix is WordPress's $table_prefix, validated as
	// [A-Za-z0-9_]{1,32} because it is interpolated into SQL.
	TablePrefix     string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	ConnMaxIdleTime time.Duration

	rawDSN   string // database.dsn as given; holds the password
	dsn      string // final DSN; holds the password
	redacted string // final DSN with the password replaced
}

// DSN returns the go-sql-driver DSN to open, password included.
func (d Database) DSN() string { return d.dsn }

// Redacted returns the DSN with the password replaced by "[redacted]".
func (d Database) Redacted() string { return d.redacted }

// String is Redacted, so printing a Database never shows the password.
func (d Database) String() string { return d.redacted }

// GoString is Redacted too, for %#v.
func (d Database) GoString() string { return "config.Database(" + d.redacted + ")" }

var tablePrefixRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,32}$`)

// resolveDatabase turns database.dsn or database.wp_config into the final
// DSN and table prefix. explicitPrefix is database.table_prefix as given
// ("" when unset), which wins over wp-config.php's $table_prefix.
func resolveDatabase(d *Database, explicitPrefix string) []error {
	var mc *mysql.Config
	wpPrefix := ""
	switch {
	case d.rawDSN != "" && d.WPConfig != "":
		return []error{keyErr("database.dsn", "set either database.dsn or database.wp_config, not both")}
	case d.rawDSN == "" && d.WPConfig == "":
		return []error{keyErr("database.dsn", "required (or set database.wp_config)")}
	case d.rawDSN != "":
		var err error
		if mc, err = mysql.ParseDSN(d.rawDSN); err != nil {
			return []error{keyErr("database.dsn", "not a valid go-sql-driver DSN: "+scrubDSNError(err, d.rawDSN))}
		}
		if mc.DBName == "" {
			return []error{keyErr("database.dsn", "must name a database (…/dbname)")}
		}
	default:
		src, err := os.ReadFile(d.WPConfig)
		if err != nil {
			return []error{keyErr("database.wp_config", err.Error())}
		}
		wp, err := ParseWPConfig(src)
		if err != nil {
			return []error{keyErr("database.wp_config", d.WPConfig+": "+err.Error())}
		}
		mc = mysql.NewConfig()
		mc.User, mc.Passwd, mc.DBName = wp.User, wp.Password, wp.Name
		mc.Net, mc.Addr = HostToAddr(wp.Host)
		if err := checkAddr(mc.Net, mc.Addr); err != nil {
			return []error{keyErr("database.wp_config", fmt.Sprintf("DB_HOST %q: %v", wp.Host, err))}
		}
		wpPrefix = wp.TablePrefix
	}
	if err := forceOptions(mc); err != nil {
		return []error{keyErr("database.dsn", err.Error())}
	}
	d.dsn = mc.FormatDSN()
	shown := mc.Clone()
	if shown.Passwd != "" {
		shown.Passwd = redacted
	}
	d.redacted = shown.FormatDSN()

	d.TablePrefix = cmp.Or(explicitPrefix, wpPrefix, "wp_")
	if !tablePrefixRE.MatchString(d.TablePrefix) {
		key := "database.table_prefix"
		if explicitPrefix == "" {
			key = "database.wp_config"
		}
		return []error{keyErr(key, "table prefix must match [A-Za-z0-9_]{1,32}")}
	}
	return nil
}

// forceOptions sets what the store relies on whatever the DSN said: times
// come back as time.Time in UTC, the session is UTC, text is utf8mb4, and
// one Exec runs one statement, and arguments are interpolated by the
// driver (safe with utf8mb4) so a query is one round trip, not the three of
// a server-side prepare, execute and close.
func forceOptions(mc *mysql.Config) error {
	mc.ParseTime = true
	mc.Loc = time.UTC
	mc.MultiStatements = false
	mc.InterpolateParams = true
	// RowsAffected counts matched rows, not changed ones: a conditional
	// update that writes the values a row already has still says "1", so
	// it is not mistaken for a job that moved on.
	mc.ClientFoundRows = true
	if mc.Params == nil {
		mc.Params = map[string]string{}
	}
	mc.Params["time_zone"] = "'+00:00'"
	return mc.Apply(mysql.Charset("utf8mb4", "utf8mb4_unicode_ci"))
}

// scrubDSNError keeps the driver's reason but drops the password, which
// some reasons quote.
func scrubDSNError(err error, dsn string) string {
	msg := err.Error()
	if pw := dsnPassword(dsn); pw != "" {
		msg = strings.ReplaceAll(msg, pw, redacted)
	}
	return msg
}

// dsnPassword finds the password the way mysql.ParseDSN splits a DSN
// (first ':' before the last '@' before the last '/'), even in a DSN the
// driver rejects.
func dsnPassword(dsn string) string {
	if i := strings.LastIndex(dsn, "/"); i >= 0 {
		dsn = dsn[:i]
	}
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(dsn[:at], ":")
	return pw
}

// HostToAddr maps a WordPress DB_HOST to the driver's network and address,
// parsing it the way wpdb::parse_db_host does:
//
//	db.example          tcp  db.example:3306
//	db.example:3307     tcp  db.example:3307
//	localhost           tcp  127.0.0.1:3306
//	localhost:3307      tcp  127.0.0.1:3307
//	localhost:/run/x.sock, :/run/x.sock   unix /run/x.sock
//	[::1]:3307, ::1     tcp  [::1]:3307, [::1]:3306
//
// PHP's mysqli reads a bare "localhost" as "the default Unix socket",
// whose path the daemon cannot know, so it dials 127.0.0.1:3306 instead;
// write DB_HOST as localhost:/path/to/mysqld.sock (or set database.dsn) to
// use the socket. As in mysqli, a socket path only counts with localhost
// or an empty host; "db.example:/x.sock" dials db.example over TCP. A
// mysqli "p:" (persistent) prefix is ignored.
func HostToAddr(host string) (network, addr string) {
	host = strings.TrimPrefix(strings.TrimSpace(host), "p:")
	socket := ""
	if i := strings.Index(host, ":/"); i >= 0 {
		host, socket = host[:i], host[i+1:]
	}
	h, port := splitDBHost(host)
	local := h == "" || strings.EqualFold(h, "localhost")
	if socket != "" && local {
		return "unix", socket
	}
	if local {
		h = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	return "tcp", net.JoinHostPort(h, port)
}

// splitDBHost separates host and port; an address with two or more colons
// is IPv6, bracketed when it carries a port.
func splitDBHost(s string) (host, port string) {
	if strings.Count(s, ":") > 1 {
		if rest, ok := strings.CutPrefix(s, "["); ok {
			host, after, _ := strings.Cut(rest, "]")
			return host, strings.TrimPrefix(after, ":")
		}
		return s, ""
	}
	host, port, _ = strings.Cut(s, ":")
	return host, port
}

// checkAddr rejects a TCP address the driver could not dial.
func checkAddr(network, addr string) error {
	if network == "unix" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" {
		return fmt.Errorf("no host")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("port must be a number from 1 to 65535")
	}
	return nil
}
