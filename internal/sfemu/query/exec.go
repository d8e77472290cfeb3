package query

import (
	"iter"
	"slices"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// orderKey is one ORDER BY key of a non-aggregate query.
type orderKey struct {
	get        valueFn
	desc       bool
	nullsFirst bool
	rank       map[string]int64 // picklists sort in the order of their values
}

// orderKey compiles an ORDER BY item.
func (c *compiler) orderKey(p *plan, o soql.OrderItem) (orderKey, error) {
	op, err := c.operand(p, o.Expr)
	if err != nil {
		return orderKey{}, err
	}
	if op.field != nil && !op.field.Sortable {
		return orderKey{}, c.invalidField(exprPos(o.Expr), "field '%s' can not be sorted in a query call", op.field.Name)
	}
	k := orderKey{get: op.get, desc: o.Desc, nullsFirst: o.NullsFirst()}
	if _, wrapped := o.Expr.(*soql.Call); !wrapped && op.field != nil && op.field.Type == schema.TypePicklist {
		k.rank = make(map[string]int64, len(op.field.Picklist))
		for i, v := range op.field.Picklist {
			k.rank[v.Value] = int64(i)
		}
	}
	return k, nil
}

// value returns the key's sort value for r.
func (k *orderKey) value(r schema.Record) any {
	v := k.get(r)
	if k.rank == nil || v == nil {
		return v
	}
	if s, ok := v.(string); ok {
		if n, ok := k.rank[s]; ok {
			return n
		}
	}
	return int64(len(k.rank))
}

// compareKey orders two sort values under a key: nulls where the key puts
// them, whatever the direction.
func compareKey(a, b any, desc, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	c := schema.Compare(a, b)
	if desc {
		return -c
	}
	return c
}

// sortRecords sorts rows by keys, stably. Key values are computed once per
// record, into one slice.
func sortRecords(rows []schema.Record, keys []orderKey) {
	n, k := len(rows), len(keys)
	vals := make([]any, n*k)
	for i, r := range rows {
		for j := range keys {
			vals[i*k+j] = keys[j].value(r)
		}
	}
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int {
		for j := range keys {
			if c := compareKey(vals[int(a)*k+j], vals[int(b)*k+j], keys[j].desc, keys[j].nullsFirst); c != 0 {
				return c
			}
		}
		return 0
	})
	sorted := make([]schema.Record, n)
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	copy(rows, sorted)
}

// window applies OFFSET and LIMIT.
func window[T any](rows []T, offset, limit int) []T {
	if offset >= len(rows) {
		return rows[:0]
	}
	rows = rows[offset:]
	if limit >= 0 && limit < len(rows) {
		rows = rows[:limit]
	}
	return rows
}

// candidates yields the records that may match: by ID, from an index range,
// or the whole object.
func (c *compiler) candidates(p *plan) iter.Seq[schema.Record] {
	if p.ids != nil {
		return func(yield func(schema.Record) bool) {
			for _, id := range p.ids {
				if c.reg.ObjectForID(id) != p.obj {
					continue
				}
				if r := c.src.Lookup(id, c.opt.All); r != nil && !yield(r) {
					return
				}
			}
		}
	}
	if p.index != nil {
		if seq, ok := c.src.(IndexedSource).ScanRange(p.index.field, p.index.rng, p.index.desc, c.opt.All); ok {
			return seq
		}
		p.index = nil
	}
	return c.src.Scan(p.obj, c.opt.All)
}

// keep tells whether a candidate belongs to the result: visible to the
// user, in the scope, matching the WHERE clause.
func (c *compiler) keep(p *plan, r schema.Record) bool {
	if !c.who.CanSee(p.obj, r) {
		return false
	}
	if p.mine != nil {
		if owner, _ := p.obj.Value(r, p.mine).(string); owner != c.who.UserID() {
			return false
		}
	}
	return p.where == nil || p.where(r)
}

// ctxCheckEvery is how many records a scan reads between two looks at the
// context.
const ctxCheckEvery = 4096

// matching returns every record p selects, unsorted. When the index order is
// the result's order, it stops once OFFSET + LIMIT records are found.
func (c *compiler) matching(p *plan) ([]schema.Record, error) {
	want := -1
	if p.index != nil && p.index.ordered && p.limit >= 0 && p.agg == nil && !p.count {
		want = p.offset + p.limit
	}
	var out []schema.Record
	n := 0
	for r := range c.candidates(p) {
		if n++; n%ctxCheckEvery == 0 {
			if err := c.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !c.keep(p, r) {
			continue
		}
		out = append(out, r)
		if len(out) == want {
			break
		}
	}
	return out, nil
}

// rows runs a non-aggregate plan: matching records, sorted, after OFFSET
// and LIMIT.
func (c *compiler) rows(p *plan) ([]schema.Record, error) {
	out, err := c.matching(p)
	if err != nil {
		return nil, err
	}
	if len(p.order) > 0 && (p.index == nil || !p.index.ordered) {
		sortRecords(out, p.order)
	}
	return window(out, p.offset, p.limit), nil
}

// children runs a child subquery for one parent record.
func (c *compiler) children(p *plan, parentID string) []schema.Record {
	var out []schema.Record
	for r := range c.src.Children(p.parentField, parentID, c.opt.All) {
		if c.keep(p, r) {
			out = append(out, r)
		}
	}
	if len(p.order) > 0 {
		sortRecords(out, p.order)
	}
	return window(out, p.offset, p.limit)
}
