package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// WPConfig is what the daemon needs from WordPress's wp-config.php.
type WPConfig struct {
	Name        string // DB_NAME
	User        string // DB_USER
	Password    string // DB_PASSWORD
	Host        string // DB_HOST, as written; see HostToAddr
	TablePrefix string // $table_prefix, "" when the file does not set it
}

// ParseWPConfig reads the database constants and $table_prefix from the
// source of a wp-config.php without running PHP. It understands
// define( 'NAME', 'value' ) with either quote style and escapes, string
// concatenation with '.', and skips //, # and /* */ comments, so a
// commented-out define does not count. As in PHP, the first define of a
// constant wins and the last assignment of $table_prefix wins. A value
// that is not a string literal (getenv(), a constant) is an error rather
// than a guess. Errors never quote DB_PASSWORD.
func ParseWPConfig(src []byte) (WPConfig, error) {
	toks, err := lexPHP(string(src))
	if err != nil {
		return WPConfig{}, err
	}
	want := map[string]*string{}
	var wp WPConfig
	want["DB_NAME"], want["DB_USER"], want["DB_PASSWORD"], want["DB_HOST"] = &wp.Name, &wp.User, &wp.Password, &wp.Host
	seen := map[string]bool{}

	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokIdent && strings.EqualFold(t.text, "define") && at(toks, i+1, tokPunct, "(") &&
			at(toks, i+2, tokString, "") && at(toks, i+3, tokPunct, ","):
			name := toks[i+2].text
			dst, ok := want[name]
			if !ok || seen[name] {
				continue
			}
			val, next, ok := stringExpr(toks, i+4, ",", ")")
			if !ok {
				return WPConfig{}, fmt.Errorf("line %d: %s is not a plain string literal", t.line, name)
			}
			*dst, seen[name], i = val, true, next
		case t.kind == tokVar && t.text == "table_prefix" && at(toks, i+1, tokPunct, "="):
			val, next, ok := stringExpr(toks, i+2, ";")
			if !ok {
				return WPConfig{}, fmt.Errorf("line %d: $table_prefix is not a plain string literal", t.line)
			}
			wp.TablePrefix, i = val, next
		}
	}
	for _, name := range []string{"DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"} {
		if !seen[name] {
			return WPConfig{}, fmt.Errorf("%s is not defined", name)
		}
	}
	if wp.Name == "" {
		return WPConfig{}, errors.New("DB_NAME is empty")
	}
	return wp, nil
}

// at reports whether toks[i] has the kind and, unless text is "", the text.
func at(toks []token, i int, kind tokKind, text string) bool {
	return i < len(toks) && toks[i].kind == kind && (text == "" || toks[i].text == text)
}

// stringExpr reads 'a' . "b" … starting at toks[i] and ending before one
// of the terminators; it returns the value and the index of the last
// string token.
func stringExpr(toks []token, i int, terms ...string) (string, int, bool) {
	var b strings.Builder
	for {
		if !at(toks, i, tokString, "") {
			return "", 0, false
		}
		b.WriteString(toks[i].text)
		switch {
		case at(toks, i+1, tokPunct, "."):
			i += 2
		case i+1 < len(toks) && toks[i+1].kind == tokPunct && slices.Contains(terms, toks[i+1].text):
			return b.String(), i, true
		default:
			return "", 0, false
		}
	}
}
