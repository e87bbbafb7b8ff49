package config

import (
	"log/slog"
	"strings"
)

// LogValue shows every setting, grouped by section under its YAML name,
// with secrets as "[redacted]" (or "" when unset) and the DSN with its
// password redacted, so `slog.Info("config", "config", cfg)` is safe.
func (c *Config) LogValue() slog.Value {
	var groups []slog.Attr
	var section string
	var attrs []slog.Attr
	flush := func() {
		if section != "" {
			groups = append(groups, slog.Attr{Key: section, Value: slog.GroupValue(attrs...)})
		}
	}
	for _, f := range fields(c) {
		sec, name, _ := strings.Cut(f.key, ".")
		if sec != section {
			flush()
			section, attrs = sec, nil
		}
		attrs = append(attrs, slog.Attr{Key: name, Value: f.show()})
	}
	flush()
	return slog.GroupValue(groups...)
}
