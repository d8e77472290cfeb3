package formula

import (
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNumber
	tokString
	tokIdent // a name or a dotted path: Amount, Account.Name, IF
	tokOp    // + - * / ^ & = == != <> < <= > >= && || !
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokKind
	text string // operator, name, number, or the unquoted string value
	pos  int    // 1-based character position
}

// lex splits src into tokens. Comments (/* ... */) and white space are
// skipped.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	col := func(i int) int { return utf8.RuneCountInString(src[:i]) + 1 }
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, errorf(col(i), "Syntax error. Missing '*/'")
			}
			i += end + 4
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			start := i
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				i++
			}
			if strings.Count(src[start:i], ".") > 1 {
				return nil, errorf(col(start), "Syntax error. Found '%s'", src[start:i])
			}
			toks = append(toks, token{kind: tokNumber, text: src[start:i], pos: col(start)})
		case c == '"' || c == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				d := src[i]
				if d == '\\' && i+1 < len(src) {
					switch e := src[i+1]; e {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					default:
						b.WriteByte(e)
					}
					i += 2
					continue
				}
				i++
				if d == c {
					closed = true
					break
				}
				b.WriteByte(d)
			}
			if !closed {
				return nil, errorf(col(start), "Syntax error. Missing %c", c)
			}
			toks = append(toks, token{kind: tokString, text: b.String(), pos: col(start)})
		case isIdentStart(c):
			start := i
			for i < len(src) && (isIdentStart(src[i]) || src[i] >= '0' && src[i] <= '9' ||
				src[i] == '.' && i+1 < len(src) && isIdentStart(src[i+1])) {
				i++
			}
			toks = append(toks, token{kind: tokIdent, text: src[start:i], pos: col(start)})
		case c == '(':
			toks = append(toks, token{kind: tokLParen, text: "(", pos: col(i)})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, text: ")", pos: col(i)})
			i++
		case c == ',':
			toks = append(toks, token{kind: tokComma, text: ",", pos: col(i)})
			i++
		default:
			op := ""
			for _, o := range []string{"==", "!=", "<>", "<=", ">=", "&&", "||", "+", "-", "*", "/", "^", "&", "=", "<", ">", "!"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, errorf(col(i), "Syntax error. Found '%c'", r)
			}
			toks = append(toks, token{kind: tokOp, text: op, pos: col(i)})
			i += len(op)
		}
	}
	return append(toks, token{kind: tokEOF, pos: col(len(src))}), nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}
