package config

import "path/filepath"

// LegacyDir is the directory the original PHP plugin's files are served
// from by their absolute paths: storage.legacy_dir, else the uploads
// directory beside database.wp_config (where that plugin kept them, under
// sell-my-images/), else "" (none served).
func (c *Config) LegacyDir() string {
	if c.Storage.LegacyDir != "" {
		return c.Storage.LegacyDir
	}
	if c.Database.WPConfig == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(c.Database.WPConfig), "wp-content", "uploads")
}
