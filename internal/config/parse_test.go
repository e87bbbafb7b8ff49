package config

import (
	"strings"
	"testing"
	"time"
)

func TestAsDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     any
		scale   int
		want    int64
		wantErr string
	}{
		{"0.04", 6, 40000, ""},
		{0.04, 6, 40000, ""}, // as YAML decodes it
		{0.25, 6, 250000, ""},
		{"0.000001", 6, 1, ""},
		{1e-6, 6, 1, ""},
		{"0.1234567", 6, 0, "more than 6 decimal places"},
		{"0.50", 2, 50, ""},
		{0.5, 2, 50, ""},
		{"0.5", 2, 50, ""},
		{0.29, 2, 29, ""}, // 0.29*100 is 28.999… in float arithmetic
		{1.15, 2, 115, ""},
		{"12", 2, 1200, ""},
		{12, 2, 1200, ""},
		{".5", 2, 50, ""},
		{"5.", 2, 500, ""},
		{"1.500", 2, 150, ""}, // trailing zeros lose nothing
		{" 2.10 ", 2, 210, ""},
		{"1.005", 2, 0, "more than 2 decimal places"},
		{1.005, 2, 0, "more than 2 decimal places"},
		{"-1", 2, 0, "must not be negative"},
		{"+1", 2, 0, "must be a decimal number"},
		{"1,50", 2, 0, "must be a decimal number"},
		{"1e2", 2, 0, "must be a decimal number"},
		{".", 2, 0, "must be a decimal number"},
		{"", 2, 0, "must be a decimal number"},
		{true, 2, 0, "must be a decimal number"},
		{"92233720368547758.07", 2, 9223372036854775807, ""},
		{"92233720368547758.08", 2, 0, "too large"},
		{"99999999999999999999", 2, 0, "too large"},
	}
	for _, tt := range tests {
		got, err := asDecimal(tt.raw, tt.scale)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("asDecimal(%#v, %d) = %d, %v; want error %q", tt.raw, tt.scale, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("asDecimal(%#v, %d) = %d, %v; want %d", tt.raw, tt.scale, got, err, tt.want)
		}
	}
}

func TestFormatDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v     int64
		scale int
		want  string
	}{{40000, 6, "0.04"}, {250000, 6, "0.25"}, {1, 6, "0.000001"}, {1000000, 6, "1.00"}, {50, 2, "0.50"}, {1234, 2, "12.34"}, {0, 2, "0.00"}}
	for _, tt := range tests {
		if got := formatDecimal(tt.v, tt.scale); got != tt.want {
			t.Errorf("formatDecimal(%d, %d) = %q, want %q", tt.v, tt.scale, got, tt.want)
		}
	}
}

func TestMoneyFromYAML(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "smid.yaml", "pricing:\n  cost_per_credit: 0.04\n  credits_per_megapixel: 0.29\n  minimum: 0.29\n")
	c := mustLoad(t, path, baseEnv())
	if c.Pricing.CostPerCreditMicros != 40000 || c.Pricing.MicroCreditsPerMegapixel != 290000 || c.Pricing.MinimumCents != 29 {
		t.Errorf("pricing = %+v", c.Pricing)
	}
	_, err := Load(writeFile(t, "smid.yaml", "pricing:\n  minimum: 1.005\n"), baseEnv())
	if err == nil || !strings.Contains(err.Error(), "config: pricing.minimum: has more than 2 decimal places") {
		t.Errorf("got %v", err)
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     any
		want    time.Duration
		wantErr bool
	}{
		{"30s", 30 * time.Second, false},
		{"24h", 24 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"0", 0, false},
		{0, 0, false},
		{"30", 0, true}, // viper's cast would make this 30ns
		{30, 0, true},
		{"1d", 0, true},
		{1.5, 0, true},
	}
	for _, tt := range tests {
		got, err := asDuration(tt.raw)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("asDuration(%#v) = %v, %v", tt.raw, got, err)
		}
	}
	_, err := Load(writeFile(t, "smid.yaml", "worker:\n  lease: 120\n"), baseEnv())
	if err == nil || !strings.Contains(err.Error(), "config: worker.lease: must be a duration with a unit") {
		t.Errorf("got %v", err)
	}
}

func TestStringKeysWantStrings(t *testing.T) {
	t.Parallel()
	// YAML reads an unquoted 0123 as a number; a secret must be quoted so
	// that it is not silently changed.
	_, err := Load(writeFile(t, "smid.yaml", "upsampler:\n  api_key: 0123\n"), baseEnv())
	if err == nil || !strings.Contains(err.Error(), "config: upsampler.api_key: must be a string (quote it in YAML)") {
		t.Errorf("got %v", err)
	}
}
