package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/spf13/viper"
)

// EnvPrefix starts the name of every environment override.
const EnvPrefix = "SMI_"

// Load reads the YAML file at path (no file when path is ""), lays the
// SMI_* variables found in environ (os.Environ() in main) over it, fills
// defaults and validates the result. Each call uses its own viper
// instance, so nothing is shared between calls.
//
// The error lists every problem found, one per line, each naming its key:
// "config: api.secret: must be at least 32 characters (got 5)". It never
// contains a secret's value.
func Load(path string, environ []string) (*Config, error) {
	c := &Config{}
	fs := fields(c)
	v := viper.New()
	if path != "" {
		// Read before the defaults go in, so AllKeys lists the file's keys only.
		if err := readFile(v, path, fs); err != nil {
			return nil, err
		}
	}
	for _, f := range fs {
		v.SetDefault(f.key, f.def)
	}
	env := envMap(environ)
	// An old key name is read as its new one, unless the new one is set too.
	for old, cur := range renamedKeys {
		val, set := v.Get(old), v.InConfig(old)
		if e := env[envName(old)]; e != "" {
			val, set = e, true
		}
		if !set {
			continue
		}
		c.Renamed = append(c.Renamed, old+" is now "+cur)
		if !v.InConfig(cur) && env[envName(cur)] == "" {
			v.Set(cur, val)
		}
	}
	for _, f := range fs {
		if val := env[envName(f.key)]; val != "" {
			v.Set(f.key, val)
		}
	}

	var errs []error
	failed := map[string]bool{}
	for _, f := range fs {
		if err := f.parse(v.Get(f.key)); err != nil {
			errs = append(errs, keyErr(f.key, err.Error()))
			failed[f.key] = true
		}
	}
	errs = append(errs, c.validate(failed)...)
	if len(errs) > 0 {
		return nil, scrub(errors.Join(errs...), secrets(v, fs, c))
	}
	return c, nil
}

// renamedKeys maps a key's old name to its new one. The old one is still
// read (as the new one), so an upgrade never breaks a working file.
var renamedKeys = map[string]string{
	// The task only ever sent refunds again; failed emails are retried by poll.
	"cron.retry_deliveries": "cron.retry_refunds",
}

// readFile loads the YAML into v and refuses keys the daemon does not
// know, so a typo is an error rather than a silently ignored setting.
func readFile(v *viper.Viper, path string, fs []field) error {
	src, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the config file
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(src)); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	known, sections := map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		known[f.key] = true
		sections[strings.SplitN(f.key, ".", 2)[0]] = true
	}
	keys := v.AllKeys()
	slices.Sort(keys)
	var errs []error
	for _, k := range keys {
		switch {
		case known[k], renamedKeys[k] != "":
		case sections[k]:
			// "database:" with nothing under it is fine; "database: 5" is not.
			if v.Get(k) != nil {
				errs = append(errs, keyErr(k, "must be a mapping of keys"))
			}
		default:
			errs = append(errs, unknownKey(k, fs))
		}
	}
	return errors.Join(errs...)
}

// unknownKey names the key and, when one is close, the key meant.
func unknownKey(k string, fs []field) error {
	best, bestDist := "", 3
	for _, f := range fs {
		if d := editDistance(k, f.key); d < bestDist {
			best, bestDist = f.key, d
		}
	}
	if best == "" {
		// "dsn:" at the top level for "database.dsn".
		for _, f := range fs {
			if strings.HasSuffix(f.key, "."+k) {
				best = f.key
			}
		}
	}
	if best != "" {
		return fmt.Errorf("config: unknown key %q (did you mean %q?)", k, best)
	}
	return fmt.Errorf("config: unknown key %q", k)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// envName is the variable that overrides key: mail.smtp_port is
// SMI_MAIL_SMTP_PORT.
func envName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// envMap keeps the SMI_ entries of environ; a later duplicate wins, as
// with os/exec.
func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			m[k] = val
		}
	}
	return m
}

// keyError is a problem with one key's value.
type keyError struct{ key, problem string }

func (e *keyError) Error() string { return "config: " + e.key + ": " + e.problem }

func keyErr(key, problem string) error { return &keyError{key, problem} }

// secrets gathers every secret value in play, raw and parsed, so scrub can
// take them out of an error message whatever path put them there.
func secrets(v *viper.Viper, fs []field, c *Config) []string {
	var out []string
	for _, f := range fs {
		if f.secret {
			if s, ok := v.Get(f.key).(string); ok {
				out = append(out, s)
			}
		}
	}
	out = append(out, dsnPassword(c.Database.rawDSN))
	if c.Database.dsn != "" {
		if mc, err := mysql.ParseDSN(c.Database.dsn); err == nil {
			out = append(out, mc.Passwd) // from wp-config.php, or the same as above
		}
	}
	return out
}

// minScrub is the shortest secret scrub replaces; shorter strings would
// turn ordinary words of the message into "[redacted]". Messages are
// written never to include a value that may be secret; this is the net.
const minScrub = 4

// loadError is an error whose text has been scrubbed of secrets.
type loadError struct {
	msg string
	err error
}

func (e *loadError) Error() string { return e.msg }
func (e *loadError) Unwrap() error { return e.err }

func scrub(err error, secrets []string) error {
	// Longest first, so a secret containing another is replaced whole.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= minScrub {
			msg = strings.ReplaceAll(msg, s, redacted)
		}
	}
	return &loadError{msg, err}
}
