package soql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dump renders an AST as an indented tree without positions: two ASTs are
// the same when their dumps are equal. Golden files hold these dumps.
func dump(v any) string {
	var d dumper
	d.node(v, 0)
	return d.b.String()
}

type dumper struct{ b strings.Builder }

func (d *dumper) line(depth int, format string, args ...any) {
	d.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) node(v any, depth int) {
	switch v := v.(type) {
	case *Query:
		d.query(v, depth)
	case *Search:
		d.search(v, depth)
	case SelectItem:
		d.selectItem(v, depth)
	case Expr:
		d.expr(v, depth)
	case Cond:
		d.cond(v, depth)
	case SearchExpr:
		d.searchExpr(v, depth)
	default:
		d.line(depth, "?%T", v)
	}
}

func (d *dumper) query(q *Query, depth int) {
	d.line(depth, "Query")
	depth++
	d.line(depth, "Select")
	for _, it := range q.Select {
		d.selectItem(it, depth+1)
	}
	from := "From " + q.From
	if q.Alias != "" {
		from += " alias=" + q.Alias
	}
	d.line(depth, "%s", from)
	if q.Scope != "" {
		d.line(depth, "Scope %s", q.Scope)
	}
	if q.Where != nil {
		d.line(depth, "Where")
		d.cond(q.Where, depth+1)
	}
	if q.With != "" {
		d.line(depth, "With %s", q.With)
	}
	if len(q.GroupBy) > 0 {
		d.line(depth, "GroupBy %s", [...]string{"plain", "rollup", "cube"}[q.Grouping])
		for _, e := range q.GroupBy {
			d.expr(e, depth+1)
		}
	}
	if q.Having != nil {
		d.line(depth, "Having")
		d.cond(q.Having, depth+1)
	}
	d.orderLimit(q.OrderBy, q.Limit, q.Offset, depth)
	if q.For != "" {
		d.line(depth, "For %s", q.For)
	}
	if q.Update != "" {
		d.line(depth, "Update %s", q.Update)
	}
}

func (d *dumper) orderLimit(order []OrderItem, limit, offset *int, depth int) {
	if len(order) > 0 {
		d.line(depth, "OrderBy")
		for _, o := range order {
			dir := "asc"
			if o.Desc {
				dir = "desc"
			}
			d.line(depth+1, "Key %s nulls=%s", dir, [...]string{"default", "first", "last"}[o.Nulls])
			d.expr(o.Expr, depth+2)
		}
	}
	if limit != nil {
		d.line(depth, "Limit %d", *limit)
	}
	if offset != nil {
		d.line(depth, "Offset %d", *offset)
	}
}

func (d *dumper) selectItem(it SelectItem, depth int) {
	switch it := it.(type) {
	case *SelectExpr:
		if it.Alias != "" {
			d.line(depth, "As %s", it.Alias)
			depth++
		}
		d.expr(it.Expr, depth)
	case *TypeOf:
		d.line(depth, "TypeOf %s", it.Field)
		for _, w := range it.Whens {
			d.line(depth+1, "When %s: %s", w.Type, fieldNames(w.Fields))
		}
		if it.Else != nil {
			d.line(depth+1, "Else: %s", fieldNames(it.Else))
		}
	case *SubQuery:
		d.line(depth, "SubQuery")
		d.query(it.Query, depth+1)
	case *FieldsFunc:
		d.line(depth, "Fields %s", it.Kind)
	default:
		d.line(depth, "?%T", it)
	}
}

func fieldNames(fs []*Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name()
	}
	return strings.Join(names, ", ")
}

func (d *dumper) expr(e Expr, depth int) {
	switch e := e.(type) {
	case *Field:
		d.line(depth, "Field %s", e.Name())
	case *Call:
		d.line(depth, "Call %s", e.Name)
		for _, a := range e.Args {
			d.expr(a, depth+1)
		}
	case *StringLit:
		d.line(depth, "String %s", strconv.Quote(e.Value))
	case *NumberLit:
		d.line(depth, "Number %s", e.Text)
	case *BoolLit:
		d.line(depth, "Bool %t", e.Value)
	case *NullLit:
		d.line(depth, "Null")
	case *DateLit:
		d.line(depth, "Date %s", e.Date.Format(time.DateOnly))
	case *DateTimeLit:
		d.line(depth, "DateTime %s", e.Time.Format(time.RFC3339Nano))
	case *CurrencyLit:
		d.line(depth, "Currency %s %s", e.Currency, e.Amount)
	case *ListLit:
		d.line(depth, "List")
		for _, v := range e.Values {
			d.expr(v, depth+1)
		}
	case *DateLiteral:
		d.line(depth, "DateLiteral %s n=%d", e.Name, e.N)
	case *SubQuery:
		d.line(depth, "SubQuery")
		d.query(e.Query, depth+1)
	default:
		d.line(depth, "?%T", e)
	}
}

func (d *dumper) cond(c Cond, depth int) {
	switch c := c.(type) {
	case *Logic:
		d.line(depth, "%s", c.Op)
		for _, s := range c.Conds {
			d.cond(s, depth+1)
		}
	case *Not:
		d.line(depth, "NOT")
		d.cond(c.Cond, depth+1)
	case *Comparison:
		d.line(depth, "Compare %s", c.Op)
		d.expr(c.Left, depth+1)
		d.expr(c.Right, depth+1)
	default:
		d.line(depth, "?%T", c)
	}
}

func (d *dumper) search(s *Search, depth int) {
	d.line(depth, "Search")
	depth++
	d.line(depth, "Term %s", strconv.Quote(s.Term))
	d.searchExpr(s.Expr, depth+1)
	if s.In != "" {
		d.line(depth, "In %s", s.In)
	}
	for _, r := range s.Returning {
		d.line(depth, "Returning %s", r.Object)
		for _, f := range r.Fields {
			d.expr(f, depth+1)
		}
		if r.Where != nil {
			d.line(depth+1, "Where")
			d.cond(r.Where, depth+2)
		}
		d.orderLimit(r.OrderBy, r.Limit, r.Offset, depth+1)
	}
	for _, o := range s.With {
		d.line(depth, "With %s", o.Name)
		if o.Value != nil {
			d.expr(o.Value, depth+1)
		}
	}
	if s.Limit != nil {
		d.line(depth, "Limit %d", *s.Limit)
	}
	if s.Update != "" {
		d.line(depth, "Update %s", s.Update)
	}
}

func (d *dumper) searchExpr(e SearchExpr, depth int) {
	switch e := e.(type) {
	case *SearchWord:
		if e.Phrase {
			d.line(depth, "Phrase %s", strconv.Quote(e.Text))
		} else {
			d.line(depth, "Word %s", strconv.Quote(e.Text))
		}
	case *SearchBinary:
		d.line(depth, "%s", e.Op)
		d.searchExpr(e.Left, depth+1)
		d.searchExpr(e.Right, depth+1)
	case nil:
		d.line(depth, "<nil>")
	}
}
