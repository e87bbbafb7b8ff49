package bench

import "testing"

func TestReplaceSection(t *testing.T) {
	t.Parallel()
	mine := Heading + "\n\nnew figures\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"appended to a doc without it", "# Benchmarks\n\nintro\n", "# Benchmarks\n\nintro\n\n" + mine},
		{"replaced at the end", "# B\n\n" + Heading + "\n\nold\n", "# B\n\n" + mine},
		{"replaced between others, which are kept",
			"# B\n\n## Seeding\n\nx\n\n" + Heading + "\n\nold\nold\n\n## Workers\n\ny\n",
			"# B\n\n## Seeding\n\nx\n\n" + mine + "\n## Workers\n\ny\n"},
	} {
		if got := replaceSection(tc.doc, Heading, mine); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{Thousands(1000000), "1,000,000"}, {Thousands(999), "999"}, {Thousands(10000), "10,000"},
		{Times(1234.6), "1235×"}, {Times(23.45), "23.4×"}, {Times(1.5), "1.50×"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
