package site

import (
	"fmt"
	"strings"

	"github.com/bojanz/currency"
)

// FormatMoney writes an amount of minor units the way the site's locale
// writes money: the symbol's place and the separators come from CLDR
// ("$12.34" in en_US, "12,34 €" in de_DE), the number of decimals from the
// currency itself (JPY has none). It never goes through a float.
func FormatMoney(locale string, minor int64, code string) (string, error) {
	amt, err := currency.NewAmountFromInt64(minor, strings.ToUpper(code))
	if err != nil {
		return "", fmt.Errorf("currency %q: %w", code, err)
	}
	return currency.NewFormatter(currency.NewLocale(locale)).Format(amt), nil
}

// ParseLocale checks a WordPress locale such as en_US, de_DE_formal or pt_BR
// and returns it as WordPress writes it.
func ParseLocale(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("empty locale")
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') || len(s) > 20 {
			return "", fmt.Errorf("locale %q must look like en_US or de_DE", s)
		}
	}
	if currency.NewLocale(s).Language == "" {
		return "", fmt.Errorf("locale %q must look like en_US or de_DE", s)
	}
	return s, nil
}
