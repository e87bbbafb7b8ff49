package storetest

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
)

// wpOptionsDDL is WordPress 6.1's options table, as wp-admin/includes/schema.php
// creates it.
const wpOptionsDDL = `CREATE TABLE IF NOT EXISTS %soptions (
	option_id bigint(20) unsigned NOT NULL auto_increment,
	option_name varchar(191) NOT NULL default '',
	option_value longtext NOT NULL,
	autoload varchar(20) NOT NULL default 'yes',
	PRIMARY KEY  (option_id),
	UNIQUE KEY option_name (option_name),
	KEY autoload (autoload)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`

// WPOptions creates WordPress's options table under prefix in the database
// at dsn (once) and writes rows into it as update_option does: an existing
// name gets the new value.
func WPOptions(t testing.TB, dsn, prefix string, rows map[string]string) {
	t.Helper()
	db, err := sqlx.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(wpOptionsDDL, prefix)); err != nil {
		t.Fatalf("create %soptions: %v", prefix, err)
	}
	for name, value := range rows {
		if _, err := db.Exec(`INSERT INTO `+prefix+`options (option_name, option_value, autoload) VALUES (?, ?, 'yes')
			ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)`, name, value); err != nil {
			t.Fatalf("write option %s: %v", name, err)
		}
	}
}
