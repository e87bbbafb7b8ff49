package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The parsers below turn one raw value, as viper hands it over (a YAML
// scalar or list, an environment string, or a default), into a Go value.
// They are strict where viper's casts are lenient: "abc" is not 0, 30 is
// not 30ns, and 0.04 never passes through a float.

// asString accepts only text: a YAML number where a string belongs (a
// secret like 0123 that YAML may read as octal) must be quoted.
func asString(raw any) (string, error) {
	if s, ok := raw.(string); ok {
		return s, nil
	}
	if raw == nil {
		return "", nil
	}
	return "", errors.New("must be a string (quote it in YAML)")
}

func asInt(raw any) (int64, error) {
	switch v := raw.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), nil
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("must be an integer (got %s)", show(raw))
}

func asBool(raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("must be true or false (got %s)", show(raw))
}

// asDuration wants a unit ("30s", "24h"); only zero may be bare.
func asDuration(raw any) (time.Duration, error) {
	switch v := raw.(type) {
	case string:
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil {
			return d, nil
		}
	case int:
		if v == 0 {
			return 0, nil
		}
	}
	return 0, fmt.Errorf("must be a duration with a unit, like 30s, 15m or 24h (got %s)", show(raw))
}

// asList takes a YAML list or a comma-separated string, as the
// environment gives it; blanks are dropped.
func asList(raw any) ([]string, error) {
	var items []string
	switch v := raw.(type) {
	case nil:
	case string:
		items = strings.Split(v, ",")
	case []string:
		items = v
	case []any:
		for _, it := range v {
			s, ok := it.(string)
			if !ok {
				return nil, errors.New("must be a list of strings")
			}
			items = append(items, s)
		}
	default:
		return nil, errors.New("must be a list of strings or a comma-separated string")
	}
	out := []string{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// asDecimal reads a non-negative decimal exactly and returns it times
// 10^scale: asDecimal("0.04", 6) is 40000, asDecimal("0.5", 2) is 50.
// YAML decodes 0.04 as a float64; its shortest round-trip form is the
// text that was written, so the digits are taken from that, never from
// float arithmetic. Digits past the scale are refused unless all zero.
func asDecimal(raw any, scale int) (int64, error) {
	var s string
	switch v := raw.(type) {
	case string:
		s = strings.TrimSpace(v)
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return 0, fmt.Errorf("must be a decimal number (got %s)", show(raw))
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("must not be negative (got %s)", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("must be a decimal number like 0.50 (got %q)", s)
	}
	if len(frac) > scale {
		if strings.TrimRight(frac[scale:], "0") != "" {
			return 0, fmt.Errorf("has more than %d decimal places (got %s)", scale, s)
		}
		frac = frac[:scale]
	}
	frac += strings.Repeat("0", scale-len(frac))
	unit := int64(math.Pow10(scale))
	w, err := strconv.ParseInt(cmp.Or(whole, "0"), 10, 64)
	f, _ := strconv.ParseInt(cmp.Or(frac, "0"), 10, 64)
	if err != nil || w > (math.MaxInt64-f)/unit {
		return 0, fmt.Errorf("is too large (got %s)", s)
	}
	return w*unit + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatDecimal is asDecimal's inverse, for LogValue: 40000, 6 → "0.04".
func formatDecimal(v int64, scale int) string {
	unit := int64(math.Pow10(scale))
	frac := strings.TrimRight(fmt.Sprintf("%0*d", scale, v%unit), "0")
	for len(frac) < 2 && scale >= 2 {
		frac += "0"
	}
	return strconv.FormatInt(v/unit, 10) + "." + frac
}

// show quotes a non-secret raw value for an error message.
func show(raw any) string {
	if s, ok := raw.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(raw)
}
