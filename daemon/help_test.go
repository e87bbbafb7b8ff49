package main

import (
	"strings"
	"testing"
)

// Every command explains itself on --help, -h and `smid help NAME`, on
// stdout, exiting 0, without touching a database or a config file.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			out, errOut, code := runSmid(t, nil, args...)
			if code != 0 || errOut != "" {
				t.Errorf("smid %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
			}
			if !strings.HasPrefix(out, "smid "+c.name) {
				t.Errorf("smid %s printed %q; want its usage", strings.Join(args, " "), out)
			}
		}
	}
	out, _, code := runSmid(t, nil, "--help")
	if code != 0 {
		t.Fatalf("smid --help exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  smid "+c.name) {
			t.Errorf("smid --help does not list %s:\n%s", c.name, out)
		}
	}
}

// An error is one line on stderr with one "smid:" prefix and a hint.
func TestErrorsCarryOnePrefix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--bogus"}, "smid: serve: flag provided but not defined: -bogus (try: smid serve --help)\n"},
		{[]string{"frobnicate"}, "smid: unknown command \"frobnicate\" (try: smid --help)\n"},
		{[]string{"migrate", "extra"}, "smid: migrate: unexpected argument \"extra\"\n"},
	}
	for _, c := range cases {
		_, errOut, code := runSmid(t, nil, c.args...)
		if code != 1 || errOut != c.want {
			t.Errorf("smid %s: exit %d, stderr %q; want 1, %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}
