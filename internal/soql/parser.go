package soql

import (
	"strconv"
	"strings"
)

// Limits the parser enforces, as Salesforce does.
const (
	// MaxOffset is the largest OFFSET Salesforce accepts.
	MaxOffset = 2000
	// MaxFieldsLimit is the largest LIMIT allowed with FIELDS(ALL) and
	// FIELDS(CUSTOM).
	MaxFieldsLimit = 200
	// maxNesting bounds parentheses and subqueries, so that hostile input
	// cannot exhaust the stack.
	maxNesting = 64
	// maxDateN bounds the n of LAST_N_DAYS:n and friends.
	maxDateN = 100000
)

// reserved are the SOQL reserved words: they cannot name a field or an alias.
var reserved = setOf("AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN",
	"INCLUDES", "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH")

// clauseWords start a clause after FROM, so they cannot be an object alias.
var clauseWords = setOf("USING", "WHERE", "WITH", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET",
	"FOR", "UPDATE", "ALL")

// scopes are the USING SCOPE filter scopes, in their canonical spelling.
var scopes = canonical("delegated", "everything", "mine", "mine_and_my_groups", "my_territory",
	"my_team_territory", "team", "scopingRule")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// canonical maps the upper-case form of each word to the word.
func canonical(words ...string) map[string]string {
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[strings.ToUpper(w)] = w
	}
	return m
}

// Parse parses a SOQL query as the REST API's query resource accepts it. Its
// errors are *Error values with Salesforce's codes and messages.
func Parse(query string) (*Query, error) {
	toks, err := newLexer(query, CodeMalformedQuery).all()
	if err != nil {
		return nil, err
	}
	p := &parser{src: query, toks: toks, code: CodeMalformedQuery}
	q, err := p.query(false)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if p.isKw(t, "ALL") && p.isKw(p.peekAt(1), "ROWS") {
			return nil, errorf(p.code, p.src, t.pos, "ALL ROWS not allowed in this context")
		}
		return nil, p.unexpected()
	}
	return q, nil
}

type parser struct {
	src       string
	toks      []token
	i         int
	code      Code
	nesting   int
	callDepth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isKw(t token, kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) accept(k tokenKind) bool {
	if p.peek().kind == k {
		p.i++
		return true
	}
	return false
}

// unexpected reports the current token. Like Salesforce, the error points at
// the token before the unexpected one (SELECT Id FRM Account points at FRM).
func (p *parser) unexpected() error {
	return p.unexpectedAt(p.i)
}

func (p *parser) unexpectedAt(i int) error {
	t := p.toks[i]
	pos := t.pos
	if i > 0 {
		pos = p.toks[i-1].pos
	}
	return errorf(p.code, p.src, pos, "unexpected token: '%s'", t.describe())
}

func (p *parser) expectKw(kw string) error {
	if !p.acceptKw(kw) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) expect(k tokenKind) error {
	if !p.accept(k) {
		return p.unexpected()
	}
	return nil
}

// enter guards nesting depth; leave must follow.
func (p *parser) enter() error {
	p.nesting++
	if p.nesting > maxNesting {
		return p.unexpected()
	}
	return nil
}

func (p *parser) leave() { p.nesting-- }

// ident reads a name that is not a reserved word.
func (p *parser) ident() (token, error) {
	t := p.peek()
	if t.kind != tokIdent || reserved[strings.ToUpper(t.text)] {
		return t, p.unexpected()
	}
	p.i++
	return t, nil
}

// query parses SELECT ... up to the end of its clauses. A subquery stops
// before its closing parenthesis.
func (p *parser) query(sub bool) (*Query, error) {
	q := &Query{Pos: p.peek().pos}
	if err := p.expectKw("SELECT"); err != nil {
		return nil, err
	}
	var err error
	if q.Select, err = p.selectList(); err != nil {
		return nil, err
	}
	if err := p.expectKw("FROM"); err != nil {
		return nil, err
	}
	if err := p.from(q, sub); err != nil {
		return nil, err
	}
	if p.acceptKw("USING") {
		if err := p.expectKw("SCOPE"); err != nil {
			return nil, err
		}
		t := p.peek()
		s, ok := scopes[strings.ToUpper(t.text)]
		if t.kind != tokIdent || !ok {
			return nil, p.unexpected()
		}
		p.i++
		q.Scope = s
	}
	if p.acceptKw("WHERE") {
		if q.Where, err = p.condition(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("WITH") {
		t := p.peek()
		w := strings.ToUpper(t.text)
		if t.kind != tokIdent || (w != "SECURITY_ENFORCED" && w != "USER_MODE" && w != "SYSTEM_MODE") {
			return nil, p.unexpected()
		}
		p.i++
		q.With = w
	}
	if p.acceptKw("GROUP") {
		if err := p.groupBy(q); err != nil {
			return nil, err
		}
		if p.acceptKw("HAVING") {
			if q.Having, err = p.condition(); err != nil {
				return nil, err
			}
		}
	}
	if p.acceptKw("ORDER") {
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		if q.OrderBy, err = p.orderBy(); err != nil {
			return nil, err
		}
	}
	if p.acceptKw("LIMIT") {
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		q.Limit = &n
	}
	if p.acceptKw("OFFSET") {
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		if n > MaxOffset {
			return nil, errorf(CodeNumberOutsideValidRange, p.src, Pos{}, "Maximum SOQL offset allowed is %d", MaxOffset)
		}
		q.Offset = &n
	}
	if p.acceptKw("FOR") {
		t := p.peek()
		f := strings.ToUpper(t.text)
		if t.kind != tokIdent || (f != "VIEW" && f != "REFERENCE" && f != "UPDATE") {
			return nil, p.unexpected()
		}
		p.i++
		q.For = f
	}
	if p.acceptKw("UPDATE") {
		t := p.peek()
		u := strings.ToUpper(t.text)
		if t.kind != tokIdent || (u != "TRACKING" && u != "VIEWSTAT") {
			return nil, p.unexpected()
		}
		p.i++
		q.Update = u
	}
	if err := p.check(q, sub); err != nil {
		return nil, err
	}
	return q, nil
}

// from parses the object (or, in a subquery, the relationship) and its alias.
func (p *parser) from(q *Query, sub bool) error {
	t := p.peek()
	if t.kind != tokIdent {
		return p.unexpected()
	}
	p.i++
	q.From, q.FromPos = t.text, t.pos
	for sub && p.peek().kind == tokDot {
		p.i++
		t, err := p.ident()
		if err != nil {
			return err
		}
		q.From += "." + t.text
	}
	if t := p.peek(); t.kind == tokIdent {
		w := strings.ToUpper(t.text)
		if !reserved[w] && !clauseWords[w] {
			p.i++
			q.Alias = t.text
		}
	}
	return nil
}

func (p *parser) selectList() ([]SelectItem, error) {
	var items []SelectItem
	for {
		it, err := p.selectItem()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if !p.accept(tokComma) {
			return items, nil
		}
	}
}

func (p *parser) selectItem() (SelectItem, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		return p.subQuery()
	case p.isKw(t, "TYPEOF") && p.peekAt(1).kind == tokIdent:
		return p.typeOf()
	case p.isKw(t, "FIELDS") && p.peekAt(1).kind == tokLParen:
		p.i += 2
		k := p.peek()
		kind := FieldsKind(strings.ToUpper(k.text))
		if k.kind != tokIdent || (kind != FieldsAll && kind != FieldsStandard && kind != FieldsCustom) {
			return nil, p.unexpected()
		}
		p.i++
		if err := p.expect(tokRParen); err != nil {
			return nil, err
		}
		return &FieldsFunc{Kind: kind, Pos: t.pos}, nil
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	se := &SelectExpr{Expr: e}
	if a := p.peek(); a.kind == tokIdent && !reserved[strings.ToUpper(a.text)] {
		p.i++
		se.Alias = a.text
	}
	return se, nil
}

// subQuery parses (SELECT ...).
func (p *parser) subQuery() (*SubQuery, error) {
	t := p.peek()
	if err := p.expect(tokLParen); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	q, err := p.query(true)
	if err != nil {
		return nil, err
	}
	if err := p.expect(tokRParen); err != nil {
		return nil, err
	}
	return &SubQuery{Query: q, Pos: t.pos}, nil
}

// typeOf parses TYPEOF rel WHEN Type THEN fields ... [ELSE fields] END.
func (p *parser) typeOf() (*TypeOf, error) {
	start := p.next()
	rel, err := p.ident()
	if err != nil {
		return nil, err
	}
	to := &TypeOf{Field: rel.text, Pos: start.pos}
	for p.isKw(p.peek(), "WHEN") {
		w := p.next()
		typ := p.peek() // an object name: Group is one, though GROUP is reserved
		if typ.kind != tokIdent {
			return nil, p.unexpected()
		}
		p.i++
		if err := p.expectKw("THEN"); err != nil {
			return nil, err
		}
		fields, err := p.fieldList()
		if err != nil {
			return nil, err
		}
		to.Whens = append(to.Whens, TypeOfWhen{Type: typ.text, Fields: fields, Pos: w.pos})
	}
	if len(to.Whens) == 0 {
		return nil, p.unexpected()
	}
	if p.acceptKw("ELSE") {
		if to.Else, err = p.fieldList(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("END"); err != nil {
		return nil, err
	}
	return to, nil
}

func (p *parser) fieldList() ([]*Field, error) {
	var fields []*Field
	for {
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
		if !p.accept(tokComma) {
			return fields, nil
		}
	}
}

// field parses a dotted path of names.
func (p *parser) field() (*Field, error) {
	t, err := p.ident()
	if err != nil {
		return nil, err
	}
	f := &Field{Path: []string{t.text}, Pos: t.pos}
	for p.peek().kind == tokDot {
		p.i++
		t, err := p.ident()
		if err != nil {
			return nil, err
		}
		f.Path = append(f.Path, t.text)
	}
	return f, nil
}

// expr parses a field or a function call.
func (p *parser) expr() (Expr, error) {
	t := p.peek()
	if t.kind == tokIdent && p.peekAt(1).kind == tokLParen {
		return p.call()
	}
	return p.field()
}

func (p *parser) call() (*Call, error) {
	t := p.next()
	fn, ok := functions[strings.ToUpper(t.text)]
	if !ok || p.callDepth >= maxCallDepth {
		return nil, p.unexpected()
	}
	p.i++ // (
	p.callDepth++
	defer func() { p.callDepth-- }()
	c := &Call{Name: fn.name, Pos: t.pos}
	if p.peek().kind != tokRParen {
		for {
			if len(c.Args) == fn.max {
				return nil, p.unexpected()
			}
			a, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, a)
			if !p.accept(tokComma) {
				break
			}
		}
	}
	if len(c.Args) < fn.min {
		return nil, p.unexpected()
	}
	if err := p.expect(tokRParen); err != nil {
		return nil, err
	}
	return c, nil
}

// arg parses a function argument: a field, a call, a number or a string
// (GEOLOCATION(37.7, -122.4), DISTANCE(Location__c, ..., 'mi')).
func (p *parser) arg() (Expr, error) {
	switch t := p.peek(); t.kind {
	case tokIdent:
		return p.expr()
	case tokString:
		p.i++
		return &StringLit{Value: t.str, Pos: t.pos}, nil
	case tokNumber, tokMinus, tokPlus:
		return p.number()
	}
	return nil, p.unexpected()
}

// number parses a number with an optional sign written against it.
func (p *parser) number() (*NumberLit, error) {
	t := p.peek()
	sign := ""
	if t.kind == tokMinus || t.kind == tokPlus {
		n := p.peekAt(1)
		if n.kind != tokNumber || n.off != t.end {
			return nil, p.unexpected()
		}
		if t.kind == tokMinus {
			sign = "-"
		}
		p.i++
	}
	n := p.peek()
	if n.kind != tokNumber {
		return nil, p.unexpected()
	}
	p.i++
	pos := t.pos
	return &NumberLit{Text: sign + n.text, Pos: pos}, nil
}

// integer parses the non-negative integer of LIMIT and OFFSET.
func (p *parser) integer() (int, error) {
	t := p.peek()
	if t.kind != tokNumber || strings.Contains(t.text, ".") {
		return 0, p.unexpected()
	}
	n, err := strconv.Atoi(t.text)
	if err != nil {
		return 0, p.unexpected()
	}
	p.i++
	return n, nil
}

func (p *parser) groupBy(q *Query) error {
	if err := p.expectKw("BY"); err != nil {
		return err
	}
	paren := false
	if t := p.peek(); (p.isKw(t, "ROLLUP") || p.isKw(t, "CUBE")) && p.peekAt(1).kind == tokLParen {
		q.Grouping = GroupRollup
		if p.isKw(t, "CUBE") {
			q.Grouping = GroupCube
		}
		p.i += 2
		paren = true
	}
	for {
		e, err := p.expr()
		if err != nil {
			return err
		}
		q.GroupBy = append(q.GroupBy, e)
		if !p.accept(tokComma) {
			break
		}
	}
	if paren {
		return p.expect(tokRParen)
	}
	return nil
}

func (p *parser) orderBy() ([]OrderItem, error) {
	var items []OrderItem
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		it := OrderItem{Expr: e}
		if p.acceptKw("DESC") {
			it.Desc = true
		} else {
			p.acceptKw("ASC")
		}
		if p.acceptKw("NULLS") {
			switch {
			case p.acceptKw("FIRST"):
				it.Nulls = NullsFirst
			case p.acceptKw("LAST"):
				it.Nulls = NullsLast
			default:
				return nil, p.unexpected()
			}
		}
		items = append(items, it)
		if !p.accept(tokComma) {
			return items, nil
		}
	}
}

// condition parses conditions joined by AND or by OR. Mixing the two
// without parentheses is an error, as in Salesforce.
func (p *parser) condition() (Cond, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	var l *Logic
	for {
		t := p.peek()
		var op LogicOp
		switch {
		case p.isKw(t, "AND"):
			op = And
		case p.isKw(t, "OR"):
			op = Or
		default:
			if l == nil {
				return first, nil
			}
			return l, nil
		}
		if l == nil {
			l = &Logic{Op: op, Conds: []Cond{first}}
		} else if l.Op != op {
			return nil, p.unexpected()
		}
		p.i++
		c, err := p.unary()
		if err != nil {
			return nil, err
		}
		l.Conds = append(l.Conds, c)
	}
}

// unary parses NOT cond, (cond) or a comparison.
func (p *parser) unary() (Cond, error) {
	t := p.peek()
	switch {
	case p.isKw(t, "NOT"):
		p.i++
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		c, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Not{Cond: c, Pos: t.pos}, nil
	case t.kind == tokLParen:
		p.i++
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		c, err := p.condition()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tokRParen); err != nil {
			return nil, err
		}
		return c, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (*Comparison, error) {
	left, err := p.expr()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	c := &Comparison{Left: left, Pos: t.pos}
	switch {
	case t.kind == tokOp:
		c.Op = Op(t.text)
		if c.Op == "<>" {
			c.Op = OpNotEqual
		}
	case p.isKw(t, "LIKE"):
		c.Op = OpLike
	case p.isKw(t, "IN"):
		c.Op = OpIn
	case p.isKw(t, "INCLUDES"):
		c.Op = OpIncludes
	case p.isKw(t, "EXCLUDES"):
		c.Op = OpExcludes
	case p.isKw(t, "NOT") && p.isKw(p.peekAt(1), "IN"):
		c.Op = OpNotIn
		p.i++
	default:
		return nil, p.unexpected()
	}
	p.i++
	switch c.Op {
	case OpIn, OpNotIn:
		if p.peek().kind == tokLParen && p.isKw(p.peekAt(1), "SELECT") {
			c.Right, err = p.subQuery()
		} else {
			c.Right, err = p.list(false)
		}
	case OpIncludes, OpExcludes:
		c.Right, err = p.list(true)
	case OpLike:
		s := p.peek()
		if s.kind != tokString {
			return nil, p.unexpected()
		}
		p.i++
		c.Right = &StringLit{Value: s.like, Pos: s.pos}
	default:
		c.Right, err = p.value()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// list parses (v1, v2, ...); INCLUDES and EXCLUDES take strings only.
func (p *parser) list(stringsOnly bool) (*ListLit, error) {
	t := p.peek()
	if err := p.expect(tokLParen); err != nil {
		return nil, err
	}
	l := &ListLit{Pos: t.pos}
	for {
		if stringsOnly && p.peek().kind != tokString {
			return nil, p.unexpected()
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		l.Values = append(l.Values, v)
		if !p.accept(tokComma) {
			break
		}
	}
	if err := p.expect(tokRParen); err != nil {
		return nil, err
	}
	return l, nil
}

// value parses a literal on the right side of a comparison.
func (p *parser) value() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tokString:
		p.i++
		return &StringLit{Value: t.str, Pos: t.pos}, nil
	case tokNumber, tokMinus, tokPlus:
		return p.number()
	case tokDate:
		p.i++
		return &DateLit{Date: t.t, Pos: t.pos}, nil
	case tokDateTime:
		p.i++
		return &DateTimeLit{Time: t.t, Pos: t.pos}, nil
	case tokIdent:
		switch w := strings.ToUpper(t.text); {
		case w == "NULL":
			p.i++
			return &NullLit{Pos: t.pos}, nil
		case w == "TRUE" || w == "FALSE":
			p.i++
			return &BoolLit{Value: w == "TRUE", Pos: t.pos}, nil
		case dateLiterals[w].unit != 0:
			return p.dateLiteral()
		}
		if c, ok := p.currency(); ok {
			return c, nil
		}
	}
	return nil, p.unexpected()
}

func (p *parser) dateLiteral() (*DateLiteral, error) {
	t := p.next()
	d := &DateLiteral{Name: strings.ToUpper(t.text), Pos: t.pos}
	if !dateLiterals[d.Name].takesN {
		return d, nil
	}
	if err := p.expect(tokColon); err != nil {
		return nil, err
	}
	n, err := p.integer()
	if err != nil {
		return nil, err
	}
	if n > maxDateN {
		return nil, p.unexpectedAt(p.i - 1)
	}
	d.N = n
	return d, nil
}

// currency parses USD5000, USD5000.50 or USD-500, tokens written together.
func (p *parser) currency() (*CurrencyLit, bool) {
	t := p.peek()
	if len(t.text) < 3 || !isLetters(t.text[:3]) {
		return nil, false
	}
	c := &CurrencyLit{Currency: strings.ToUpper(t.text[:3]), Amount: t.text[3:], Pos: t.pos}
	n := 1
	switch {
	case c.Amount == "":
		m, num := p.peekAt(1), p.peekAt(2)
		if m.kind != tokMinus || m.off != t.end || num.kind != tokNumber || num.off != m.end {
			return nil, false
		}
		c.Amount, n = "-"+num.text, 3
	case !isDigits(c.Amount):
		return nil, false
	default:
		dot, num := p.peekAt(1), p.peekAt(2)
		if dot.kind == tokDot && dot.off == t.end && num.kind == tokNumber && num.off == dot.end && isDigits(num.text) {
			c.Amount += "." + num.text
			n = 3
		}
	}
	p.i += n
	return c, true
}

func isLetters(s string) bool {
	for i := range len(s) {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
