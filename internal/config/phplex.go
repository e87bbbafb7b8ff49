package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// tokKind classifies the few PHP tokens ParseWPConfig cares about.
type tokKind int

const (
	tokIdent  tokKind = iota // define, true, 42
	tokVar                   // $table_prefix, text without the $
	tokString                // a quoted literal, text decoded
	tokPunct                 // any other single byte
)

type token struct {
	kind tokKind
	text string
	line int
}

// lexPHP splits PHP source into tokens, dropping whitespace and comments.
// It knows just enough PHP to keep comments and strings apart; it never
// quotes string contents in an error, since one of them is a password.
func lexPHP(src string) ([]token, error) {
	var toks []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '#' || (c == '/' && strings.HasPrefix(src[i:], "//")):
			// A line comment ends at the newline or at ?>.
			end := len(src)
			if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
				end = i + j
			}
			if j := strings.Index(src[i:end], "?>"); j >= 0 {
				end = i + j
			}
			i = end
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("line %d: unterminated /* comment", line)
			}
			line += strings.Count(src[i:i+2+j], "\n")
			i += 2 + j + 2
		case c == '\'' || c == '"':
			val, n, err := lexString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			toks = append(toks, token{tokString, val, line})
			line += strings.Count(src[i:i+n], "\n")
			i += n
		case c == '$' && i+1 < len(src) && isIdentByte(src[i+1]):
			n := identLen(src[i+1:])
			toks = append(toks, token{tokVar, src[i+1 : i+1+n], line})
			i += 1 + n
		case isIdentByte(c):
			n := identLen(src[i:])
			toks = append(toks, token{tokIdent, src[i : i+n], line})
			i += n
		default:
			toks = append(toks, token{tokPunct, src[i : i+1], line})
			i++
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func identLen(s string) int {
	n := 0
	for n < len(s) && isIdentByte(s[n]) {
		n++
	}
	return n
}

// lexString decodes the quoted literal at the start of s and returns its
// value and its length in bytes.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			if q == '\'' {
				// Single quotes only know \' and \\; any other backslash is literal.
				if s[i+1] == '\'' || s[i+1] == '\\' {
					i++
					c = s[i]
				}
				b.WriteByte(c)
				continue
			}
			n := unescapeDouble(&b, s[i+1:])
			i += n
		case c == '$' && q == '"' && i+1 < len(s) && (isIdentByte(s[i+1]) && !isDigit(s[i+1]) || s[i+1] == '{'):
			return "", 0, fmt.Errorf("double-quoted string interpolates a PHP variable; use single quotes")
		case c == '{' && q == '"' && i+1 < len(s) && s[i+1] == '$':
			return "", 0, fmt.Errorf("double-quoted string interpolates a PHP variable; use single quotes")
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// unescapeDouble writes the escape sequence at the start of s (just after
// the backslash) and returns how many bytes of s it used. Unknown escapes
// stay as written, backslash included, as PHP leaves them.
func unescapeDouble(b *strings.Builder, s string) int {
	if i := strings.IndexByte(`ntrvef\$"`, s[0]); i >= 0 {
		b.WriteByte("\n\t\r\v\x1b\f\\$\""[i])
		return 1
	}
	if n := octalLen(s); n > 0 {
		v, _ := strconv.ParseUint(s[:n], 8, 16)
		b.WriteByte(byte(v & 0xff)) // PHP wraps "\400" to "\000"
		return n
	}
	if s[0] == 'x' {
		n := 1
		for n < len(s) && n < 3 && strings.IndexByte("0123456789abcdefABCDEF", s[n]) >= 0 {
			n++
		}
		if n > 1 {
			v, _ := strconv.ParseUint(s[1:n], 16, 8)
			b.WriteByte(byte(v))
			return n
		}
	}
	if s[0] == 'u' && len(s) > 2 && s[1] == '{' {
		if end := strings.IndexByte(s, '}'); end > 2 {
			if v, err := strconv.ParseUint(s[2:end], 16, 32); err == nil {
				if v > unicode.MaxRune {
					v = unicode.ReplacementChar // what WriteRune writes for any invalid rune
				}
				b.WriteRune(rune(v)) //nolint:gosec // G115: v <= unicode.MaxRune by now
				return end + 1
			}
		}
	}
	b.WriteByte('\\')
	return 0
}

func octalLen(s string) int {
	n := 0
	for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '7' {
		n++
	}
	return n
}
