package site

import "testing"

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	const nbsp, nnbsp = "\u00a0", "\u202f"
	tests := []struct {
		locale   string
		minor    int64
		currency string
		want     string
	}{
		{"en_US", 1234, "usd", "$12.34"},
		{"en_US", 123456, "USD", "$1,234.56"},
		{"en_US", 5, "usd", "$0.05"},
		{"en_US", -1234, "usd", "-$12.34"},
		{"en_US", 1234, "eur", "€12.34"},
		{"de_DE", 1234, "eur", "12,34" + nbsp + "€"}, // the symbol after, comma decimals
		{"de_DE", 123456, "usd", "1.234,56" + nbsp + "$"},
		{"fr_FR", 123456, "eur", "1" + nnbsp + "234,56" + nbsp + "€"},
		{"nl_NL", 1234, "eur", "€" + nbsp + "12,34"},
		{"en_GB", 1234, "gbp", "£12.34"},
		{"en_GB", 1234, "usd", "US$12.34"},
		{"ja", 1234, "jpy", "￥1,234"}, // no minor digits: 1234 yen
		{"en_US", 1234, "jpy", "¥1,234"},
		{"en_US", 1234, "kwd", "KWD" + nbsp + "1.234"}, // three minor digits
		{"de_DE_formal", 1234, "eur", "12,34" + nbsp + "€"},
		{"", 1234, "usd", "$12.34"},
	}
	for _, tc := range tests {
		got, err := FormatMoney(tc.locale, tc.minor, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("FormatMoney(%q, %d, %q) = %q, %v; want %q", tc.locale, tc.minor, tc.currency, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "us", "dollar", "u$d", "€€€"} {
		if got, err := FormatMoney("en_US", 1, bad); err == nil {
			t.Errorf("FormatMoney(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseLocale(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"en_US", "de_DE", "de_DE_formal", "pt_BR", "ja", "fr"} {
		if got, err := ParseLocale(ok); err != nil || got != ok {
			t.Errorf("ParseLocale(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "en US", "<script>", "../../x"} {
		if _, err := ParseLocale(bad); err == nil {
			t.Errorf("ParseLocale(%q) succeeded", bad)
		}
	}
}
