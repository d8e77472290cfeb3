package soql

import (
	"strings"
	"time"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokDate
	tokDateTime
	tokOp // = != <> < <= > >=
	tokLParen
	tokRParen
	tokComma
	tokDot
	tokColon
	tokMinus
	tokPlus
)

// token is one lexical element. Keywords are identifiers: SOQL keywords are
// case-insensitive and most of them are not reserved, so the parser decides.
type token struct {
	kind tokenKind
	text string // the source text
	str  string // tokString: the decoded value
	like string // tokString: the value as a LIKE pattern (\%, \_, \\ kept)
	t    time.Time
	pos  Pos
	off  int // byte offset of the first character
	end  int // byte offset after the last character
}

// lexer turns query text into tokens. It reports positions in characters,
// like Salesforce.
type lexer struct {
	src       string
	off       int
	line, col int
	code      Code // error code for the errors it reports
}

func newLexer(src string, code Code) *lexer {
	return &lexer{src: src, line: 1, col: 1, code: code}
}

// all returns every remaining token, ending with tokEOF.
func (l *lexer) all() ([]token, error) {
	var toks []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		if t.kind == tokEOF {
			return toks, nil
		}
	}
}

func (l *lexer) peekByte(i int) byte {
	if l.off+i < len(l.src) {
		return l.src[l.off+i]
	}
	return 0
}

// advance moves over n bytes, keeping line and column.
func (l *lexer) advance(n int) {
	end := l.off + n
	for l.off < end {
		r, size := utf8.DecodeRuneInString(l.src[l.off:])
		l.off += size
		if r == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
	}
}

func (l *lexer) skipSpace() {
	for l.off < len(l.src) {
		switch l.src[l.off] {
		case ' ', '\t', '\n', '\r', '\f':
			l.advance(1)
		default:
			return
		}
	}
}

// unexpected reports a character the lexer does not know, the way
// Salesforce's lexer does: "line 1:15 unexpected token: '$'", the column in
// the message counted from 0.
func (l *lexer) unexpected(what string) error {
	return errorf(l.code, l.src, Pos{l.line, l.col}, "line %d:%d unexpected token: '%s'", l.line, l.col-1, what)
}

func (l *lexer) next() (token, error) {
	l.skipSpace()
	t := token{pos: Pos{l.line, l.col}, off: l.off}
	if l.off >= len(l.src) {
		t.kind = tokEOF
		t.end = l.off
		return t, nil
	}
	c := l.src[l.off]
	n := 1
	switch {
	case isIdentStart(c):
		t.kind = tokIdent
		for n < len(l.src)-l.off && isIdentPart(l.src[l.off+n]) {
			n++
		}
	case isDigit(c):
		return l.number(t)
	case c == '\'':
		return l.string(t)
	case c == '(':
		t.kind = tokLParen
	case c == ')':
		t.kind = tokRParen
	case c == ',':
		t.kind = tokComma
	case c == '.':
		t.kind = tokDot
	case c == ':':
		t.kind = tokColon
	case c == '-':
		t.kind = tokMinus
	case c == '+':
		t.kind = tokPlus
	case c == '=':
		t.kind = tokOp
	case c == '!':
		if l.peekByte(1) != '=' {
			return t, l.unexpected("!")
		}
		t.kind, n = tokOp, 2
	case c == '<':
		t.kind = tokOp
		if b := l.peekByte(1); b == '=' || b == '>' {
			n = 2
		}
	case c == '>':
		t.kind = tokOp
		if l.peekByte(1) == '=' {
			n = 2
		}
	default:
		r, _ := utf8.DecodeRuneInString(l.src[l.off:])
		return t, l.unexpected(string(r))
	}
	t.text = l.src[l.off : l.off+n]
	l.advance(n)
	t.end = l.off
	return t, nil
}

// number lexes an integer, a decimal, a date or a datetime.
func (l *lexer) number(t token) (token, error) {
	s := l.src[l.off:]
	if isDateAt(s) {
		return l.date(t)
	}
	n := digits(s, 0)
	if n+1 < len(s) && s[n] == '.' && isDigit(s[n+1]) {
		n = digits(s, n+1)
	}
	t.kind, t.text = tokNumber, s[:n]
	l.advance(n)
	t.end = l.off
	return t, nil
}

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// isDateAt tells whether s starts like a date: four digits, a dash, two
// digits, a dash, two digits.
func isDateAt(s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := range 10 {
		switch i {
		case 4, 7:
			if s[i] != '-' {
				return false
			}
		default:
			if !isDigit(s[i]) {
				return false
			}
		}
	}
	return true
}

// date lexes 2024-01-31 or a datetime: 2024-01-31T10:00:00Z,
// 2024-01-31T10:00:00.000+01:00, ...-0800.
func (l *lexer) date(t token) (token, error) {
	s := l.src[l.off:]
	n := 10
	for n < len(s) && (isIdentPart(s[n]) || s[n] == ':' || s[n] == '.' || s[n] == '+' || s[n] == '-') {
		n++
	}
	text := s[:n]
	t.text = text
	if n == 10 {
		d, err := time.Parse(time.DateOnly, text)
		if err != nil {
			return t, errorf(l.code, l.src, t.pos, "Invalid date: %s", text)
		}
		t.kind, t.t = tokDate, d
	} else {
		dt, ok := parseDateTime(text)
		if !ok {
			return t, errorf(l.code, l.src, t.pos, "Invalid datetime: %s", text)
		}
		t.kind, t.t = tokDateTime, dt
	}
	l.advance(n)
	t.end = l.off
	return t, nil
}

// parseDateTime parses the SOQL dateTime forms: a T (either case), hours,
// minutes, seconds, optional fractional seconds, and a zone that is Z or an
// offset (+hh:mm, -hh:mm, +hhmm).
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < 20 || (s[10] != 'T' && s[10] != 't') {
		return time.Time{}, false
	}
	norm := s[:10] + "T" + s[11:]
	if last := norm[len(norm)-1]; last == 'z' {
		norm = norm[:len(norm)-1] + "Z"
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05.999999999Z0700",
	} {
		if t, err := time.Parse(layout, norm); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// string lexes a quoted string and decodes its escapes: \' \" \\ \n \r \t
// \b \f \uXXXX, and \% \_ which keep their backslash in the LIKE form.
func (l *lexer) string(t token) (token, error) {
	var val, like strings.Builder
	i := l.off + 1
	for {
		if i >= len(l.src) {
			return t, l.unexpected("'")
		}
		c := l.src[i]
		if c == '\'' {
			i++
			break
		}
		if c != '\\' {
			val.WriteByte(c)
			like.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(l.src) {
			return t, l.unexpected("'")
		}
		e := l.src[i+1]
		var r rune
		switch e {
		case '\'', '"':
			r = rune(e)
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case '\\', '%', '_':
			val.WriteByte(e)
			like.WriteByte('\\')
			like.WriteByte(e)
			i += 2
			continue
		case 'u':
			if v, ok := hex4(l.src, i+2); ok {
				r = v
				i += 4
				break
			}
			fallthrough
		default:
			_, size := utf8.DecodeRuneInString(l.src[i+1:])
			return t, errorf(l.code, l.src, t.pos,
				"Invalid string literal '%s'. Illegal character sequence '%s' in string literal.",
				literalAround(l.src, t.off), l.src[i:i+1+size])
		}
		val.WriteRune(r)
		like.WriteRune(r)
		i += 2
	}
	t.kind = tokString
	t.text = l.src[l.off:i]
	t.str, t.like = val.String(), like.String()
	l.advance(i - l.off)
	t.end = l.off
	return t, nil
}

// literalAround returns the body of the string literal starting at off, for
// error messages: up to the closing quote or the end of the line.
func literalAround(src string, off int) string {
	s := src[off+1:]
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\'', '\n':
			return s[:i]
		}
	}
	return s
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// describe returns how a token is shown in "unexpected token" messages.
func (t token) describe() string {
	if t.kind == tokEOF {
		return "<EOF>"
	}
	return t.text
}
