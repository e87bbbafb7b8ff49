package site

import (
	"testing"
	"time"
)

func TestParsePHPDate(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30:07.123456 on Friday 4 December 2026 in New York (EST, UTC-5).
	at := time.Date(2026, 12, 4, 23, 30, 7, 123456000, ny)
	summer := time.Date(2024, 7, 1, 9, 5, 0, 0, ny) // EDT, leap year
	tests := []struct {
		php  string
		at   time.Time
		want string
	}{
		// WordPress's own choices on Settings › General.
		{"F j, Y", at, "December 4, 2026"},
		{"Y-m-d", at, "2026-12-04"},
		{"m/d/Y", at, "12/04/2026"},
		{"d/m/Y", at, "04/12/2026"},
		{"g:i a", at, "11:30 pm"},
		{"g:i A", at, "11:30 PM"},
		{"H:i", at, "23:30"},
		{"g:i a", summer, "9:05 am"},
		{"H:i", summer, "09:05"},
		// Every other letter WordPress users write.
		{"jS F Y", at, "4th December 2026"},
		{"l, F jS, Y", time.Date(2026, 12, 1, 0, 0, 0, 0, ny), "Tuesday, December 1st, 2026"},
		{"jS", time.Date(2026, 12, 2, 0, 0, 0, 0, ny), "2nd"},
		{"jS", time.Date(2026, 12, 3, 0, 0, 0, 0, ny), "3rd"},
		{"jS jS", time.Date(2026, 12, 11, 0, 0, 0, 0, ny), "11th 11th"},
		{"jS", time.Date(2026, 12, 22, 0, 0, 0, 0, ny), "22nd"},
		{"D, d M y", at, "Fri, 04 Dec 26"},
		{"N w z t L", at, "5 5 337 31 0"},
		{"N w z t L", time.Date(2024, 2, 4, 0, 0, 0, 0, ny), "7 0 34 29 1"},
		{"W o", time.Date(2027, 1, 1, 0, 0, 0, 0, ny), "53 2026"},
		{"n G h s", summer, "7 9 09 00"},
		{"u v", at, "123456 123"},
		{"e T I", at, "America/New_York EST 0"},
		{"e T I", summer, "America/New_York EDT 1"},
		{"O P Z", at, "-0500 -05:00 -18000"},
		{"c", at, "2026-12-04T23:30:07-05:00"},
		{"r", at, "Fri, 04 Dec 2026 23:30:07 -0500"},
		{"U", at, "1796445007"},
		{"p", at.UTC(), "Z"},
		{"B", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "041"},
		// Escapes and literal text: nothing in it is read as a Go layout.
		{`\T\o\d\a\y \i\s l`, at, "Today is Friday"},
		{`j \d\e F \d\e Y`, at, "4 de December de 2026"},
		{"Y年n月j日", at, "2026年12月4日"},
		{`\Y\-\m 2006 Jan`, at, "Y-m 2006 Jpm12"}, // as PHP: a and n are letters, 2006 is text
		{`H\h\ i`, at, "23h 30"},
		{`\`, at, `\`},
		{`\é`, at, "é"},
		{"", at, ""},
	}
	for _, tc := range tests {
		if got := ParsePHPDate(tc.php).Format(tc.at); got != tc.want {
			t.Errorf("ParsePHPDate(%q).Format(%s) = %q, want %q", tc.php, tc.at, got, tc.want)
		}
	}
}
