package mail

import (
	"fmt"
	"strings"
)

// Stripe's currencies whose minor unit is not a hundredth. Everything else
// has two decimals. https://docs.stripe.com/currencies#zero-decimal
var currencyDecimals = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "JPY": 0, "KMF": 0, "KRW": 0, "MGA": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3, "TND": 3,
}

// formatMoney writes an amount in minor units exactly, with integer
// arithmetic only: 1234 usd is "$12.34", 1234 eur is "12.34 EUR".
func formatMoney(minor int64, currency string) (string, error) {
	code := strings.ToUpper(currency)
	if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return "", fmt.Errorf("currency %q is not a three-letter code", currency)
	}
	sign := ""
	if minor < 0 {
		sign = "-"
	}
	// Work on the magnitude as unsigned so the smallest int64 has one too.
	v := uint64(minor)
	if minor < 0 {
		v = -v
	}
	decimals, ok := currencyDecimals[code]
	if !ok {
		decimals = 2
	}
	num := fmt.Sprint(v)
	if decimals > 0 {
		unit := uint64(1)
		for range decimals {
			unit *= 10
		}
		num = fmt.Sprintf("%d.%0*d", v/unit, decimals, v%unit)
	}
	if code == "USD" {
		return sign + "$" + num, nil
	}
	return sign + num + " " + code, nil
}
