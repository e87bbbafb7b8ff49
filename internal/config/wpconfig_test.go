package config

import (
	"strings"
	"testing"
)

func TestParseWPConfig(t *testing.T) {
	t.Parallel()
	const tail = "define('DB_USER', 'u');\ndefine('DB_PASSWORD', 'p');\ndefine('DB_HOST', 'localhost');\n"
	tests := []struct {
		name string
		src  string
		want WPConfig
	}{
		{
			name: "wordpress sample",
			src: `<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'database_name_here' );
/** Database username */
define( 'DB_USER', 'username_here' );
/** Database password */
define( 'DB_PASSWORD', 'password_here' );
/** Database hostname */
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8' );
$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
`,
			want: WPConfig{"database_name_here", "username_here", "password_here", "localhost", "wp_"},
		},
		{
			name: "double quotes, no spaces, socket host",
			src:  `<?php define("DB_NAME","shop");define("DB_USER","shop");define("DB_PASSWORD","s3cr\"et\\\$x");define('DB_HOST','localhost:/run/mysqld/mysqld.sock'); $table_prefix  = "shop_";`,
			want: WPConfig{"shop", "shop", `s3cr"et\$x`, "localhost:/run/mysqld/mysqld.sock", "shop_"},
		},
		{
			name: "escaped single quotes and backslashes",
			src:  `define('DB_NAME', 'n'); define('DB_USER', 'o\'brien'); define('DB_PASSWORD', 'a\\b\c\'d'); define('DB_HOST', '[::1]:3307');`,
			want: WPConfig{"n", "o'brien", `a\b\c'd`, "[::1]:3307", ""},
		},
		{
			name: "commented-out defines are ignored",
			src: `<?php
// define('DB_NAME', 'old_line');
# define('DB_NAME', 'old_hash');
/* define('DB_NAME', 'old_block');
   define('DB_USER', 'old_block'); */
/**
 * define('DB_NAME', 'old_doc');
 */
define('DB_NAME', 'current'); // define('DB_NAME', 'trailing')
$table_prefix = 'a_'; # $table_prefix = 'b_';
` + tail,
			want: WPConfig{"current", "u", "p", "localhost", "a_"},
		},
		{
			name: "comment markers inside strings are text",
			src:  `define('DB_NAME', 'n'); define('DB_USER', 'u'); define('DB_PASSWORD', 'x//y#z/*w*/'); define('DB_HOST', 'h');`,
			want: WPConfig{"n", "u", "x//y#z/*w*/", "h", ""},
		},
		{
			name: "first define wins, last prefix wins, case-insensitive define",
			src:  "DEFINE('DB_NAME', 'first');\ndefine('DB_NAME', 'second');\n$table_prefix = 'one_';\n$table_prefix = 'two_';\n" + tail,
			want: WPConfig{"first", "u", "p", "localhost", "two_"},
		},
		{
			name: "concatenation and empty password",
			src:  `define('DB_NAME', 'wp' . '_' . "prod"); define('DB_USER', 'u'); define('DB_PASSWORD', ''); define('DB_HOST', 'db:3307');`,
			want: WPConfig{"wp_prod", "u", "", "db:3307", ""},
		},
		{
			name: "other defines and code around",
			src: `<?php
if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }
define( 'WP_DEBUG', false );
define( 'AUTH_KEY', 'put your unique phrase here' );
define( 'DB_NAME', 'n' );
` + tail,
			want: WPConfig{"n", "u", "p", "localhost", ""},
		},
		{
			name: "multi-line string",
			src:  "define('DB_NAME', 'n');\ndefine('DB_USER', 'u');\ndefine('DB_PASSWORD', 'line1\nline2');\ndefine('DB_HOST', 'h');",
			want: WPConfig{"n", "u", "line1\nline2", "h", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWPConfig([]byte(tt.src))
			if err != nil {
				t.Fatalf("ParseWPConfig: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWPConfigErrors(t *testing.T) {
	t.Parallel()
	const password = "Hunter2Hunter2"
	tests := []struct {
		name, src, want string
	}{
		{"missing password", `define('DB_NAME','n'); define('DB_USER','u'); define('DB_HOST','h');`, "DB_PASSWORD is not defined"},
		{"only commented", `// define('DB_NAME','n');` + "\n" + `define('DB_USER','u'); define('DB_PASSWORD','p'); define('DB_HOST','h');`, "DB_NAME is not defined"},
		{"getenv", `define('DB_NAME', getenv('DB')); define('DB_USER','u'); define('DB_PASSWORD','p'); define('DB_HOST','h');`, "DB_NAME is not a plain string literal"},
		{"unterminated password", `define('DB_NAME','n'); define('DB_PASSWORD', '` + password + `);`, "unterminated string"},
		{"unterminated comment", "/* define('DB_NAME','n');", "unterminated /* comment"},
		{"interpolation", `define('DB_NAME','n'); define('DB_USER','u'); define('DB_PASSWORD',"` + password + `$x"); define('DB_HOST','h');`, "interpolates a PHP variable"},
		{"prefix from variable", `$table_prefix = $other;`, "$table_prefix is not a plain string literal"},
		{"empty name", `define('DB_NAME',''); define('DB_USER','u'); define('DB_PASSWORD','p'); define('DB_HOST','h');`, "DB_NAME is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseWPConfig([]byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestHostToAddr(t *testing.T) {
	t.Parallel()
	tests := []struct{ host, net, addr string }{
		{"db.example.com", "tcp", "db.example.com:3306"},
		{"db.example.com:3307", "tcp", "db.example.com:3307"},
		{"10.0.0.5", "tcp", "10.0.0.5:3306"},
		{"10.0.0.5:3310", "tcp", "10.0.0.5:3310"},
		{"localhost", "tcp", "127.0.0.1:3306"},
		{"LOCALHOST", "tcp", "127.0.0.1:3306"},
		{"localhost:3307", "tcp", "127.0.0.1:3307"},
		{"", "tcp", "127.0.0.1:3306"},
		{"localhost:/run/mysqld/mysqld.sock", "unix", "/run/mysqld/mysqld.sock"},
		{":/var/lib/mysql/mysql.sock", "unix", "/var/lib/mysql/mysql.sock"},
		{"localhost:3306:/tmp/my.sock", "unix", "/tmp/my.sock"},
		{"db.example.com:/tmp/my.sock", "tcp", "db.example.com:3306"}, // as mysqli: a socket only counts with localhost
		{"[::1]:3307", "tcp", "[::1]:3307"},
		{"[::1]", "tcp", "[::1]:3306"},
		{"::1", "tcp", "[::1]:3306"},
		{"[2001:db8::5]:3308", "tcp", "[2001:db8::5]:3308"},
		{"p:db.example.com", "tcp", "db.example.com:3306"},
		{" db.example.com ", "tcp", "db.example.com:3306"},
	}
	for _, tt := range tests {
		network, addr := HostToAddr(tt.host)
		if network != tt.net || addr != tt.addr {
			t.Errorf("HostToAddr(%q) = %s %s, want %s %s", tt.host, network, addr, tt.net, tt.addr)
		}
	}
}
