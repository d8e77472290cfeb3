package soql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// String prints the query as SOQL that Parse reads back to the same AST:
// keywords in upper case, one space between elements, strings re-escaped.
func (q *Query) String() string {
	var b strings.Builder
	writeQuery(&b, q)
	return b.String()
}

func writeQuery(b *strings.Builder, q *Query) {
	b.WriteString("SELECT ")
	for i, it := range q.Select {
		if i > 0 {
			b.WriteString(", ")
		}
		writeSelectItem(b, it)
	}
	b.WriteString(" FROM ")
	b.WriteString(q.From)
	if q.Alias != "" {
		b.WriteString(" " + q.Alias)
	}
	if q.Scope != "" {
		b.WriteString(" USING SCOPE " + q.Scope)
	}
	writeWhere(b, q.Where)
	if q.With != "" {
		b.WriteString(" WITH " + q.With)
	}
	writeGroupBy(b, q)
	writeOrderLimit(b, q.OrderBy, q.Limit, q.Offset)
	if q.For != "" {
		b.WriteString(" FOR " + q.For)
	}
	if q.Update != "" {
		b.WriteString(" UPDATE " + q.Update)
	}
}

func writeWhere(b *strings.Builder, where Cond) {
	if where != nil {
		b.WriteString(" WHERE ")
		writeCond(b, where)
	}
}

func writeGroupBy(b *strings.Builder, q *Query) {
	if len(q.GroupBy) == 0 {
		return
	}
	b.WriteString(" GROUP BY ")
	switch q.Grouping {
	case GroupRollup:
		b.WriteString("ROLLUP(")
	case GroupCube:
		b.WriteString("CUBE(")
	}
	writeExprs(b, q.GroupBy)
	if q.Grouping != GroupPlain {
		b.WriteString(")")
	}
	if q.Having != nil {
		b.WriteString(" HAVING ")
		writeCond(b, q.Having)
	}
}

// writeOrderLimit prints ORDER BY, LIMIT and OFFSET, which a query shares
// with a SOSL RETURNING object.
func writeOrderLimit(b *strings.Builder, order []OrderItem, limit, offset *int) {
	if len(order) > 0 {
		b.WriteString(" ORDER BY ")
		writeOrderBy(b, order)
	}
	if limit != nil {
		b.WriteString(" LIMIT " + strconv.Itoa(*limit))
	}
	if offset != nil {
		b.WriteString(" OFFSET " + strconv.Itoa(*offset))
	}
}

func writeOrderBy(b *strings.Builder, order []OrderItem) {
	for i, o := range order {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, o.Expr)
		if o.Desc {
			b.WriteString(" DESC")
		} else {
			b.WriteString(" ASC")
		}
		switch o.Nulls {
		case NullsFirst:
			b.WriteString(" NULLS FIRST")
		case NullsLast:
			b.WriteString(" NULLS LAST")
		}
	}
}

func writeSelectItem(b *strings.Builder, it SelectItem) {
	switch it := it.(type) {
	case *SelectExpr:
		writeExpr(b, it.Expr)
		if it.Alias != "" {
			b.WriteString(" " + it.Alias)
		}
	case *TypeOf:
		b.WriteString("TYPEOF " + it.Field)
		for _, w := range it.Whens {
			b.WriteString(" WHEN " + w.Type + " THEN ")
			writeFields(b, w.Fields)
		}
		if it.Else != nil {
			b.WriteString(" ELSE ")
			writeFields(b, it.Else)
		}
		b.WriteString(" END")
	case *SubQuery:
		writeExpr(b, it)
	case *FieldsFunc:
		b.WriteString("FIELDS(" + string(it.Kind) + ")")
	}
}

func writeFields(b *strings.Builder, fields []*Field) {
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name())
	}
}

func writeExprs(b *strings.Builder, es []Expr) {
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, e)
	}
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Field:
		b.WriteString(e.Name())
	case *Call:
		b.WriteString(e.Name + "(")
		writeExprs(b, e.Args)
		b.WriteString(")")
	case *StringLit:
		b.WriteString(quote(e.Value, false))
	case *NumberLit:
		b.WriteString(e.Text)
	case *BoolLit:
		if e.Value {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case *NullLit:
		b.WriteString("NULL")
	case *DateLit:
		b.WriteString(e.Date.Format(time.DateOnly))
	case *DateTimeLit:
		b.WriteString(e.Time.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"))
	case *CurrencyLit:
		b.WriteString(e.Currency + e.Amount)
	case *ListLit:
		b.WriteString("(")
		writeExprs(b, e.Values)
		b.WriteString(")")
	case *DateLiteral:
		b.WriteString(e.Name)
		if ok, takesN := IsDateLiteral(e.Name); ok && takesN {
			b.WriteString(":" + strconv.Itoa(e.N))
		}
	case *SubQuery:
		b.WriteString("(")
		writeQuery(b, e.Query)
		b.WriteString(")")
	}
}

func writeCond(b *strings.Builder, c Cond) {
	switch c := c.(type) {
	case *Logic:
		for i, sub := range c.Conds {
			if i > 0 {
				b.WriteString(" " + string(c.Op) + " ")
			}
			writeNested(b, sub)
		}
	case *Not:
		b.WriteString("NOT ")
		writeNested(b, c.Cond)
	case *Comparison:
		writeExpr(b, c.Left)
		b.WriteString(" " + string(c.Op) + " ")
		if s, ok := c.Right.(*StringLit); ok && c.Op == OpLike {
			b.WriteString(quote(s.Value, true))
		} else {
			writeExpr(b, c.Right)
		}
	}
}

// writeNested prints a condition inside another: groups get parentheses.
func writeNested(b *strings.Builder, c Cond) {
	if _, ok := c.(*Logic); ok {
		b.WriteString("(")
		writeCond(b, c)
		b.WriteString(")")
		return
	}
	writeCond(b, c)
}

// quote returns s as a SOQL string literal. A LIKE pattern keeps its \%,
// \_ and \\ pairs.
func quote(s string, pattern bool) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if pattern && i+1 < len(s) && (s[i+1] == '%' || s[i+1] == '_' || s[i+1] == '\\') {
				b.WriteString(s[i : i+2])
				i++
			} else {
				b.WriteString(`\\`)
			}
		case '\'':
			b.WriteString(`\'`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}
