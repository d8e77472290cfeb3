package workflow

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfid"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// A filter is a compiled condition tree. It renders as a SOQL WHERE clause
// and evaluates in Go against a queried record, with SOQL's semantics, so
// that the sync engine can tell that an updated record stopped matching
// without another query (docs/adr/0061-conditions.md).
type filter interface {
	cond() soql.Cond
	eval(e *evalContext) (bool, error)
	paths() []string
}

// evalContext is what evaluating a filter needs besides the record.
type evalContext struct {
	record mapping.Record
	now    time.Time
	loc    *time.Location
	week   time.Weekday
}

type allFilter []filter
type anyFilter []filter
type notFilter struct{ f filter }

func (fs allFilter) cond() soql.Cond { return group(soql.And, fs) }
func (fs anyFilter) cond() soql.Cond { return group(soql.Or, fs) }
func (n notFilter) cond() soql.Cond  { return &soql.Not{Cond: n.f.cond()} }

// group joins children with op. A NOT inside a group is wrapped in a group
// of its own, which prints it in parentheses: "a AND (NOT b = 'x')", the
// form Salesforce documents.
func group(op soql.LogicOp, fs []filter) soql.Cond {
	if len(fs) == 1 {
		return fs[0].cond()
	}
	l := &soql.Logic{Op: op}
	for _, f := range fs {
		c := f.cond()
		if _, isNot := c.(*soql.Not); isNot {
			c = &soql.Logic{Op: op, Conds: []soql.Cond{c}}
		}
		l.Conds = append(l.Conds, c)
	}
	return l
}

func (fs allFilter) eval(e *evalContext) (bool, error) {
	for _, f := range fs {
		if ok, err := f.eval(e); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (fs anyFilter) eval(e *evalContext) (bool, error) {
	for _, f := range fs {
		if ok, err := f.eval(e); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (n notFilter) eval(e *evalContext) (bool, error) {
	ok, err := n.f.eval(e)
	return !ok, err
}

func (fs allFilter) paths() []string { return childPaths(fs) }
func (fs anyFilter) paths() []string { return childPaths(fs) }
func (n notFilter) paths() []string  { return n.f.paths() }

func childPaths(fs []filter) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.paths()...)
	}
	return out
}

// comparison is one compiled field comparison.
type comparison struct {
	path  string // canonical field path
	field *salesforce.Field
	op    Operator
	vals  []mapping.Value // the values, typed like the field
	date  *dateLiteral    // a relative date instead of vals
	sets  [][]string      // includes / excludes: each value's ";"-separated parts
	like  *regexp.Regexp
	lits  []soql.Expr // the values as SOQL literals
}

func (c *comparison) paths() []string { return []string{c.path} }

var soqlOps = map[Operator]soql.Op{
	OpEq: soql.OpEqual, OpNe: soql.OpNotEqual, OpLt: soql.OpLess, OpLe: soql.OpLessEqual, OpGt: soql.OpGreater,
	OpGe: soql.OpGreaterEqual, OpLike: soql.OpLike, OpIn: soql.OpIn, OpNotIn: soql.OpNotIn,
	OpIncludes: soql.OpIncludes, OpExcludes: soql.OpExcludes, OpIsNull: soql.OpEqual, OpIsNotNull: soql.OpNotEqual,
}

func (c *comparison) cond() soql.Cond {
	cmp := &soql.Comparison{Left: &soql.Field{Path: strings.Split(c.path, ".")}, Op: soqlOps[c.op]}
	switch {
	case !c.op.takesValue():
		cmp.Right = &soql.NullLit{}
	case c.op.takesList():
		cmp.Right = &soql.ListLit{Values: c.lits}
	default:
		cmp.Right = c.lits[0]
	}
	return cmp
}

// whereText prints a condition as the text of a WHERE clause, with the
// soql package's printer (which escapes literals as Salesforce expects).
func whereText(c soql.Cond) string {
	q := (&soql.Query{Select: []soql.SelectItem{&soql.SelectExpr{Expr: &soql.Field{Path: []string{"Id"}}}}, From: "X", Where: c}).String()
	return strings.TrimPrefix(q, "SELECT Id FROM X WHERE ")
}

// nullMatches is what an operator gives when the field is null. SOQL
// treats null as a value: "!= x" and "NOT IN" match it, ordering and LIKE
// do not.
var nullMatches = map[Operator]bool{OpNe: true, OpNotIn: true, OpExcludes: true, OpIsNull: true}

func (c *comparison) eval(e *evalContext) (bool, error) {
	raw, _ := e.record.Get(c.path)
	v, err := mapping.FromSalesforce(c.field, raw)
	if err != nil {
		return false, fmt.Errorf("evaluating %s: %w", c.path, err)
	}
	if c.field.Type == "boolean" && v.IsNull() {
		v = mapping.Bool(false) // SOQL: a checkbox is never null
	}
	// Salesforce stores an empty text or multi-select value as null.
	if v.IsNull() || v.Kind() == mapping.KindText && v.Str() == "" || v.Kind() == mapping.KindList && len(v.Items()) == 0 {
		return nullMatches[c.op], nil
	}
	switch c.op {
	case OpIsNull:
		return false, nil
	case OpIsNotNull:
		return true, nil
	case OpLike:
		return c.like.MatchString(v.Str()), nil
	case OpIn, OpNotIn:
		in := false
		for _, lit := range c.vals {
			in = in || c.compare(v, lit) == 0
		}
		return in == (c.op == OpIn), nil
	case OpIncludes, OpExcludes:
		return c.includes(v) == (c.op == OpIncludes), nil
	}
	var d int
	if c.date != nil {
		d = c.compareRange(v, e)
	} else {
		d = c.compare(v, c.vals[0])
	}
	switch c.op {
	case OpEq:
		return d == 0, nil
	case OpNe:
		return d != 0, nil
	case OpLt:
		return d < 0, nil
	case OpLe:
		return d <= 0, nil
	case OpGt:
		return d > 0, nil
	}
	return d >= 0, nil // OpGe
}

// compare orders a field value against a literal of the same kind: text
// ignoring case (SOQL compares case-insensitively), record IDs by their
// 18-character form, numbers exactly, multi-select values as sets.
func (c *comparison) compare(v, lit mapping.Value) int {
	switch v.Kind() {
	case mapping.KindText:
		a, b := v.Str(), lit.Str()
		if c.field.Type == "id" || c.field.Type == "reference" {
			if x, err := sfid.To18(a); err == nil {
				a = x // the literal is in its 18-character form already
			}
		}
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	case mapping.KindNumber:
		return v.Rat().Cmp(lit.Rat())
	case mapping.KindBool:
		if v.BoolValue() == lit.BoolValue() {
			return 0
		}
		return 1
	case mapping.KindDate, mapping.KindDateTime, mapping.KindTime:
		return v.Time().Compare(lit.Time())
	case mapping.KindList:
		if sameSet(v.Items(), lit.Items()) {
			return 0
		}
		return 1
	}
	return 1
}

// compareRange places a date or datetime against a relative date's range:
// -1 before it, 0 inside, 1 after.
func (c *comparison) compareRange(v mapping.Value, e *evalContext) int {
	// A date is a calendar day: it is compared with the days the range
	// covers; a datetime with its instants.
	start, end := c.date.bounds(e.now, e.loc, e.week, v.Kind() == mapping.KindDate)
	t := v.Time()
	switch {
	case t.Before(start):
		return -1
	case t.Before(end):
		return 0
	}
	return 1
}

// includes reports whether a multi-select value has every part of at
// least one of the condition's values ('a;b' means a and b).
func (c *comparison) includes(v mapping.Value) bool {
	have := map[string]bool{}
	for _, it := range v.Items() {
		have[strings.ToLower(it)] = true
	}
	for _, set := range c.sets {
		all := true
		for _, p := range set {
			all = all && have[strings.ToLower(p)]
		}
		if all {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[strings.ToLower(x)]++
	}
	for _, x := range b {
		seen[strings.ToLower(x)]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// ---- compiling comparisons ----

// operatorProblem says why an operator does not apply to a field type, or
// returns "" when it does.
func operatorProblem(fieldType string, op Operator) (problem, hint string) {
	kind, _ := mapping.FieldKind(fieldType)
	textual := kind == mapping.KindText
	ordered := kind == mapping.KindNumber || kind == mapping.KindDate || kind == mapping.KindDateTime ||
		(textual && fieldType != "picklist")
	if kind == mapping.KindTime {
		return "sfbridge cannot filter on time fields yet (its SOQL layer has no time literal)",
			"filter in the sheet, or on another field"
	}
	if kind == mapping.KindAddress || kind == mapping.KindLocation {
		return "Salesforce filters compound fields only by DISTANCE(), which workflows do not support",
			"filter on one of its parts (BillingCity, BillingPostalCode ...)"
	}
	switch op {
	case OpIsNull, OpIsNotNull:
		if fieldType == "boolean" {
			return "a checkbox is never empty in Salesforce", "compare it with false instead (op: \"=\", value: false)"
		}
	case OpLt, OpLe, OpGt, OpGe:
		if !ordered {
			return fmt.Sprintf("%s fields have no order", fieldType), "use =, != or in"
		}
	case OpLike:
		if !textual || fieldType == "id" || fieldType == "reference" {
			return fmt.Sprintf("like matches text, and %s %s field is not text", article(fieldType), fieldType), "use = or in"
		}
	case OpIn, OpNotIn:
		if fieldType == "boolean" || fieldType == "multipicklist" {
			hint := "use = true or = false"
			if fieldType == "multipicklist" {
				hint = "use includes or excludes"
			}
			return fmt.Sprintf("%s does not apply to %s fields", op, fieldType), hint
		}
	case OpIncludes, OpExcludes:
		if fieldType != "multipicklist" {
			return fmt.Sprintf("%s only applies to multi-select picklists", op), "use in or not in"
		}
	}
	return "", ""
}

// article returns "a" or "an" for a word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// maxLiteral is SOQL's limit on one string literal in a WHERE clause.
const maxLiteral = 4000

// literal reads one condition value for a field: its typed value and SOQL
// form. A non-nil error is the problem's message; hint says how to fix it.
func literal(f *salesforce.Field, op Operator, raw any) (v mapping.Value, lit soql.Expr, hint string, err error) {
	text, ok := scalarText(raw)
	if !ok {
		return v, nil, "", errors.New("expected a single value")
	}
	kind, _ := mapping.FieldKind(f.Type)
	switch kind {
	case mapping.KindText, mapping.KindList:
		if n := utf8.RuneCountInString(text); n > maxLiteral {
			return v, nil, "", fmt.Errorf("%d characters; SOQL takes at most %d in one value", n, maxLiteral)
		}
		switch {
		case op == OpLike:
			return mapping.Text(text), &soql.StringLit{Value: text}, "", nil
		case f.Type == "id" || f.Type == "reference":
			id, err := sfid.To18(text)
			if err != nil {
				return v, nil, "write a 15- or 18-character record ID", fmt.Errorf("%q is not a Salesforce record ID", text)
			}
			return mapping.Text(id), &soql.StringLit{Value: id}, "", nil
		case f.Type == "picklist" || f.Type == "multipicklist":
			canon, hint, err := picklistValue(f, text)
			if err != nil {
				return v, nil, hint, err
			}
			if kind == mapping.KindList {
				return mapping.List(strings.Split(canon, ";")...), &soql.StringLit{Value: canon}, "", nil
			}
			return mapping.Text(canon), &soql.StringLit{Value: canon}, "", nil
		}
		return mapping.Text(text), &soql.StringLit{Value: text}, "", nil
	case mapping.KindNumber:
		n, err := mapping.Number(text)
		if err != nil {
			return v, nil, "write a number like 10000 or 12.5", fmt.Errorf("%q is not a number", text)
		}
		return n, &soql.NumberLit{Text: n.Str()}, "", nil
	case mapping.KindBool:
		switch strings.ToLower(text) {
		case "true", "false":
			b := strings.EqualFold(text, "true")
			return mapping.Bool(b), &soql.BoolLit{Value: b}, "", nil
		}
		return v, nil, "write true or false", fmt.Errorf("%q is not true or false", text)
	case mapping.KindDate:
		if t, err := time.Parse("2006-01-02", text); err == nil {
			return mapping.Date(t), &soql.DateLit{Date: t}, "", nil
		}
		return v, nil, "write a date like 2024-01-31, or a relative date like LAST_N_DAYS:30", fmt.Errorf("%q is not a date", text)
	case mapping.KindDateTime:
		if t, err := time.Parse(time.RFC3339, text); err == nil {
			dt := mapping.DateTime(t)
			return dt, &soql.DateTimeLit{Time: dt.Time()}, "", nil
		}
		hint := "write a datetime with its zone, like 2024-01-31T09:00:00Z, or a relative date like LAST_N_DAYS:30"
		if _, err := time.Parse("2006-01-02", text); err == nil {
			hint = fmt.Sprintf("a datetime field needs a time and a zone: write %sT00:00:00Z, or use a relative date such as TODAY", text)
		}
		return v, nil, hint, fmt.Errorf("%q is not a datetime", text)
	}
	return v, nil, "", fmt.Errorf("%s fields cannot be compared", f.Type)
}

// scalarText returns a condition value as text.
func scalarText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return x, true
	case bool:
		return fmt.Sprint(x), true
	case fmt.Stringer: // json.Number
		return x.String(), true
	}
	return "", false
}

// picklistValue returns the picklist's spelling of a value ("a;b" for
// multi-select: each part), or says it has no such (active) value.
func picklistValue(f *salesforce.Field, text string) (canon, hint string, err error) {
	var out []string
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		found := false
		var active []string
		for _, p := range f.PicklistValues {
			if p.Active {
				active = append(active, p.Value)
			}
			if strings.EqualFold(p.Value, part) {
				if !p.Active {
					return "", "remove it, or reactivate it in Salesforce", fmt.Errorf("%q is an inactive value of %s", part, f.Name)
				}
				out = append(out, p.Value)
				found = true
			}
		}
		if !found {
			hint = didYouMean(part, active)
			if hint == "" {
				hint = "values are: " + sample(active, 8)
			}
			return "", hint, fmt.Errorf("%s has no value %q", f.Name, part)
		}
	}
	return strings.Join(out, ";"), "", nil
}

// likeRegexp compiles a LIKE pattern for Go: % is any run, _ any one
// character, \% and \_ literal; case-insensitive, as SOQL's LIKE is.
func likeRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\' && i+1 < len(rs) && (rs[i+1] == '%' || rs[i+1] == '_'):
			b.WriteString(regexp.QuoteMeta(string(rs[i+1])))
			i++
		case r == '%':
			b.WriteString(`.*`)
		case r == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}
