package mail

import "testing"

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor    int64
		currency string
		want     string
	}{
		{1234, "usd", "$12.34"},
		{1234, "USD", "$12.34"},
		{5, "usd", "$0.05"},
		{100, "usd", "$1.00"},
		{1234, "eur", "12.34 EUR"},
		{199999, "gbp", "1999.99 GBP"},
		{1234, "jpy", "1234 JPY"},
		{1234, "kwd", "1.234 KWD"},
		{-1234, "usd", "-$12.34"},
		{-9223372036854775808, "eur", "-92233720368547758.08 EUR"},
	}
	for _, tc := range tests {
		got, err := formatMoney(tc.minor, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("formatMoney(%d, %q) = %q, %v; want %q", tc.minor, tc.currency, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "us", "dollar", "u$d", "€€€"} {
		if got, err := formatMoney(1, bad); err == nil {
			t.Errorf("formatMoney(1, %q) = %q, want an error", bad, got)
		}
	}
}
