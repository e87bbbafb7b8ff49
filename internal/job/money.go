package job

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in integer minor units (cents), as Stripe counts it.
// It is never a float.
type Money int64

// ParseDecimal reads a DECIMAL(10,2) value such as "12.30" or "-0.5" exactly.
func ParseDecimal(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty decimal")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 {
		// MySQL never hands back more than the column's scale; refuse rather than round.
		if strings.TrimRight(frac[2:], "0") != "" {
			return 0, fmt.Errorf("decimal %q has more than 2 fraction digits", s)
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || strings.ContainsAny(whole, "+-") {
		return 0, fmt.Errorf("bad decimal %q", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || strings.ContainsAny(frac, "+-") {
		return 0, fmt.Errorf("bad decimal %q", s)
	}
	m := Money(w*100 + f)
	if neg {
		m = -m
	}
	return m, nil
}

// Decimal formats m as a DECIMAL(10,2) literal: 1234 → "12.34".
func (m Money) Decimal() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Actor names who did something: system, stripe, upsampler, cron, or a
// WordPress user as wp:<id>:<login>.
type Actor string

// Built-in actors.
const (
	ActorSystem    Actor = "system"
	ActorStripe    Actor = "stripe"
	ActorUpsampler Actor = "upsampler"
	ActorCron      Actor = "cron"
)

// ParseActor validates an X-SMI-Actor value. Only WordPress users may be
// named by a caller; the built-in actors are the daemon's own.
func ParseActor(s string) (Actor, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[0] != "wp" || parts[2] == "" || len(s) > 120 {
		return "", fmt.Errorf("actor must look like wp:<id>:<login>")
	}
	if id, err := strconv.ParseUint(parts[1], 10, 64); err != nil || id == 0 {
		return "", fmt.Errorf("actor must look like wp:<id>:<login>")
	}
	for _, r := range parts[2] {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("actor login has control characters")
		}
	}
	return Actor(s), nil
}
