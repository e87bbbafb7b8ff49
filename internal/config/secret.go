package config

import "log/slog"

// Secret is a setting that must never reach a log line or an error
// message. Every printing path (fmt, slog, encoding) shows "[redacted]";
// use Reveal or string(s) where the value is really needed.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// String hides the value: "[redacted]" when set, "" when empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText hides the value from encoders such as encoding/json.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
