package store

import (
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// appendRow appends one row of LOAD DATA text: tab-separated, \N for
// NULL, backslash escapes. It takes the same values as the INSERT path
// (insertArgs), so the two can never disagree about a column.
func appendRow(b []byte, vals []any) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, '\t')
		}
		b = appendValue(b, v)
	}
	return append(b, '\n')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, `\N`...)
	case string:
		return appendText(b, x)
	case *string:
		if x == nil {
			return append(b, `\N`...)
		}
		return appendText(b, *x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case *int64:
		if x == nil {
			return append(b, `\N`...)
		}
		return strconv.AppendInt(b, *x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case *int:
		if x == nil {
			return append(b, `\N`...)
		}
		return strconv.AppendInt(b, int64(*x), 10)
	case bool:
		if x {
			return append(b, '1')
		}
		return append(b, '0')
	case time.Time:
		return appendDatetime(b, x)
	}
	// Anything else (no column has such a type today): its pointee or its
	// printed form.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return append(b, `\N`...)
		}
		return appendValue(b, rv.Elem().Interface())
	}
	return appendText(b, fmt.Sprint(v))
}

// appendDatetime writes t in UTC as 2006-01-02 15:04:05.999999 does,
// without the cost of a general layout.
func appendDatetime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, int(mo), 2)
	b = append(b, '-')
	b = appendPad(b, d, 2)
	b = append(b, ' ')
	b = appendPad(b, h, 2)
	b = append(b, ':')
	b = appendPad(b, mi, 2)
	b = append(b, ':')
	b = appendPad(b, s, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		b = appendPad(b, us, 6)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return b
}

func appendPad(b []byte, n, width int) []byte {
	var tmp [8]byte
	i := len(tmp)
	for ; n > 0 || i > len(tmp)-width; n /= 10 {
		i--
		tmp[i] = byte('0' + n%10)
	}
	return append(b, tmp[i:]...)
}

// appendText escapes what LOAD DATA would read as a separator or escape.
func appendText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case 0:
			esc = `\0`
		default:
			continue
		}
		b = append(append(b, s[start:i]...), esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}
