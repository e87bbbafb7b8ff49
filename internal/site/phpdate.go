package site

import (
	"strconv"
	"strings"
	"time"
)

// DateLayout is a PHP date() format (what WordPress keeps in date_format
// and time_format) converted once into Go: each letter becomes either a Go
// layout fragment for time.Format or a small function for the letters Go
// has no verb for (S, N, z, G, …); everything else is literal text, which
// is never handed to time.Format, so a digit or "Jan" in it stays as it is.
type DateLayout struct {
	php    string
	pieces []piece
}

type piece struct {
	literal string
	layout  string // a Go layout fragment, when set
	fn      func(time.Time) string
}

// phpLetters maps the PHP date() letters Go can format to their Go layout.
var phpLetters = map[byte]string{
	'd': "02", 'D': "Mon", 'j': "2", 'l': "Monday",
	'F': "January", 'm': "01", 'M': "Jan", 'n': "1",
	'y': "06", 'a': "pm", 'A': "PM", 'g': "3", 'h': "03", 'H': "15",
	'i': "04", 's': "05",
	'O': "-0700", 'P': "-07:00", 'p': "Z07:00", 'T': "MST",
	'c': "2006-01-02T15:04:05-07:00", 'r': "Mon, 02 Jan 2006 15:04:05 -0700",
}

// phpFuncs are the PHP date() letters computed by hand.
var phpFuncs = map[byte]func(time.Time) string{
	'N': func(t time.Time) string { return strconv.Itoa((int(t.Weekday())+6)%7 + 1) },
	'S': ordinalSuffix,
	'w': func(t time.Time) string { return strconv.Itoa(int(t.Weekday())) },
	'z': func(t time.Time) string { return strconv.Itoa(t.YearDay() - 1) },
	'W': func(t time.Time) string { _, w := t.ISOWeek(); return pad2(w) },
	'o': func(t time.Time) string { y, _ := t.ISOWeek(); return strconv.Itoa(y) },
	'Y': func(t time.Time) string { return strconv.Itoa(t.Year()) },
	't': func(t time.Time) string {
		return strconv.Itoa(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	},
	'L': func(t time.Time) string {
		if y := t.Year(); y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return "1"
		}
		return "0"
	},
	'G': func(t time.Time) string { return strconv.Itoa(t.Hour()) },
	'u': func(t time.Time) string { return pad(t.Nanosecond()/1000, 6) },
	'v': func(t time.Time) string { return pad(t.Nanosecond()/1e6, 3) },
	'e': func(t time.Time) string { return t.Location().String() },
	'I': func(t time.Time) string {
		if t.IsDST() {
			return "1"
		}
		return "0"
	},
	'Z': func(t time.Time) string { _, off := t.Zone(); return strconv.Itoa(off) },
	'U': func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) },
	'B': swatch,
}

// ParsePHPDate converts a PHP date() format. Every string is a valid
// format (unknown letters are literal, as in PHP), so it cannot fail.
func ParsePHPDate(php string) DateLayout {
	l := DateLayout{php: php}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			l.pieces = append(l.pieces, piece{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(php); i++ {
		c := php[i]
		switch {
		case c == '\\' && i+1 < len(php):
			// An escaped character is literal; take the whole UTF-8 rune.
			i++
			j := i + 1
			for j < len(php) && php[j]&0xC0 == 0x80 {
				j++
			}
			lit.WriteString(php[i:j])
			i = j - 1
		case phpLetters[c] != "":
			flush()
			l.pieces = append(l.pieces, piece{layout: phpLetters[c]})
		case phpFuncs[c] != nil:
			flush()
			l.pieces = append(l.pieces, piece{fn: phpFuncs[c]})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return l
}

// Format writes t as PHP's date() would with this format, in t's zone.
func (l DateLayout) Format(t time.Time) string {
	var b strings.Builder
	for _, p := range l.pieces {
		switch {
		case p.layout != "":
			b.WriteString(t.Format(p.layout))
		case p.fn != nil:
			b.WriteString(p.fn(t))
		default:
			b.WriteString(p.literal)
		}
	}
	return b.String()
}

// String is the PHP format the layout came from.
func (l DateLayout) String() string { return l.php }

func ordinalSuffix(t time.Time) string {
	d := t.Day()
	if d >= 11 && d <= 13 {
		return "th"
	}
	switch d % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// swatch is Swatch Internet Time: beats of the day at UTC+1.
func swatch(t time.Time) string {
	u := t.UTC()
	secs := ((u.Hour()+1)%24)*3600 + u.Minute()*60 + u.Second()
	return pad(secs*10/864, 3)
}

func pad2(n int) string { return pad(n, 2) }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
