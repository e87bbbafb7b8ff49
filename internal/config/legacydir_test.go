package config

import "testing"

func TestLegacyDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ legacy, wpConfig, want string }{
		{"", "", ""},
		{"", "/var/www/html/wp-config.php", "/var/www/html/wp-content/uploads"},
		{"/srv/uploads", "/var/www/html/wp-config.php", "/srv/uploads"},
		{"/srv/uploads", "", "/srv/uploads"},
	} {
		c := &Config{Storage: Storage{LegacyDir: tc.legacy}, Database: Database{WPConfig: tc.wpConfig}}
		if got := c.LegacyDir(); got != tc.want {
			t.Errorf("legacy_dir %q, wp_config %q: %q, want %q", tc.legacy, tc.wpConfig, got, tc.want)
		}
	}
}
