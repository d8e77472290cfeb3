package query

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// aggPlan is the compiled form of an aggregate query (GROUP BY, or
// aggregate functions in the select list).
type aggPlan struct {
	groups   []*operand
	keys     []string // exprKey of each group
	grouping soql.Grouping
	aggs     []*aggSpec
	cols     []aggCol
	having   func(*aggRow) bool
	order    []aggOrder
}

// aggSpec is one aggregate function over the matching records.
type aggSpec struct {
	fn  string // COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX
	arg *operand
	key string
}

// aggCol is an output column of an AggregateResult row.
type aggCol struct {
	name     string
	value    func(*aggRow) any
	typ      schema.FieldType
	format   *schema.Field // FORMAT(...): format the value as this field
	labelOf  *schema.Field // toLabel(...) of a grouped picklist
	grouping bool
}

type aggOrder struct {
	value      func(*aggRow) any
	desc       bool
	nullsFirst bool
}

// aggRow is one group: its key values (nil where a ROLLUP or CUBE subtotal
// leaves a group out) and its accumulators.
type aggRow struct {
	keys []any
	mask uint64 // bit i set when group i is part of the row's key
	accs []acc
}

type acc struct {
	n        int64
	sum      float64
	has      bool
	min, max any
	distinct map[string]struct{}
}

// exprKey is a canonical text for an expression, to match a select item or
// an ORDER BY key with a GROUP BY expression or another aggregate.
func exprKey(p *plan, e soql.Expr) string {
	switch e := e.(type) {
	case *soql.Field:
		return strings.ToLower(strings.Join(trim(p, e.Path), "."))
	case *soql.Call:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = exprKey(p, a)
		}
		return strings.ToUpper(e.Name) + "(" + strings.Join(parts, ",") + ")"
	case *soql.NumberLit:
		return e.Text
	case *soql.StringLit:
		return strconv.Quote(e.Value)
	}
	return ""
}

// aggregate compiles an aggregate query's select list, GROUP BY, HAVING and
// ORDER BY.
func (c *compiler) aggregate(p *plan, q *soql.Query) (*aggPlan, error) {
	ap := &aggPlan{grouping: q.Grouping}
	for _, e := range q.GroupBy {
		op, err := c.operand(p, e)
		if err != nil {
			return nil, err
		}
		if op.field != nil && !op.field.Groupable {
			return nil, c.invalidField(exprPos(e), "field '%s' can not be grouped in a query call", op.field.Name)
		}
		ap.groups = append(ap.groups, op)
		ap.keys = append(ap.keys, exprKey(p, e))
	}
	if len(ap.groups) > 64 {
		return nil, c.malformed(q.Pos, "too many GROUP BY fields")
	}
	names := q.ColumnNames()
	for i, it := range q.Select {
		se, ok := it.(*soql.SelectExpr)
		if !ok {
			return nil, c.malformed(q.Pos, "only fields and aggregate functions can be selected in an aggregate query")
		}
		col, err := c.aggColumn(p, ap, se.Expr)
		if err != nil {
			return nil, err
		}
		col.name = names[i]
		if f, ok := se.Expr.(*soql.Field); ok && se.Alias == "" {
			if op, err := c.operand(p, f); err == nil && op.field != nil {
				col.name = op.field.Name
			}
		}
		ap.cols = append(ap.cols, col)
	}
	if q.Having != nil {
		h, err := c.havingCond(p, ap, q.Having)
		if err != nil {
			return nil, err
		}
		ap.having = h
	}
	for _, o := range q.OrderBy {
		v, _, err := c.rowValue(p, ap, o.Expr)
		if err != nil {
			return nil, err
		}
		ap.order = append(ap.order, aggOrder{value: v, desc: o.Desc, nullsFirst: o.NullsFirst()})
	}
	return ap, nil
}

// aggColumn compiles one select item of an aggregate query.
func (c *compiler) aggColumn(p *plan, ap *aggPlan, e soql.Expr) (aggCol, error) {
	if call, ok := e.(*soql.Call); ok {
		switch {
		case call.Kind() == soql.FuncGrouping:
			g := ap.group(exprKey(p, call.Args[0]))
			if g < 0 {
				return aggCol{}, c.malformed(call.Pos, "GROUPING() needs a GROUP BY ROLLUP or CUBE field: %s", exprKey(p, call.Args[0]))
			}
			return aggCol{typ: schema.TypeInt, grouping: true, value: func(r *aggRow) any {
				if r.mask&(1<<g) != 0 {
					return int64(0)
				}
				return int64(1)
			}}, nil
		case call.Kind() == soql.FuncWrapper:
			col, err := c.aggColumn(p, ap, call.Args[0])
			if err != nil {
				return aggCol{}, err
			}
			if arg, err := c.wrappedField(p, call.Args[0]); err == nil && arg != nil {
				switch call.Name {
				case "FORMAT":
					col.format = arg
				case "toLabel":
					col.labelOf = arg
				}
			}
			return col, nil
		}
	}
	v, typ, err := c.rowValue(p, ap, e)
	if err != nil {
		return aggCol{}, err
	}
	return aggCol{value: v, typ: typ}, nil
}

// wrappedField returns the field an aggregate or a field reads, for FORMAT
// and toLabel.
func (c *compiler) wrappedField(p *plan, e soql.Expr) (*schema.Field, error) {
	if call, ok := e.(*soql.Call); ok {
		if len(call.Args) == 0 {
			return nil, nil
		}
		e = call.Args[0]
	}
	op, err := c.operand(p, e)
	if err != nil {
		return nil, err
	}
	return op.field, nil
}

// group returns the index of the GROUP BY expression with the given key, or -1.
func (ap *aggPlan) group(key string) int { return slices.Index(ap.keys, key) }

// rowValue compiles an expression evaluated on a group: an aggregate, or a
// GROUP BY expression.
func (c *compiler) rowValue(p *plan, ap *aggPlan, e soql.Expr) (func(*aggRow) any, schema.FieldType, error) {
	key := exprKey(p, e)
	if call, ok := e.(*soql.Call); ok && call.Kind() == soql.FuncAggregate {
		spec, typ, err := c.aggSpec(p, call)
		if err != nil {
			return nil, "", err
		}
		i := slices.IndexFunc(ap.aggs, func(s *aggSpec) bool { return s.key == key })
		if i < 0 {
			spec.key = key
			ap.aggs = append(ap.aggs, spec)
			i = len(ap.aggs) - 1
		}
		return func(r *aggRow) any { return r.accs[i].result(spec) }, typ, nil
	}
	if g := ap.group(key); g >= 0 {
		return func(r *aggRow) any { return r.keys[g] }, ap.groups[g].typ, nil
	}
	name := key
	if f, ok := e.(*soql.Field); ok {
		name = f.Name()
	}
	return nil, "", c.malformed(exprPos(e), "Field must be grouped or aggregated: %s", name)
}

// aggSpec compiles an aggregate function and returns its result type.
func (c *compiler) aggSpec(p *plan, call *soql.Call) (*aggSpec, schema.FieldType, error) {
	spec := &aggSpec{fn: strings.ToUpper(call.Name)}
	if len(call.Args) == 0 {
		return spec, schema.TypeInt, nil
	}
	arg, err := c.operand(p, call.Args[0])
	if err != nil {
		return nil, "", err
	}
	spec.arg = arg
	switch spec.fn {
	case "COUNT", "COUNT_DISTINCT":
		return spec, schema.TypeInt, nil
	case "SUM", "AVG":
		if !isNumber(arg.typ) {
			return nil, "", c.malformed(call.Pos, "field %s does not support aggregate operator %s", arg.name, spec.fn)
		}
		if spec.fn == "SUM" && (arg.typ == schema.TypeInt || arg.typ == schema.TypeLong) {
			return spec, schema.TypeInt, nil
		}
		return spec, schema.TypeDouble, nil
	}
	if arg.field != nil && !arg.field.Aggregatable {
		return nil, "", c.malformed(call.Pos, "field %s does not support aggregate operator %s", arg.name, spec.fn)
	}
	return spec, arg.typ, nil
}

func (a *acc) add(s *aggSpec, r schema.Record) {
	if s.arg == nil {
		a.n++
		return
	}
	v := s.arg.get(r)
	if v == nil {
		return
	}
	switch s.fn {
	case "COUNT":
		a.n++
	case "COUNT_DISTINCT":
		if a.distinct == nil {
			a.distinct = map[string]struct{}{}
		}
		a.distinct[string(appendKey(nil, v))] = struct{}{}
	case "SUM", "AVG":
		a.sum += schema.Number(v)
		a.n++
		a.has = true
	case "MIN":
		if !a.has || schema.Compare(v, a.min) < 0 {
			a.min = v
		}
		a.has = true
	case "MAX":
		if !a.has || schema.Compare(v, a.max) > 0 {
			a.max = v
		}
		a.has = true
	}
}

func (a *acc) result(s *aggSpec) any {
	switch s.fn {
	case "COUNT":
		return a.n
	case "COUNT_DISTINCT":
		return int64(len(a.distinct))
	}
	if !a.has {
		return nil
	}
	switch s.fn {
	case "SUM":
		if s.arg.typ == schema.TypeInt || s.arg.typ == schema.TypeLong {
			return int64(math.Round(a.sum))
		}
		return a.sum
	case "AVG":
		return a.sum / float64(a.n)
	case "MIN":
		return a.min
	}
	return a.max
}

// havingCond compiles a HAVING condition over groups.
func (c *compiler) havingCond(p *plan, ap *aggPlan, cd soql.Cond) (func(*aggRow) bool, error) {
	switch cd := cd.(type) {
	case *soql.Logic:
		subs := make([]func(*aggRow) bool, len(cd.Conds))
		for i, s := range cd.Conds {
			var err error
			if subs[i], err = c.havingCond(p, ap, s); err != nil {
				return nil, err
			}
		}
		and := cd.Op == soql.And
		return func(r *aggRow) bool {
			for _, f := range subs {
				if f(r) != and {
					return !and
				}
			}
			return and
		}, nil
	case *soql.Not:
		f, err := c.havingCond(p, ap, cd.Cond)
		if err != nil {
			return nil, err
		}
		return func(r *aggRow) bool { return !f(r) }, nil
	case *soql.Comparison:
		get, typ, err := c.rowValue(p, ap, cd.Left)
		if err != nil {
			return nil, err
		}
		op := &operand{typ: typ, name: exprKey(p, cd.Left)}
		switch cd.Op {
		case soql.OpLike:
			m := compileLike(cd.Right.(*soql.StringLit).Value)
			return func(r *aggRow) bool {
				s, ok := get(r).(string)
				return ok && m.match(s)
			}, nil
		case soql.OpIn, soql.OpNotIn:
			if _, ok := cd.Right.(*soql.ListLit); !ok {
				return nil, c.malformed(cd.Pos, "semi joins are not allowed in HAVING")
			}
			in, err := c.membership(p, op, cd.Right)
			if err != nil {
				return nil, err
			}
			want := cd.Op == soql.OpIn
			return func(r *aggRow) bool { return in(get(r)) == want }, nil
		case soql.OpIncludes, soql.OpExcludes:
			return nil, c.malformed(cd.Pos, "INCLUDES and EXCLUDES are not allowed in HAVING")
		}
		v, err := c.comparand(op, cd.Right)
		if err != nil {
			return nil, err
		}
		if dr, ok := v.(dateRange); ok {
			return rangePred(get, cd.Op, dr), nil
		}
		return comparePred(get, cd.Op, v), nil
	}
	return nil, c.malformed(soql.Pos{}, "unexpected condition")
}

// groupingSets returns the masks of the groups each row is keyed on: all
// of them for GROUP BY, every prefix for ROLLUP, every subset for CUBE.
func groupingSets(n int, g soql.Grouping) []uint64 {
	all := uint64(1)<<n - 1
	switch g {
	case soql.GroupRollup:
		sets := make([]uint64, 0, n+1)
		for k := n; k >= 0; k-- {
			sets = append(sets, uint64(1)<<k-1)
		}
		return sets
	case soql.GroupCube:
		sets := make([]uint64, 0, 1<<n)
		for m := all; ; m-- {
			sets = append(sets, m)
			if m == 0 {
				break
			}
		}
		return sets
	}
	return []uint64{all}
}

// aggregateRows groups the matching records and returns the result rows,
// after HAVING, ORDER BY, OFFSET and LIMIT.
func (c *compiler) aggregateRows(p *plan) ([]*aggRow, error) {
	recs, err := c.matching(p)
	if err != nil {
		return nil, err
	}
	ap := p.agg
	sets := groupingSets(len(ap.groups), ap.grouping)
	index := map[string]*aggRow{}
	var rows []*aggRow
	vals := make([]any, len(ap.groups))
	var key []byte
	for _, r := range recs {
		for j, g := range ap.groups {
			vals[j] = g.get(r)
		}
		for _, mask := range sets {
			key = key[:0]
			key = strconv.AppendUint(key, mask, 16)
			for j, v := range vals {
				if mask&(1<<j) != 0 {
					key = append(key, 1)
					key = appendKey(key, v)
				}
			}
			row := index[string(key)]
			if row == nil {
				row = &aggRow{keys: make([]any, len(vals)), mask: mask, accs: make([]acc, len(ap.aggs))}
				for j, v := range vals {
					if mask&(1<<j) != 0 {
						row.keys[j] = v
					}
				}
				index[string(key)] = row
				rows = append(rows, row)
			}
			for i, s := range ap.aggs {
				row.accs[i].add(s, r)
			}
		}
	}
	if len(ap.groups) == 0 && len(rows) == 0 {
		rows = append(rows, &aggRow{accs: make([]acc, len(ap.aggs))})
	}
	if ap.having != nil {
		rows = slices.DeleteFunc(rows, func(r *aggRow) bool { return !ap.having(r) })
	}
	switch {
	case len(ap.order) > 0:
		slices.SortStableFunc(rows, func(a, b *aggRow) int {
			for _, o := range ap.order {
				if c := compareKey(o.value(a), o.value(b), o.desc, o.nullsFirst); c != 0 {
					return c
				}
			}
			return 0
		})
	case ap.grouping != soql.GroupPlain:
		// Subtotals after the groups they sum up, the grand total last.
		slices.SortStableFunc(rows, func(a, b *aggRow) int {
			for j := range ap.groups {
				ina, inb := a.mask&(1<<j) != 0, b.mask&(1<<j) != 0
				switch {
				case ina && !inb:
					return -1
				case !ina && inb:
					return 1
				case ina:
					if c := compareKey(a.keys[j], b.keys[j], false, true); c != 0 {
						return c
					}
				}
			}
			return 0
		})
	}
	return window(rows, p.offset, p.limit), nil
}

// appendKey appends a grouping key for a value: text case-folded, so that
// "Acme" and "ACME" fall in one group as in Salesforce.
func appendKey(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, 0)
	case string:
		dst = append(dst, 's')
		for _, r := range x {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		return dst
	case float64:
		return strconv.AppendFloat(append(dst, 'n'), x, 'g', -1, 64)
	case int64:
		return strconv.AppendFloat(append(dst, 'n'), float64(x), 'g', -1, 64)
	case bool:
		return strconv.AppendBool(append(dst, 'b'), x)
	case time.Time:
		return strconv.AppendInt(append(dst, 't'), x.UnixNano(), 10)
	}
	return append(dst, '?')
}

// appendAggRow renders an AggregateResult record.
func (c *compiler) appendAggRow(dst []byte, ap *aggPlan, r *aggRow) []byte {
	dst = append(dst, `{"attributes":{"type":"AggregateResult"}`...)
	for _, col := range ap.cols {
		dst = append(dst, ',', '"')
		dst = append(dst, col.name...)
		dst = append(dst, '"', ':')
		v := col.value(r)
		switch {
		case v == nil:
			dst = append(dst, "null"...)
		case col.format != nil:
			dst = schema.AppendJSON(dst, schema.TypeString, c.format(col.format, v))
		case col.labelOf != nil:
			dst = schema.AppendJSON(dst, schema.TypeString, label(col.labelOf, v))
		default:
			dst = schema.AppendJSON(dst, col.typ, v)
		}
	}
	return append(dst, '}')
}
