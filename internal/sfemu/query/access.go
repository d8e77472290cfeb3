package query

import (
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// indexPlan reads candidates from an index of an IndexedSource.
type indexPlan struct {
	field *schema.Field
	rng   Range
	desc  bool
	// ordered says the index order is the ORDER BY, so no sort is needed
	// and the scan can stop after OFFSET + LIMIT matches.
	ordered bool
}

// conjuncts returns the comparisons that must all hold for cd to hold.
func conjuncts(cd soql.Cond) []*soql.Comparison {
	switch cd := cd.(type) {
	case *soql.Comparison:
		return []*soql.Comparison{cd}
	case *soql.Logic:
		if cd.Op != soql.And {
			return nil
		}
		var out []*soql.Comparison
		for _, s := range cd.Conds {
			out = append(out, conjuncts(s)...)
		}
		return out
	}
	return nil
}

// plainField returns the field of o an expression names directly (Name,
// a.Name), or nil.
func plainField(p *plan, e soql.Expr) *schema.Field {
	f, ok := e.(*soql.Field)
	if !ok {
		return nil
	}
	if path := trim(p, f.Path); len(path) == 1 {
		return p.obj.Field(path[0])
	}
	return nil
}

// planAccess chooses how to find candidates: the IDs of Id = 'x' or
// Id IN (...), an index range on the first ORDER BY field or on a bounded
// field, or a scan. The WHERE clause is still applied to every candidate.
func (c *compiler) planAccess(p *plan, q *soql.Query) {
	conj := conjuncts(q.Where)
	for _, cmp := range conj {
		if plainField(p, cmp.Left) == p.idField && p.idField != nil {
			if ids, ok := idList(cmp); ok {
				p.ids = ids
				return
			}
		}
	}
	if _, ok := c.src.(IndexedSource); !ok {
		return
	}
	var f *schema.Field
	desc := false
	if len(q.OrderBy) > 0 && p.agg == nil {
		f, desc = plainField(p, q.OrderBy[0].Expr), q.OrderBy[0].Desc
	}
	if f != nil && !indexable(f) {
		f = nil
	}
	if f == nil {
		for _, cmp := range conj {
			if g := plainField(p, cmp.Left); g != nil && indexable(g) && bound(c, g, cmp, &Range{}) {
				f = g
				break
			}
		}
	}
	if f == nil {
		return
	}
	var rng Range
	bounded := false
	for _, cmp := range conj {
		if plainField(p, cmp.Left) == f && bound(c, f, cmp, &rng) {
			bounded = true
		}
	}
	if !bounded && f.Nillable {
		return // the index holds no nulls, and the result may
	}
	ordered := p.agg == nil && orderIs(p, q.OrderBy, f)
	p.index = &indexPlan{field: f, rng: rng, desc: desc, ordered: ordered}
}

// indexable tells whether an index range over f can be trusted to match
// the engine's comparisons: numbers, dates and datetimes compare the same
// everywhere; text depends on collation, so it is never used.
func indexable(f *schema.Field) bool {
	return f.Type == schema.TypeDateTime || f.Type == schema.TypeDate || isNumber(f.Type)
}

// orderIs tells whether ORDER BY is f, or f then Id in the same direction.
func orderIs(p *plan, order []soql.OrderItem, f *schema.Field) bool {
	switch len(order) {
	case 1:
		return plainField(p, order[0].Expr) == f
	case 2:
		return plainField(p, order[0].Expr) == f && plainField(p, order[1].Expr) == p.idField &&
			order[0].Desc == order[1].Desc
	}
	return false
}

// bound narrows rng with comparison cmp on field f; it reports whether cmp
// gives a bound.
func bound(c *compiler, f *schema.Field, cmp *soql.Comparison, rng *Range) bool {
	op := &operand{typ: f.Type, field: f, name: f.Name}
	v, err := c.comparand(op, cmp.Right)
	if err != nil || v == nil {
		return false
	}
	lo, hi := v, v
	loIncl, hiIncl := true, true
	if dr, ok := v.(dateRange); ok {
		lo, hi, hiIncl = dr.start, dr.end, false
	}
	switch cmp.Op {
	case soql.OpEqual:
		narrowLow(rng, lo, loIncl)
		narrowHigh(rng, hi, hiIncl)
	case soql.OpGreater:
		if _, ok := v.(dateRange); ok {
			narrowLow(rng, hi, true)
		} else {
			narrowLow(rng, lo, false)
		}
	case soql.OpGreaterEqual:
		narrowLow(rng, lo, true)
	case soql.OpLess:
		narrowHigh(rng, lo, false)
	case soql.OpLessEqual:
		narrowHigh(rng, hi, hiIncl)
	default:
		return false
	}
	return true
}

func narrowLow(r *Range, v any, incl bool) {
	if r.Low == nil || schema.Compare(v, r.Low) > 0 || schema.Compare(v, r.Low) == 0 && !incl {
		r.Low, r.LowIncl = v, incl
	}
}

func narrowHigh(r *Range, v any, incl bool) {
	if r.High == nil || schema.Compare(v, r.High) < 0 || schema.Compare(v, r.High) == 0 && !incl {
		r.High, r.HighIncl = v, incl
	}
}

// idList returns the 18-character IDs of Id = 'x' or Id IN ('x', 'y').
// Malformed IDs are left to the filter, which reports them.
func idList(cmp *soql.Comparison) ([]string, bool) {
	var lits []soql.Expr
	switch cmp.Op {
	case soql.OpEqual:
		lits = []soql.Expr{cmp.Right}
	case soql.OpIn:
		l, ok := cmp.Right.(*soql.ListLit)
		if !ok {
			return nil, false
		}
		lits = l.Values
	default:
		return nil, false
	}
	ids := make([]string, 0, len(lits))
	seen := map[string]bool{}
	for _, e := range lits {
		s, ok := e.(*soql.StringLit)
		if !ok {
			return nil, false
		}
		id, err := sfid.To18(strings.TrimSpace(s.Value))
		if err != nil {
			return nil, false
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, true
}
