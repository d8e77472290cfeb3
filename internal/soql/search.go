package soql

import (
	"strconv"
	"strings"
)

// Search is a parsed SOSL statement, as the REST API's search resource
// accepts it:
//
//	FIND {term} [IN ALL FIELDS] [RETURNING Obj(f1, f2 WHERE ... ORDER BY ... LIMIT n), Obj2]
//	[WITH ...] [LIMIT n] [UPDATE TRACKING|VIEWSTAT]
type Search struct {
	// Term is the search term as written between the braces, escapes and
	// all; Expr is its parsed form. String prints Term, or Expr when Term
	// is empty (a hand-built search).
	Term string
	Expr SearchExpr
	// In is the field group searched: ALL, NAME, EMAIL, PHONE or SIDEBAR;
	// "" when the statement has no IN clause (which means ALL).
	In        string
	Returning []*Returning
	With      []SearchOption
	Limit     *int
	Update    string // TRACKING or VIEWSTAT; "" when none
}

// Returning is one object of a RETURNING clause, with what to return of it.
type Returning struct {
	Object  string
	Fields  []Expr // *Field, or toLabel / convertCurrency / FORMAT calls; nil returns Ids only
	Where   Cond
	OrderBy []OrderItem
	Limit   *int
	Offset  *int
	Pos     Pos
}

// SearchOption is a WITH clause: WITH DIVISION = 'Global' (Name DIVISION,
// Value a *StringLit), WITH HIGHLIGHT (no Value), WITH SNIPPET
// (target_length=120) (Value a *NumberLit), WITH NETWORK IN ('0DB...')
// (Value a *ListLit), WITH SPELL_CORRECTION = false (a *BoolLit), WITH
// METADATA = 'LABELS', WITH PRICEBOOKID = '01s...', WITH USER_MODE,
// SYSTEM_MODE or SECURITY_ENFORCED. Name is in upper case.
type SearchOption struct {
	Name  string
	Value Expr
}

// SearchExpr is a parsed search term: *SearchWord or *SearchBinary.
type SearchExpr interface {
	searchExpr()
}

// SearchWord is a word or a "quoted phrase" of a search term. Text is as
// written (without the quotes of a phrase): * and ? are wildcards and a
// backslash escapes the character after it.
type SearchWord struct {
	Text   string
	Phrase bool
}

// SearchOp joins two search terms.
type SearchOp string

// The search term operators. Words written side by side are joined by AND.
const (
	SearchAnd    SearchOp = "AND"
	SearchOr     SearchOp = "OR"
	SearchAndNot SearchOp = "AND NOT"
)

// SearchBinary is Left Op Right.
type SearchBinary struct {
	Op          SearchOp
	Left, Right SearchExpr
}

func (*SearchWord) searchExpr()   {}
func (*SearchBinary) searchExpr() {}

// Messages of MALFORMED_SEARCH errors.
const (
	msgNoSearchTerm = "No search term found. The search term must be enclosed in braces."
	msgShortTerm    = "search term must be longer than one character: %s"
)

// searchGroups are the IN ... FIELDS groups.
var searchGroups = setOf("ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR")

// ParseSearch parses a SOSL statement. Its errors are *Error values with code
// MALFORMED_SEARCH and Salesforce's messages.
func ParseSearch(search string) (*Search, error) {
	l := newLexer(search, CodeMalformedSearch)
	find, err := l.next()
	if err != nil {
		return nil, err
	}
	if find.kind != tokIdent || !strings.EqualFold(find.text, "FIND") {
		return nil, errorf(CodeMalformedSearch, search, find.pos, "unexpected token: '%s'", find.describe())
	}
	l.skipSpace()
	if l.peekByte(0) != '{' {
		return nil, errorf(CodeMalformedSearch, search, Pos{}, msgNoSearchTerm)
	}
	termPos := Pos{l.line, l.col + 1}
	end, ok := closingBrace(search, l.off+1)
	if !ok {
		return nil, errorf(CodeMalformedSearch, search, Pos{}, msgNoSearchTerm)
	}
	s := &Search{Term: search[l.off+1 : end]}
	if s.Expr, err = parseTerm(s.Term, search, termPos); err != nil {
		return nil, err
	}
	l.advance(end + 1 - l.off)
	toks, err := l.all()
	if err != nil {
		return nil, err
	}
	p := &parser{src: search, toks: toks, code: CodeMalformedSearch}
	if err := p.searchClauses(s); err != nil {
		return nil, err
	}
	return s, nil
}

// closingBrace returns the offset of the } that ends the term starting at
// i, skipping escaped characters.
func closingBrace(s string, i int) (int, bool) {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '}':
			return i, true
		}
	}
	return 0, false
}

func (p *parser) searchClauses(s *Search) error {
	if p.acceptKw("IN") {
		t := p.peek()
		g := strings.ToUpper(t.text)
		if t.kind != tokIdent || !searchGroups[g] {
			return p.unexpected()
		}
		p.i++
		if err := p.expectKw("FIELDS"); err != nil {
			return err
		}
		s.In = g
	}
	if p.acceptKw("RETURNING") {
		for {
			r, err := p.returning()
			if err != nil {
				return err
			}
			s.Returning = append(s.Returning, r)
			if !p.accept(tokComma) {
				break
			}
		}
	}
	for p.acceptKw("WITH") {
		o, err := p.searchOption()
		if err != nil {
			return err
		}
		s.With = append(s.With, o)
	}
	if p.acceptKw("LIMIT") {
		n, err := p.integer()
		if err != nil {
			return err
		}
		s.Limit = &n
	}
	if p.acceptKw("UPDATE") {
		t := p.peek()
		u := strings.ToUpper(t.text)
		if t.kind != tokIdent || (u != "TRACKING" && u != "VIEWSTAT") {
			return p.unexpected()
		}
		p.i++
		s.Update = u
	}
	if p.peek().kind != tokEOF {
		return p.unexpected()
	}
	return nil
}

// returning parses Obj or Obj(fields [WHERE] [ORDER BY] [LIMIT] [OFFSET]).
func (p *parser) returning() (*Returning, error) {
	t, err := p.ident()
	if err != nil {
		return nil, err
	}
	r := &Returning{Object: t.text, Pos: t.pos}
	if !p.accept(tokLParen) {
		return r, nil
	}
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		r.Fields = append(r.Fields, e)
		if !p.accept(tokComma) {
			break
		}
	}
	if p.acceptKw("WHERE") {
		if r.Where, err = p.condition(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("ORDER") {
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		if r.OrderBy, err = p.orderBy(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("LIMIT") {
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		r.Limit = &n
	}
	if p.acceptKw("OFFSET") {
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		r.Offset = &n
	}
	return r, p.expect(tokRParen)
}

// searchOption parses what follows WITH.
func (p *parser) searchOption() (SearchOption, error) {
	t := p.peek()
	name := strings.ToUpper(t.text)
	if t.kind != tokIdent {
		return SearchOption{}, p.unexpected()
	}
	p.i++
	o := SearchOption{Name: name}
	var err error
	switch name {
	case "HIGHLIGHT", "USER_MODE", "SYSTEM_MODE", "SECURITY_ENFORCED":
	case "SNIPPET":
		if p.accept(tokLParen) {
			if !p.acceptKw("target_length") {
				return o, p.unexpected()
			}
			if err := p.expectEquals(); err != nil {
				return o, err
			}
			if o.Value, err = p.number(); err != nil {
				return o, err
			}
			err = p.expect(tokRParen)
		}
	case "NETWORK":
		if p.acceptKw("IN") {
			o.Value, err = p.list(true)
			break
		}
		o.Value, err = p.optionString()
	case "DIVISION", "METADATA", "PRICEBOOKID":
		o.Value, err = p.optionString()
	case "SPELL_CORRECTION":
		if err := p.expectEquals(); err != nil {
			return o, err
		}
		t := p.peek()
		w := strings.ToUpper(t.text)
		if t.kind != tokIdent || (w != "TRUE" && w != "FALSE") {
			return o, p.unexpected()
		}
		p.i++
		o.Value = &BoolLit{Value: w == "TRUE", Pos: t.pos}
	default:
		return o, p.unexpectedAt(p.i - 1)
	}
	return o, err
}

func (p *parser) expectEquals() error {
	if t := p.peek(); t.kind != tokOp || t.text != "=" {
		return p.unexpected()
	}
	p.i++
	return nil
}

// optionString parses = 'value'.
func (p *parser) optionString() (Expr, error) {
	if err := p.expectEquals(); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tokString {
		return nil, p.unexpected()
	}
	p.i++
	return &StringLit{Value: t.str, Pos: t.pos}, nil
}

// String prints the statement as SOSL that ParseSearch reads back to the same
// AST.
func (s *Search) String() string {
	var b strings.Builder
	b.WriteString("FIND {")
	if s.Term != "" || s.Expr == nil {
		b.WriteString(s.Term)
	} else {
		writeSearchExpr(&b, s.Expr, false)
	}
	b.WriteString("}")
	if s.In != "" {
		b.WriteString(" IN " + s.In + " FIELDS")
	}
	for i, r := range s.Returning {
		if i == 0 {
			b.WriteString(" RETURNING ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(r.Object)
		if r.Fields == nil {
			continue
		}
		b.WriteString("(")
		writeExprs(&b, r.Fields)
		writeWhere(&b, r.Where)
		writeOrderLimit(&b, r.OrderBy, r.Limit, r.Offset)
		b.WriteString(")")
	}
	for _, o := range s.With {
		b.WriteString(" WITH " + o.Name)
		switch v := o.Value.(type) {
		case nil:
		case *ListLit:
			b.WriteString(" IN ")
			writeExpr(&b, v)
		case *NumberLit:
			b.WriteString("(target_length=" + v.Text + ")")
		default:
			b.WriteString(" = ")
			writeExpr(&b, v)
		}
	}
	if s.Limit != nil {
		b.WriteString(" LIMIT " + strconv.Itoa(*s.Limit))
	}
	if s.Update != "" {
		b.WriteString(" UPDATE " + s.Update)
	}
	return b.String()
}

func writeSearchExpr(b *strings.Builder, e SearchExpr, nested bool) {
	switch e := e.(type) {
	case *SearchWord:
		if e.Phrase {
			b.WriteString(`"` + e.Text + `"`)
		} else {
			b.WriteString(e.Text)
		}
	case *SearchBinary:
		if nested {
			b.WriteString("(")
		}
		writeSearchExpr(b, e.Left, true)
		b.WriteString(" " + string(e.Op) + " ")
		writeSearchExpr(b, e.Right, true)
		if nested {
			b.WriteString(")")
		}
	}
}
