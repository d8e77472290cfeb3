package query

import (
	"math"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// dateRange is a relative date literal evaluated for the user, or the
// second a datetime literal falls in: [start, end).
type dateRange struct{ start, end time.Time }

// secondOf is the second t falls in. Salesforce ignores milliseconds when
// it compares datetimes in SOQL, so a datetime literal stands for that
// whole second: = is inside it, < before it, > after it (ADR 0130).
func secondOf(t time.Time) dateRange {
	s := t.Truncate(time.Second)
	return dateRange{s, s.Add(time.Second)}
}

// atSecond drops the milliseconds of a time value, for IN lists; other
// values are returned as they are.
func atSecond(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.Truncate(time.Second)
	}
	return v
}

func isText(t schema.FieldType) bool {
	return t.IsText() || t == schema.TypeID || t == schema.TypeReference
}

func isNumber(t schema.FieldType) bool {
	return t.IsNumber() || t == schema.TypeInt || t == schema.TypeLong
}

// typeName is how Salesforce names a type in filter errors.
func typeName(t schema.FieldType) string {
	switch t {
	case schema.TypeDateTime:
		return "dateTime"
	case schema.TypeCurrency, schema.TypePercent:
		return "double"
	}
	return string(t)
}

func exprPos(e soql.Expr) soql.Pos {
	switch e := e.(type) {
	case *soql.StringLit:
		return e.Pos
	case *soql.NumberLit:
		return e.Pos
	case *soql.BoolLit:
		return e.Pos
	case *soql.NullLit:
		return e.Pos
	case *soql.DateLit:
		return e.Pos
	case *soql.DateTimeLit:
		return e.Pos
	case *soql.CurrencyLit:
		return e.Pos
	case *soql.DateLiteral:
		return e.Pos
	case *soql.ListLit:
		return e.Pos
	case *soql.Field:
		return e.Pos
	case *soql.Call:
		return e.Pos
	case *soql.SubQuery:
		return e.Pos
	}
	return soql.Pos{}
}

// literal converts the right side of a comparison to a canonical value of
// the operand's type, or a dateRange for a relative date literal.
func (c *compiler) literal(op *operand, e soql.Expr) (any, error) {
	bad := func() error {
		quotes := "should not be enclosed in quotes"
		if isText(op.typ) {
			quotes = "should be enclosed in quotes"
		}
		return c.invalidField(exprPos(e), "value of filter criterion for field '%s' must be of type %s and %s",
			op.name, typeName(op.typ), quotes)
	}
	switch v := e.(type) {
	case *soql.NullLit:
		return nil, nil
	case *soql.StringLit:
		switch {
		case op.typ == schema.TypeID || op.typ == schema.TypeReference:
			id, err := sfid.To18(v.Value)
			if err != nil {
				return nil, c.malformed(v.Pos, "invalid ID field: %s", v.Value)
			}
			return id, nil
		case isText(op.typ) || op.typ == schema.TypeTime:
			return v.Value, nil
		}
	case *soql.NumberLit:
		if isNumber(op.typ) {
			return v.Float(), nil
		}
	case *soql.CurrencyLit:
		if op.typ == schema.TypeCurrency {
			return (&soql.NumberLit{Text: v.Amount}).Float(), nil
		}
	case *soql.BoolLit:
		if op.typ == schema.TypeBoolean {
			return v.Value, nil
		}
	case *soql.DateLit:
		if op.typ == schema.TypeDate {
			return v.Date, nil
		}
	case *soql.DateTimeLit:
		if op.typ == schema.TypeDateTime {
			return v.Time, nil
		}
	case *soql.DateLiteral:
		var s, e time.Time
		switch op.typ {
		case schema.TypeDate:
			s, e, _ = v.DayRange(c.now, c.loc, c.fiscal)
		case schema.TypeDateTime:
			s, e, _ = v.Range(c.now, c.loc, c.fiscal)
		default:
			return nil, bad()
		}
		return dateRange{s, e}, nil
	}
	return nil, bad()
}

// comparand is the right side of a comparison (=, !=, <, <=, >, >=): the
// literal, with a datetime literal widened to its second (secondOf).
func (c *compiler) comparand(op *operand, e soql.Expr) (any, error) {
	v, err := c.literal(op, e)
	if t, ok := v.(time.Time); ok && op.typ == schema.TypeDateTime {
		return secondOf(t), err
	}
	return v, err
}

// comparison compiles one comparison of a WHERE clause.
func (c *compiler) comparison(p *plan, cmp *soql.Comparison) (pred, error) {
	op, err := c.operand(p, cmp.Left)
	if err != nil {
		return nil, err
	}
	if op.field != nil && !op.field.Filterable {
		return nil, c.invalidField(exprPos(cmp.Left), "field '%s' can not be filtered in a query call", op.field.Name)
	}
	get := op.get
	switch cmp.Op {
	case soql.OpLike:
		if !isText(op.typ) {
			return nil, c.invalidField(cmp.Pos, "invalid operator on field '%s': LIKE applies to text", op.name)
		}
		m := compileLike(cmp.Right.(*soql.StringLit).Value)
		return func(r schema.Record) bool {
			s, ok := get(r).(string)
			return ok && m.match(s)
		}, nil
	case soql.OpIn, soql.OpNotIn:
		in, err := c.membership(p, op, cmp.Right)
		if err != nil {
			return nil, err
		}
		if cmp.Op == soql.OpIn {
			return func(r schema.Record) bool { return in(get(r)) }, nil
		}
		return func(r schema.Record) bool { return !in(get(r)) }, nil
	case soql.OpIncludes, soql.OpExcludes:
		if op.typ != schema.TypeMultiPicklist {
			return nil, c.invalidField(cmp.Pos, "invalid operator on field '%s': INCLUDES and EXCLUDES apply to multi-select picklists", op.name)
		}
		var sets [][]string
		for _, v := range cmp.Right.(*soql.ListLit).Values {
			sets = append(sets, splitValues(v.(*soql.StringLit).Value))
		}
		includes := func(r schema.Record) bool {
			s, _ := get(r).(string)
			if s == "" {
				return false
			}
			have := splitValues(s)
			for _, want := range sets {
				if containsAll(have, want) {
					return true
				}
			}
			return false
		}
		if cmp.Op == soql.OpIncludes {
			return includes, nil
		}
		return func(r schema.Record) bool { return !includes(r) }, nil
	}
	v, err := c.comparand(op, cmp.Right)
	if err != nil {
		return nil, err
	}
	if dr, ok := v.(dateRange); ok {
		return rangePred(get, cmp.Op, dr), nil
	}
	if op.typ == schema.TypeMultiPicklist && (cmp.Op == soql.OpEqual || cmp.Op == soql.OpNotEqual) {
		want, _ := v.(string)
		eq := func(r schema.Record) bool {
			s, _ := get(r).(string)
			return sameSet(splitValues(s), splitValues(want))
		}
		if cmp.Op == soql.OpEqual {
			return eq, nil
		}
		return func(r schema.Record) bool { return !eq(r) }, nil
	}
	return comparePred(get, cmp.Op, v), nil
}

// comparePred compares a value with a canonical literal. Null equals only
// null; an ordering comparison with null is false.
func comparePred[T any](get func(T) any, op soql.Op, want any) func(T) bool {
	switch op {
	case soql.OpEqual:
		return func(r T) bool { return equalValues(get(r), want) }
	case soql.OpNotEqual:
		return func(r T) bool { return !equalValues(get(r), want) }
	}
	if want == nil {
		return func(T) bool { return false }
	}
	var test func(int) bool
	switch op {
	case soql.OpLess:
		test = func(c int) bool { return c < 0 }
	case soql.OpLessEqual:
		test = func(c int) bool { return c <= 0 }
	case soql.OpGreater:
		test = func(c int) bool { return c > 0 }
	default:
		test = func(c int) bool { return c >= 0 }
	}
	return func(r T) bool {
		v := get(r)
		return v != nil && test(schema.Compare(v, want))
	}
}

// rangePred compares a date or datetime with a date literal's range: = is
// inside, < before its start, > after its end.
func rangePred[T any](get func(T) any, op soql.Op, dr dateRange) func(T) bool {
	return func(r T) bool {
		t, ok := get(r).(time.Time)
		if !ok {
			return op == soql.OpNotEqual
		}
		in := !t.Before(dr.start) && t.Before(dr.end)
		switch op {
		case soql.OpEqual:
			return in
		case soql.OpNotEqual:
			return !in
		case soql.OpLess:
			return t.Before(dr.start)
		case soql.OpLessEqual:
			return t.Before(dr.end)
		case soql.OpGreater:
			return !t.Before(dr.end)
		case soql.OpGreaterEqual:
			return !t.Before(dr.start)
		}
		return false
	}
}

// membership compiles the list or the semi-join of IN and NOT IN.
func (c *compiler) membership(p *plan, op *operand, right soql.Expr) (func(any) bool, error) {
	if sq, ok := right.(*soql.SubQuery); ok {
		set, err := c.semiJoin(op, sq)
		if err != nil {
			return nil, err
		}
		return func(v any) bool {
			s, ok := v.(string)
			if !ok {
				return false
			}
			_, in := set[s]
			return in
		}, nil
	}
	var vals []any
	for _, e := range right.(*soql.ListLit).Values {
		v, err := c.literal(op, e)
		if err != nil {
			return nil, err
		}
		if _, ok := v.(dateRange); ok {
			return nil, c.malformed(exprPos(e), "date literals are not allowed in IN lists")
		}
		vals = append(vals, atSecond(v))
	}
	return func(v any) bool {
		v = atSecond(v)
		for _, w := range vals {
			if equalValues(v, w) {
				return true
			}
		}
		return false
	}, nil
}

// semiJoin runs the subquery of Id IN (SELECT ...) and returns the IDs it
// selects.
func (c *compiler) semiJoin(op *operand, sq *soql.SubQuery) (map[string]struct{}, error) {
	q := sq.Query
	if op.typ != schema.TypeID && op.typ != schema.TypeReference {
		return nil, c.malformed(sq.Pos, "semi join sub-selects are only allowed on Id or reference fields, not on '%s'", op.name)
	}
	o, err := c.object(q.From, q.FromPos)
	if err != nil {
		return nil, err
	}
	var sel *soql.Field
	if len(q.Select) == 1 {
		if se, ok := q.Select[0].(*soql.SelectExpr); ok {
			sel, _ = se.Expr.(*soql.Field)
		}
	}
	if sel == nil {
		return nil, c.malformed(q.Pos, "semi join sub-selects must select exactly one Id or reference field")
	}
	if containsSubQuery(q.Where) {
		return nil, c.malformed(q.Pos, "semi join sub-selects cannot contain another semi join")
	}
	sub, err := c.compileQuery(q, o)
	if err != nil {
		return nil, err
	}
	field, err := c.operand(sub, sel)
	if err != nil {
		return nil, err
	}
	if field.typ != schema.TypeID && field.typ != schema.TypeReference {
		return nil, c.malformed(sel.Pos, "semi join sub-selects must select an Id or reference field, not '%s'", field.name)
	}
	rows, err := c.rows(sub)
	if err != nil {
		return nil, err
	}
	set := make(map[string]struct{}, len(rows))
	for _, r := range rows {
		if id, ok := field.get(r).(string); ok {
			set[id] = struct{}{}
		}
	}
	return set, nil
}

func containsSubQuery(cd soql.Cond) bool {
	switch cd := cd.(type) {
	case *soql.Logic:
		for _, s := range cd.Conds {
			if containsSubQuery(s) {
				return true
			}
		}
	case *soql.Not:
		return containsSubQuery(cd.Cond)
	case *soql.Comparison:
		_, ok := cd.Right.(*soql.SubQuery)
		return ok
	}
	return false
}

// splitValues splits a multi-select picklist value on ";".
func splitValues(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ";")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool { return containsAll(a, b) && containsAll(b, a) }

// dateFuncs compute CALENDAR_YEAR and the other date functions.
var dateFuncs = map[string]func(t time.Time, fiscal time.Month) any{
	"CALENDAR_MONTH":   func(t time.Time, _ time.Month) any { return int64(t.Month()) },
	"CALENDAR_QUARTER": func(t time.Time, _ time.Month) any { return int64((t.Month()-1)/3 + 1) },
	"CALENDAR_YEAR":    func(t time.Time, _ time.Month) any { return int64(t.Year()) },
	"DAY_IN_MONTH":     func(t time.Time, _ time.Month) any { return int64(t.Day()) },
	"DAY_IN_WEEK":      func(t time.Time, _ time.Month) any { return int64(t.Weekday()) + 1 }, // Sunday is 1
	"DAY_IN_YEAR":      func(t time.Time, _ time.Month) any { return int64(t.YearDay()) },
	"DAY_ONLY": func(t time.Time, _ time.Month) any {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	},
	"FISCAL_MONTH":   func(t time.Time, f time.Month) any { return int64(soql.FiscalMonth(t, f)) },
	"FISCAL_QUARTER": func(t time.Time, f time.Month) any { return int64(soql.FiscalQuarter(t, f)) },
	"FISCAL_YEAR":    func(t time.Time, f time.Month) any { return int64(soql.FiscalYear(t, f)) },
	"HOUR_IN_DAY":    func(t time.Time, _ time.Month) any { return int64(t.Hour()) },
	"WEEK_IN_MONTH":  func(t time.Time, _ time.Month) any { return int64((t.Day()-1)/7 + 1) },
	"WEEK_IN_YEAR":   func(t time.Time, _ time.Month) any { return int64((t.YearDay()-1)/7 + 1) },
}

// dateFunc compiles CALENDAR_YEAR(f), HOUR_IN_DAY(convertTimezone(f)) and
// the like. Date functions read datetimes in UTC unless convertTimezone
// asks for the user's zone.
func (c *compiler) dateFunc(p *plan, call *soql.Call) (*operand, error) {
	arg, loc := call.Args[0], time.UTC
	if inner, ok := arg.(*soql.Call); ok && inner.Name == "convertTimezone" {
		arg, loc = inner.Args[0], c.loc
	}
	in, err := c.operand(p, arg)
	if err != nil {
		return nil, err
	}
	if in.typ != schema.TypeDate && in.typ != schema.TypeDateTime {
		return nil, c.malformed(call.Pos, "%s can only be applied to date or dateTime fields, not to '%s'", call.Name, in.name)
	}
	if in.typ == schema.TypeDate {
		loc = time.UTC
	}
	fn, fiscal, get := dateFuncs[call.Name], c.fiscal, in.get
	typ := schema.TypeInt
	if call.Name == "DAY_ONLY" {
		typ = schema.TypeDate
	}
	return &operand{typ: typ, name: call.Name + "(" + in.name + ")", get: func(r schema.Record) any {
		t, ok := get(r).(time.Time)
		if !ok {
			return nil
		}
		return fn(t.In(loc), fiscal)
	}}, nil
}

// distance compiles DISTANCE(location, GEOLOCATION(lat, lon), 'mi' | 'km').
func (c *compiler) distance(p *plan, call *soql.Call) (*operand, error) {
	loc, err := c.operand(p, call.Args[0])
	if err != nil {
		return nil, err
	}
	if loc.typ != schema.TypeLocation {
		return nil, c.malformed(call.Pos, "DISTANCE applies to geolocation fields, not to '%s'", loc.name)
	}
	geo, ok := call.Args[1].(*soql.Call)
	if !ok || geo.Name != "GEOLOCATION" {
		return nil, c.malformed(call.Pos, "DISTANCE needs GEOLOCATION(latitude, longitude) as its second argument")
	}
	lat, ok1 := geo.Args[0].(*soql.NumberLit)
	lon, ok2 := geo.Args[1].(*soql.NumberLit)
	unit, ok3 := call.Args[2].(*soql.StringLit)
	if !ok1 || !ok2 || !ok3 || (unit.Value != "mi" && unit.Value != "km") {
		return nil, c.malformed(call.Pos, "DISTANCE needs numeric coordinates and the unit 'mi' or 'km'")
	}
	radius := 3958.8 // miles
	if unit.Value == "km" {
		radius = 6371.0
	}
	la, lo, get := lat.Float(), lon.Float(), loc.get
	return &operand{typ: schema.TypeDouble, name: "DISTANCE", get: func(r schema.Record) any {
		l, ok := get(r).(schema.Location)
		if !ok {
			return nil
		}
		y, ok1 := l.Latitude.(float64)
		x, ok2 := l.Longitude.(float64)
		if !ok1 || !ok2 {
			return nil
		}
		return haversine(la, lo, y, x) * radius
	}}, nil
}

// haversine returns the central angle between two points, in radians.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// label returns the picklist label of v, as toLabel shows it; each value
// of a multi-select picklist is translated.
func label(f *schema.Field, v any) any {
	s, ok := v.(string)
	if !ok || len(f.Picklist) == 0 {
		return v
	}
	if f.Type != schema.TypeMultiPicklist {
		return valueLabel(f, s)
	}
	parts := splitValues(s)
	for i, p := range parts {
		parts[i] = valueLabel(f, p)
	}
	return strings.Join(parts, ";")
}

func valueLabel(f *schema.Field, v string) string {
	for _, pv := range f.Picklist {
		if pv.Value == v && pv.Label != "" {
			return pv.Label
		}
	}
	return v
}
