package config

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wpErrors is every message ParseWPConfig may give. None has room for text
// from the file, so none can show DB_PASSWORD.
var wpErrors = regexp.MustCompile(`^(line [0-9]+: (unterminated /\* comment|unterminated string|` +
	`double-quoted string interpolates a PHP variable; use single quotes|` +
	`(DB_NAME|DB_USER|DB_PASSWORD|DB_HOST|\$table_prefix) is not a plain string literal)|` +
	`(DB_NAME|DB_USER|DB_PASSWORD|DB_HOST) is not defined|DB_NAME is empty)$`)

// phpQuote writes s as a PHP literal that evaluates to s: single-quoted,
// where only \ and ' are escaped, or double-quoted, where $ must be too.
func phpQuote(s string, double bool) string {
	if double {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(s) + `"`
	}
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

// renderWPConfig writes wp as a wp-config.php with the comments, other
// defines and code a real one has around the values.
func renderWPConfig(wp WPConfig, double bool) string {
	q := func(s string) string { return phpQuote(s, double) }
	return "<?php\n// ** Database settings ** //\n/** The name of the database */\n" +
		"define( 'DB_NAME', " + q(wp.Name) + " );\n# define('DB_NAME', 'old');\n" +
		"define('DB_USER'," + q(wp.User) + ");\n" +
		"/* define('DB_PASSWORD', 'old'); */ define( 'DB_PASSWORD', " + q(wp.Password) + " ); // the password\n" +
		"define( 'DB_HOST', " + q(wp.Host) + " );\ndefine( 'DB_CHARSET', 'utf8mb4' );\n" +
		"$table_prefix = " + q(wp.TablePrefix) + ";\nrequire_once ABSPATH . 'wp-settings.php';\n"
}

// checkHost asserts that a DB_HOST the daemon accepts is one it can dial.
func checkHost(t *testing.T, host string) {
	network, addr := HostToAddr(host)
	if network != "tcp" && network != "unix" {
		t.Fatalf("DB_HOST %q gave network %q", host, network)
	}
	if network == "tcp" && checkAddr(network, addr) == nil {
		h, p, err := net.SplitHostPort(addr)
		n, perr := strconv.Atoi(p)
		if err != nil || h == "" || perr != nil || n < 1 || n > 65535 {
			t.Fatalf("DB_HOST %q gave %s, accepted though not dialable", host, addr)
		}
	}
}

// FuzzParseWPConfig feeds any file to ParseWPConfig. It is refused with one
// of the messages that cannot quote the file, or read into values that a
// clean wp-config.php written from them reads back as; DB_HOST then maps to
// a network the driver knows. The seeds in testdata/fuzz/FuzzParseWPConfig
// are real-world wp-config.php shapes and broken ones.
func FuzzParseWPConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, src []byte) {
		wp, err := ParseWPConfig(src)
		if err != nil {
			if !wpErrors.MatchString(err.Error()) {
				t.Fatalf("error %q is not one of the fixed messages", err)
			}
			return
		}
		if wp.Name == "" {
			t.Fatalf("accepted an empty DB_NAME")
		}
		for _, double := range []bool{false, true} {
			again, err := ParseWPConfig([]byte(renderWPConfig(wp, double)))
			if err != nil || again != wp {
				t.Fatalf("%+v written out (double quotes: %v) reads back as %+v, %v", wp, double, again, err)
			}
		}
		checkHost(t, wp.Host)
	})
}

// FuzzWPConfigRoundTrip writes any five values into a wp-config.php, quoted
// either way, and reads them back exactly; an empty DB_NAME is the one
// refusal. The seeds in testdata/fuzz/FuzzWPConfigRoundTrip are values with
// quotes, backslashes, PHP variables, comment markers and line breaks.
func FuzzWPConfigRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, user, password, host, prefix string, double bool) {
		want := WPConfig{Name: name, User: user, Password: password, Host: host, TablePrefix: prefix}
		src := renderWPConfig(want, double)
		got, err := ParseWPConfig([]byte(src))
		if name == "" {
			if err == nil || err.Error() != "DB_NAME is empty" {
				t.Fatalf("empty DB_NAME: %+v, %v", got, err)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("%s\nread as %+v, %v; want %+v", src, got, err, want)
		}
		checkHost(t, host)
	})
}
