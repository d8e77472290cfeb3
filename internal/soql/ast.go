package soql

import (
	"strconv"
	"strings"
	"time"
)

// Pos is a position in the query text: a 1-based line and a 1-based column
// counted in characters. The zero Pos means "no position" (hand-built nodes).
type Pos struct {
	Line, Col int
}

// Query is a parsed SOQL SELECT statement, or a parent-to-child subquery in a
// select list, or a semi-join subquery in a WHERE clause. Every field is
// exported so that a client can build a query by hand and print it with
// String.
type Query struct {
	Select []SelectItem
	// From is the object's API name (Account), or in a child subquery the
	// relationship name (Contacts), possibly qualified (Account.Contacts).
	From    string
	FromPos Pos
	Alias   string // FROM Account a; "" when none
	// Scope is the USING SCOPE filter scope, in its canonical spelling
	// (mine, everything, team, ...); "" when none.
	Scope string
	Where Cond // nil when no WHERE
	// With is SECURITY_ENFORCED, USER_MODE or SYSTEM_MODE; "" when none.
	With    string
	GroupBy []Expr
	// Grouping tells plain GROUP BY from GROUP BY ROLLUP(...) and CUBE(...).
	Grouping Grouping
	Having   Cond
	OrderBy  []OrderItem
	Limit    *int
	Offset   *int
	// For is VIEW, REFERENCE or UPDATE (FOR VIEW ...); "" when none.
	For string
	// Update is TRACKING or VIEWSTAT (UPDATE TRACKING ...); "" when none.
	Update string
	Pos    Pos // where SELECT is
}

// Grouping is the kind of GROUP BY clause.
type Grouping int

// The kinds of GROUP BY clause.
const (
	GroupPlain  Grouping = iota // GROUP BY a, b
	GroupRollup                 // GROUP BY ROLLUP(a, b)
	GroupCube                   // GROUP BY CUBE(a, b)
)

// SelectItem is one element of a select list: *SelectExpr, *TypeOf,
// *SubQuery or *FieldsFunc.
type SelectItem interface {
	selectItem()
}

// SelectExpr is a field or a function call in a select list, with its alias.
type SelectExpr struct {
	Expr  Expr // *Field or *Call
	Alias string
}

// TypeOf is a polymorphic relationship's TYPEOF expression:
//
//	TYPEOF What WHEN Account THEN Name, Phone WHEN Opportunity THEN Amount ELSE Name END
type TypeOf struct {
	Field string // the polymorphic relationship name (What)
	Whens []TypeOfWhen
	Else  []*Field // nil when there is no ELSE
	Pos   Pos
}

// TypeOfWhen is one WHEN branch of a TYPEOF.
type TypeOfWhen struct {
	Type   string
	Fields []*Field
	Pos    Pos
}

// SubQuery is a parenthesised SELECT: a child relationship query in a
// select list, or the right side of a semi-join or anti-join (Id IN (SELECT
// ...)).
type SubQuery struct {
	Query *Query
	Pos   Pos
}

// FieldsKind is the argument of FIELDS().
type FieldsKind string

// The FIELDS() groups.
const (
	FieldsAll      FieldsKind = "ALL"
	FieldsStandard FieldsKind = "STANDARD"
	FieldsCustom   FieldsKind = "CUSTOM"
)

// FieldsFunc is FIELDS(ALL), FIELDS(STANDARD) or FIELDS(CUSTOM).
type FieldsFunc struct {
	Kind FieldsKind
	Pos  Pos
}

func (*SelectExpr) selectItem() {}
func (*TypeOf) selectItem()     {}
func (*SubQuery) selectItem()   {}
func (*FieldsFunc) selectItem() {}

// Expr is a value: a field, a function call, a literal, a list of literals or
// a subquery (as the right side of IN).
type Expr interface {
	expr()
}

// Field is a field path: Name, Account.Name, Owner.Manager.Email, or a path
// starting with the FROM alias (a.Name).
type Field struct {
	Path []string
	Pos  Pos
}

// Name returns the dotted path.
func (f *Field) Name() string { return strings.Join(f.Path, ".") }

// Call is a function call: an aggregate (COUNT, SUM, ...), a date function
// (CALENDAR_YEAR, ...), toLabel, FORMAT, convertCurrency, convertTimezone,
// GROUPING, DISTANCE or GEOLOCATION. Name has the canonical spelling of the
// function (as the Salesforce documentation writes it), whatever the case
// in the query text.
type Call struct {
	Name string
	Args []Expr
	Pos  Pos
}

// Kind returns the family the function belongs to.
func (c *Call) Kind() FuncKind {
	if f, ok := functions[strings.ToUpper(c.Name)]; ok {
		return f.kind
	}
	return FuncUnknown
}

// StringLit is a quoted string. Value is the decoded string. As the right
// side of LIKE, Value is the pattern: % and _ are wildcards and the pairs \%,
// \_ and \\ stand for a literal %, _ and \.
type StringLit struct {
	Value string
	Pos   Pos
}

// NumberLit is an integer or decimal number, possibly negative. Text is its
// spelling (-12.50): numbers keep the precision they were written with.
type NumberLit struct {
	Text string
	Pos  Pos
}

// Float returns the number's value.
func (n *NumberLit) Float() float64 {
	f, _ := strconv.ParseFloat(n.Text, 64)
	return f
}

// IsInt tells whether the number is written without a decimal point.
func (n *NumberLit) IsInt() bool { return !strings.Contains(n.Text, ".") }

// BoolLit is TRUE or FALSE.
type BoolLit struct {
	Value bool
	Pos   Pos
}

// NullLit is NULL.
type NullLit struct {
	Pos Pos
}

// DateLit is a date (2024-01-31). Date is UTC midnight of that day.
type DateLit struct {
	Date time.Time
	Pos  Pos
}

// DateTimeLit is a date and time with a zone (2024-01-31T10:00:00Z,
// ...+01:00, ...T10:00:00.000Z). Time is in UTC.
type DateTimeLit struct {
	Time time.Time
	Pos  Pos
}

// CurrencyLit is an amount with an ISO currency code (USD5000, EUR-12.5),
// used in multi-currency orgs.
type CurrencyLit struct {
	Currency string // ISO 4217 code, upper case
	Amount   string // the number as written
	Pos      Pos
}

// ListLit is a parenthesised list of values, for IN, NOT IN, INCLUDES and
// EXCLUDES.
type ListLit struct {
	Values []Expr
	Pos    Pos
}

// DateLiteral is a relative date literal such as TODAY, LAST_N_DAYS:30 or
// THIS_FISCAL_QUARTER. Name is in upper case; N is the :n argument of the
// literals that take one (0 for the others). Range evaluates it.
type DateLiteral struct {
	Name string
	N    int
	Pos  Pos
}

func (*Field) expr()       {}
func (*Call) expr()        {}
func (*StringLit) expr()   {}
func (*NumberLit) expr()   {}
func (*BoolLit) expr()     {}
func (*NullLit) expr()     {}
func (*DateLit) expr()     {}
func (*DateTimeLit) expr() {}
func (*CurrencyLit) expr() {}
func (*ListLit) expr()     {}
func (*DateLiteral) expr() {}
func (*SubQuery) expr()    {}

// Cond is a condition of a WHERE or HAVING clause: *Logic, *Not or
// *Comparison.
type Cond interface {
	cond()
}

// LogicOp is AND or OR.
type LogicOp string

// The logical operators.
const (
	And LogicOp = "AND"
	Or  LogicOp = "OR"
)

// Logic is a run of conditions joined by the same operator. Salesforce
// refuses to mix AND and OR without parentheses, so a parenthesised group
// becomes a nested Logic.
type Logic struct {
	Op    LogicOp
	Conds []Cond
}

// Not is NOT followed by a condition.
type Not struct {
	Cond Cond
	Pos  Pos
}

// Op is a comparison operator.
type Op string

// The comparison operators. <> is parsed as OpNotEqual.
const (
	OpEqual        Op = "="
	OpNotEqual     Op = "!="
	OpLess         Op = "<"
	OpLessEqual    Op = "<="
	OpGreater      Op = ">"
	OpGreaterEqual Op = ">="
	OpLike         Op = "LIKE"
	OpIn           Op = "IN"
	OpNotIn        Op = "NOT IN"
	OpIncludes     Op = "INCLUDES"
	OpExcludes     Op = "EXCLUDES"
)

// Comparison is Left Op Right: Name = 'Acme', Id IN (SELECT ...),
// CALENDAR_YEAR(CreatedDate) > 2020, COUNT(Id) > 1 (in HAVING).
type Comparison struct {
	Left  Expr // *Field or *Call
	Op    Op
	Right Expr
	Pos   Pos // where the operator is
}

func (*Logic) cond()      {}
func (*Not) cond()        {}
func (*Comparison) cond() {}

// NullsOrder says where ORDER BY puts nulls.
type NullsOrder int

// The places of nulls. NullsDefault means first when ascending, last when
// descending.
const (
	NullsDefault NullsOrder = iota
	NullsFirst
	NullsLast
)

// OrderItem is one key of ORDER BY.
type OrderItem struct {
	Expr  Expr // *Field or *Call
	Desc  bool
	Nulls NullsOrder
}

// NullsFirst tells whether nulls sort before the other values for this key.
func (o OrderItem) NullsFirst() bool {
	switch o.Nulls {
	case NullsFirst:
		return true
	case NullsLast:
		return false
	}
	return !o.Desc
}

// IsCount tells whether the query is SELECT COUNT() ..., whose result has
// only a totalSize.
func (q *Query) IsCount() bool {
	if len(q.Select) != 1 {
		return false
	}
	se, ok := q.Select[0].(*SelectExpr)
	if !ok {
		return false
	}
	c, ok := se.Expr.(*Call)
	return ok && strings.EqualFold(c.Name, "COUNT") && len(c.Args) == 0
}

// IsAggregate tells whether the query returns AggregateResult rows: it has a
// GROUP BY, or aggregate functions in its select list. SELECT COUNT() is
// not an aggregate query (see IsCount).
func (q *Query) IsAggregate() bool {
	if len(q.GroupBy) > 0 {
		return true
	}
	if q.IsCount() {
		return false
	}
	for _, it := range q.Select {
		if se, ok := it.(*SelectExpr); ok && containsAggregate(se.Expr) {
			return true
		}
	}
	return false
}

func containsAggregate(e Expr) bool {
	c, ok := e.(*Call)
	if !ok {
		return false
	}
	if k := c.Kind(); k == FuncAggregate || k == FuncGrouping {
		return true
	}
	for _, a := range c.Args {
		if containsAggregate(a) {
			return true
		}
	}
	return false
}

// ColumnNames returns the output name of every select item, in order, as
// the REST API names the members of a result record:
//   - an alias when there is one;
//   - in an aggregate query, unaliased aggregates and date functions are
//     expr0, expr1, ... in the order they appear, and a field is named by the
//     last element of its path (Account.Name gives Name);
//   - otherwise a field is named by its dotted path (Account.Name), and
//     toLabel, FORMAT and convertCurrency take the name of their argument;
//   - TYPEOF and a child subquery are named by their relationship;
//   - FIELDS() and COUNT() give "" (FIELDS expands to many columns; COUNT()
//     only sets totalSize).
func (q *Query) ColumnNames() []string {
	agg := q.IsAggregate()
	names := make([]string, len(q.Select))
	expr := 0
	for i, it := range q.Select {
		switch it := it.(type) {
		case *SelectExpr:
			switch {
			case it.Alias != "":
				names[i] = it.Alias
			case agg && exprNamed(it.Expr):
				names[i] = "expr" + strconv.Itoa(expr)
				expr++
			default:
				names[i] = exprName(it.Expr, agg)
			}
		case *TypeOf:
			names[i] = it.Field
		case *SubQuery:
			names[i] = lastElem(it.Query.From)
		}
	}
	return names
}

// exprNamed tells whether an unaliased select expression of an aggregate
// query gets an exprN name: anything but a plain field or a field wrapped
// in toLabel, FORMAT or convertCurrency.
func exprNamed(e Expr) bool {
	c, ok := e.(*Call)
	if !ok {
		return false
	}
	if c.Kind() == FuncWrapper && len(c.Args) == 1 {
		return exprNamed(c.Args[0])
	}
	return true
}

func exprName(e Expr, agg bool) string {
	switch e := e.(type) {
	case *Field:
		if agg {
			return e.Path[len(e.Path)-1]
		}
		return e.Name()
	case *Call:
		if e.Kind() == FuncWrapper && len(e.Args) == 1 {
			return exprName(e.Args[0], agg)
		}
	}
	return ""
}

func lastElem(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
