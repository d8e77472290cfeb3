package query

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// compareValues orders two canonical values the way SOQL does: text
// case-insensitively, numbers by value whatever their Go type, then times
// and booleans (false first). nil sorts before everything. It never
// allocates.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return compareFold(x, y)
		}
	case float64, int64:
		return compareFloat(toFloat(a), toFloat(b))
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	return 0
}

// equalValues is = in SOQL: text compares case-insensitively.
func equalValues(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		return ok && strings.EqualFold(x, y)
	}
	return compareValues(a, b) == 0 && sameKind(a, b)
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

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func compareFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareFold compares two strings case-insensitively, then by bytes so that
// the order is total.
func compareFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			la, lb := lowerASCII(ca), lowerASCII(cb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
		if la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		i += na
		j += nb
	}
	switch {
	case len(a)-i < len(b)-j:
		return -1
	case len(a)-i > len(b)-j:
		return 1
	}
	return strings.Compare(a, b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
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
