package soql

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// termToken is an element of a search term: a word, a phrase, a parenthesis
// or an operator.
type termToken struct {
	kind   termKind
	text   string
	offset int // in the term
}

type termKind int

const (
	termEnd termKind = iota
	termWord
	termPhrase
	termLParen
	termRParen
	termAnd
	termOr
	termNot
)

// parseTerm parses the search term of FIND {term}. src and pos are the
// whole statement and where the term starts in it, for error positions.
func parseTerm(term, src string, pos Pos) (SearchExpr, error) {
	if significant(term) < 2 {
		return nil, errorf(CodeMalformedSearch, src, Pos{}, msgShortTerm, strings.TrimSpace(term))
	}
	toks, err := lexTerm(term)
	if err != nil {
		return nil, errorf(CodeMalformedSearch, src, termPos(pos, term, len(term)), "%s", err.Error())
	}
	tp := &termParser{toks: toks, term: term, src: src, pos: pos}
	e, err := tp.or()
	if err != nil {
		return nil, err
	}
	if tp.peek().kind != termEnd {
		return nil, tp.unexpected()
	}
	return e, nil
}

// significant counts the characters of a term that are not blanks,
// wildcards, quotes, parentheses or escapes.
func significant(term string) int {
	n := 0
	for _, r := range term {
		switch {
		case unicode.IsSpace(r), strings.ContainsRune(`*?"()\`, r):
		default:
			n++
		}
	}
	return n
}

var errUnterminatedPhrase = errors.New("unterminated quoted phrase in search term")

func lexTerm(term string) ([]termToken, error) {
	var toks []termToken
	i := 0
	for {
		for i < len(term) && isTermSpace(term[i]) {
			i++
		}
		if i >= len(term) {
			return append(toks, termToken{kind: termEnd, offset: i}), nil
		}
		start := i
		switch term[i] {
		case '(':
			toks = append(toks, termToken{termLParen, "(", i})
			i++
			continue
		case ')':
			toks = append(toks, termToken{termRParen, ")", i})
			i++
			continue
		case '"':
			i++
			for i < len(term) && term[i] != '"' {
				if term[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(term) {
				return nil, errUnterminatedPhrase
			}
			toks = append(toks, termToken{termPhrase, term[start+1 : i], start})
			i++
			continue
		}
		for i < len(term) && !isTermSpace(term[i]) && term[i] != '(' && term[i] != ')' && term[i] != '"' {
			if term[i] == '\\' && i+1 < len(term) {
				_, size := utf8.DecodeRuneInString(term[i+1:])
				i += size
			}
			i++
		}
		w := term[start:i]
		kind := termWord
		switch strings.ToUpper(w) {
		case "AND":
			kind = termAnd
		case "OR":
			kind = termOr
		case "NOT":
			kind = termNot
		}
		toks = append(toks, termToken{kind, w, start})
	}
}

func isTermSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// termPos returns the statement position of byte off of the term.
func termPos(start Pos, term string, off int) Pos {
	p := start
	for _, r := range term[:off] {
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

type termParser struct {
	toks  []termToken
	i     int
	term  string
	src   string
	pos   Pos
	depth int
}

func (tp *termParser) peek() termToken { return tp.toks[tp.i] }

func (tp *termParser) unexpected() error {
	t := tp.peek()
	text := t.text
	if t.kind == termEnd {
		text = "<EOF>"
	}
	return errorf(CodeMalformedSearch, tp.src, termPos(tp.pos, tp.term, t.offset), "unexpected token: '%s'", text)
}

func (tp *termParser) or() (SearchExpr, error) {
	left, err := tp.and()
	if err != nil {
		return nil, err
	}
	for tp.peek().kind == termOr {
		tp.i++
		right, err := tp.and()
		if err != nil {
			return nil, err
		}
		left = &SearchBinary{Op: SearchOr, Left: left, Right: right}
	}
	return left, nil
}

func (tp *termParser) and() (SearchExpr, error) {
	left, err := tp.unary()
	if err != nil {
		return nil, err
	}
	for {
		op := SearchAnd
		switch tp.peek().kind {
		case termAnd:
			tp.i++
			if tp.peek().kind == termNot {
				tp.i++
				op = SearchAndNot
			}
		case termWord, termPhrase, termLParen:
		default:
			return left, nil
		}
		right, err := tp.unary()
		if err != nil {
			return nil, err
		}
		left = &SearchBinary{Op: op, Left: left, Right: right}
	}
}

func (tp *termParser) unary() (SearchExpr, error) {
	t := tp.peek()
	switch t.kind {
	case termWord, termPhrase:
		tp.i++
		return &SearchWord{Text: t.text, Phrase: t.kind == termPhrase}, nil
	case termLParen:
		if tp.depth >= maxNesting {
			return nil, tp.unexpected()
		}
		tp.i++
		tp.depth++
		e, err := tp.or()
		tp.depth--
		if err != nil {
			return nil, err
		}
		if tp.peek().kind != termRParen {
			return nil, tp.unexpected()
		}
		tp.i++
		return e, nil
	}
	return nil, tp.unexpected()
}
