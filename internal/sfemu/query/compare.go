package query

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// equalValues is = in SOQL: text compares case-insensitively.
func equalValues(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		return ok && strings.EqualFold(x, y)
	}
	return schema.Compare(a, b) == 0 && sameKind(a, b)
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case float64, int64:
		switch b.(type) {
		case float64, int64:
			return true
		}
		return false
	case time.Time:
		_, ok := b.(time.Time)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	}
	return false
}

// likeMatcher matches a LIKE pattern: % is any run of characters, _ one
// character, \%, \_ and \\ the literal characters; case-insensitive.
type likeMatcher struct {
	pattern []likeToken
}

type likeToken struct {
	any  bool // %
	one  bool // _
	char rune // a literal, lower-cased
}

func compileLike(p string) *likeMatcher {
	m := &likeMatcher{}
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		i += n
		switch r {
		case '%':
			if k := len(m.pattern); k > 0 && m.pattern[k-1].any {
				continue
			}
			m.pattern = append(m.pattern, likeToken{any: true})
		case '_':
			m.pattern = append(m.pattern, likeToken{one: true})
		case '\\':
			if i < len(p) {
				r, n = utf8.DecodeRuneInString(p[i:])
				i += n
			}
			m.pattern = append(m.pattern, likeToken{char: unicode.ToLower(r)})
		default:
			m.pattern = append(m.pattern, likeToken{char: unicode.ToLower(r)})
		}
	}
	return m
}

// match runs the classic wildcard algorithm with one backtracking point.
func (m *likeMatcher) match(s string) bool {
	p := m.pattern
	pi, si := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		r, n := utf8.DecodeRuneInString(s[si:])
		if pi < len(p) && !p[pi].any && (p[pi].one || p[pi].char == unicode.ToLower(r)) {
			pi++
			si += n
			continue
		}
		if pi < len(p) && p[pi].any {
			star, starS = pi, si
			pi++
			continue
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		_, n = utf8.DecodeRuneInString(s[starS:])
		starS += n
		si = starS
	}
	for pi < len(p) && p[pi].any {
		pi++
	}
	return pi == len(p)
}
