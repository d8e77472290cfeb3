package query

import (
	"context"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// compiler resolves a parsed query against the schema and turns it into a
// plan of closures; the same value runs the plan, so the closures reach the
// source and the principal through it.
type compiler struct {
	text   string // the query, for error positions
	src    Source
	reg    *schema.Registry
	who    Principal
	opt    Options
	ctx    context.Context
	now    time.Time
	loc    *time.Location
	fiscal time.Month
}

func newCompiler(ctx context.Context, src Source, who Principal, text string, opt Options) *compiler {
	if opt.APIVersion == "" {
		opt.APIVersion = DefaultAPIVersion
	}
	loc := who.Location()
	if loc == nil {
		loc = time.UTC
	}
	return &compiler{text: text, src: src, reg: src.Registry(), who: who, opt: opt, ctx: ctx,
		now: who.Now(), loc: loc, fiscal: who.FiscalYearStart()}
}

// DefaultAPIVersion is used in attributes.url when Options.APIVersion is
// empty.
const DefaultAPIVersion = "60.0"

type (
	valueFn func(r schema.Record) any
	pred    func(r schema.Record) bool
)

// plan is a compiled (sub)query.
type plan struct {
	obj     *schema.Object
	alias   string
	idField *schema.Field
	where   pred
	mine    *schema.Field // USING SCOPE mine: the owner field to match
	order   []orderKey
	limit   int // -1 when none
	offset  int
	count   bool
	proj    *projection
	agg     *aggPlan
	// Access paths: candidate IDs from Id = / Id IN, or an index range.
	ids   []string
	index *indexPlan
	// parentField links a child subquery's records to the parent record.
	parentField *schema.Field
}

// ref reads a field of a record, possibly through parent relationships.
type ref struct {
	field   *schema.Field
	objType bool                    // the Type of a polymorphic relationship: the object's name
	hop     *schema.Field           // a reference field to follow
	next    map[*schema.Object]*ref // what to read on the parent, by its object
}

// operand is the left side of a comparison or a sort key.
type operand struct {
	get   valueFn
	typ   schema.FieldType
	field *schema.Field // the leaf field, when the operand reads one
	name  string        // for messages
}

// compileQuery resolves q against object obj.
func (c *compiler) compileQuery(q *soql.Query, obj *schema.Object) (*plan, error) {
	p := &plan{obj: obj, alias: q.Alias, idField: obj.Field("Id"), limit: -1}
	if q.Limit != nil {
		p.limit = *q.Limit
	}
	if q.Offset != nil {
		p.offset = *q.Offset
	}
	if strings.EqualFold(q.Scope, "mine") {
		if p.mine = obj.Field("OwnerId"); p.mine == nil {
			return nil, c.malformed(q.FromPos, "USING SCOPE mine is not supported on %s", obj.Name)
		}
	}
	var err error
	if q.Where != nil {
		if p.where, err = c.cond(p, q.Where); err != nil {
			return nil, err
		}
	}
	switch {
	case q.IsCount() && len(q.GroupBy) == 0:
		p.count = true
	case q.IsAggregate():
		// SELECT COUNT() ... GROUP BY counts the groups.
		p.count = q.IsCount()
		if p.agg, err = c.aggregate(p, q); err != nil {
			return nil, err
		}
	default:
		if p.proj, err = c.projection(p, q); err != nil {
			return nil, err
		}
		for _, o := range q.OrderBy {
			k, err := c.orderKey(p, o)
			if err != nil {
				return nil, err
			}
			p.order = append(p.order, k)
		}
	}
	c.planAccess(p, q)
	return p, nil
}

// object resolves the FROM object of a root query or a semi-join.
func (c *compiler) object(name string, pos soql.Pos) (*schema.Object, error) {
	o := c.reg.Object(name)
	if o == nil || !o.Flags.Queryable || !c.who.CanReadObject(o) {
		return nil, c.unsupportedType(pos, name)
	}
	return o, nil
}

// trim drops a leading alias or object name from a field path.
func trim(p *plan, path []string) []string {
	if len(path) < 2 {
		return path
	}
	if p.alias != "" && strings.EqualFold(path[0], p.alias) {
		return path[1:]
	}
	if strings.EqualFold(path[0], p.obj.Name) && p.obj.Relationship(path[0]) == nil {
		return path[1:]
	}
	return path
}

// field returns the readable field name of o.
func (c *compiler) field(o *schema.Object, name string, pos soql.Pos) (*schema.Field, error) {
	f := o.Field(name)
	if f == nil || !c.who.CanReadField(f) {
		return nil, c.noSuchColumn(pos, name, o.Name)
	}
	return f, nil
}

// relationship returns the readable parent relationship name of o and the
// objects it may reach.
func (c *compiler) relationship(o *schema.Object, name string, pos soql.Pos) (*schema.Field, []*schema.Object, error) {
	rel := o.Relationship(name)
	if rel == nil || !c.who.CanReadField(rel) {
		return nil, nil, c.badRelationship(pos, name)
	}
	var targets []*schema.Object
	for _, t := range rel.Targets {
		if c.who.CanReadObject(t) {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil, nil, c.badRelationship(pos, name)
	}
	return rel, targets, nil
}

func polymorphic(rel *schema.Field) bool { return rel.Polymorphic || len(rel.Targets) > 1 }

// resolve resolves a field path on o. It returns the reference and a
// representative leaf field (nil for the Type of a polymorphic
// relationship).
func (c *compiler) resolve(o *schema.Object, path []string, pos soql.Pos) (*ref, *schema.Field, error) {
	if len(path) == 1 {
		f, err := c.field(o, path[0], pos)
		if err != nil {
			return nil, nil, err
		}
		return &ref{field: f}, f, nil
	}
	rel, targets, err := c.relationship(o, path[0], pos)
	if err != nil {
		return nil, nil, err
	}
	r := &ref{hop: rel, next: map[*schema.Object]*ref{}}
	poly := polymorphic(rel)
	var leaf *schema.Field
	var firstErr error
	for _, t := range targets {
		if poly && len(path) == 2 && strings.EqualFold(path[1], "Type") {
			r.next[t] = &ref{objType: true}
			continue
		}
		sub, l, err := c.resolve(t, path[1:], pos)
		if err != nil {
			if !poly {
				return nil, nil, err
			}
			firstErr = cmpOr(firstErr, err)
			continue
		}
		r.next[t] = sub
		if leaf == nil {
			leaf = l
		}
	}
	if len(r.next) == 0 {
		return nil, nil, firstErr
	}
	return r, leaf, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// follow reads ref on record r of object o, through visible parents.
func (c *compiler) follow(rf *ref, o *schema.Object, r schema.Record) any {
	for rf.hop != nil {
		id, _ := o.Value(r, rf.hop).(string)
		if id == "" {
			return nil
		}
		parent, po := c.parent(id)
		if parent == nil {
			return nil
		}
		next := rf.next[po]
		if next == nil {
			return nil
		}
		rf, o, r = next, po, parent
	}
	if rf.objType {
		return o.Name
	}
	return o.Value(r, rf.field)
}

// parent returns the visible record with the given ID and its object.
func (c *compiler) parent(id string) (schema.Record, *schema.Object) {
	po := c.reg.ObjectForID(id)
	if po == nil {
		return nil, nil
	}
	r := c.src.Lookup(id, false)
	if r == nil || !c.who.CanSee(po, r) {
		return nil, nil
	}
	return r, po
}

// operand compiles a field or a function on the left of a comparison or in
// ORDER BY.
func (c *compiler) operand(p *plan, e soql.Expr) (*operand, error) {
	switch e := e.(type) {
	case *soql.Field:
		path := trim(p, e.Path)
		rf, leaf, err := c.resolve(p.obj, path, e.Pos)
		if err != nil {
			return nil, err
		}
		op := &operand{field: leaf, typ: schema.TypeString, name: e.Name()}
		if leaf != nil {
			op.typ = leaf.Type
		}
		if rf.hop == nil {
			f, o := rf.field, p.obj
			op.get = func(r schema.Record) any { return o.Value(r, f) }
		} else {
			o := p.obj
			op.get = func(r schema.Record) any { return c.follow(rf, o, r) }
		}
		return op, nil
	case *soql.Call:
		return c.callOperand(p, e)
	}
	return nil, c.malformed(soql.Pos{}, "unexpected expression")
}

// callOperand compiles a function used as a value outside the select list.
func (c *compiler) callOperand(p *plan, call *soql.Call) (*operand, error) {
	switch call.Kind() {
	case soql.FuncDate:
		return c.dateFunc(p, call)
	case soql.FuncLocation:
		if call.Name == "DISTANCE" {
			return c.distance(p, call)
		}
	case soql.FuncWrapper:
		arg, err := c.operand(p, call.Args[0])
		if err != nil {
			return nil, err
		}
		switch call.Name {
		case "convertCurrency":
			return arg, nil
		case "toLabel":
			if arg.field == nil {
				break
			}
			f, get := arg.field, arg.get
			return &operand{typ: schema.TypeString, field: f, name: arg.name, get: func(r schema.Record) any {
				return label(f, get(r))
			}}, nil
		}
	}
	return nil, c.malformed(call.Pos, "%s() cannot be used here", call.Name)
}

// cond compiles a WHERE condition.
func (c *compiler) cond(p *plan, cd soql.Cond) (pred, error) {
	switch cd := cd.(type) {
	case *soql.Logic:
		ps := make([]pred, len(cd.Conds))
		for i, sub := range cd.Conds {
			var err error
			if ps[i], err = c.cond(p, sub); err != nil {
				return nil, err
			}
		}
		if cd.Op == soql.And {
			return func(r schema.Record) bool {
				for _, f := range ps {
					if !f(r) {
						return false
					}
				}
				return true
			}, nil
		}
		return func(r schema.Record) bool {
			for _, f := range ps {
				if f(r) {
					return true
				}
			}
			return false
		}, nil
	case *soql.Not:
		f, err := c.cond(p, cd.Cond)
		if err != nil {
			return nil, err
		}
		return func(r schema.Record) bool { return !f(r) }, nil
	case *soql.Comparison:
		return c.comparison(p, cd)
	}
	return nil, c.malformed(soql.Pos{}, "unexpected condition")
}
