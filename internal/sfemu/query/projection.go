package query

import (
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// show says how a selected field's value is rendered.
type show int

const (
	showValue   show = iota
	showLabel        // toLabel(f): the picklist label
	showFormat       // FORMAT(f): the value formatted for the user's locale
	showObjType      // Type of a polymorphic relationship: the object's name
)

// projection is what a record renders to: its members in select order.
// Fields reached through a parent relationship are grouped under the
// relationship, in a nested projection per object the relationship may
// reach.
type projection struct {
	obj     *schema.Object
	idField *schema.Field
	items   []*projItem
}

type projItem struct {
	key    string
	field  *schema.Field
	show   show
	hop    *schema.Field // a parent relationship: the reference field
	typeOf bool
	nested map[*schema.Object]*projection
	sub    *plan // a child relationship subquery
}

func newProjection(o *schema.Object) *projection {
	return &projection{obj: o, idField: o.Field("Id")}
}

// projection compiles the select list of a non-aggregate query.
func (c *compiler) projection(p *plan, q *soql.Query) (*projection, error) {
	proj := newProjection(p.obj)
	seen := map[string]bool{}
	dup := func(path []string) error {
		key := strings.ToLower(strings.Join(path, "."))
		if seen[key] {
			return c.invalidField(soql.Pos{}, "duplicate field selected: %s", strings.Join(path, "."))
		}
		seen[key] = true
		return nil
	}
	for _, it := range q.Select {
		switch it := it.(type) {
		case *soql.SelectExpr:
			path, pos, sh, err := c.selected(it.Expr)
			if err != nil {
				return nil, err
			}
			path = trim(p, path)
			if err := dup(path); err != nil {
				return nil, err
			}
			if err := c.addPath(proj, path, pos, sh, it.Alias); err != nil {
				return nil, err
			}
		case *soql.FieldsFunc:
			for _, f := range p.obj.Fields {
				if !c.who.CanReadField(f) || it.Kind == soql.FieldsStandard && f.Custom || it.Kind == soql.FieldsCustom && !f.Custom {
					continue
				}
				if err := dup([]string{f.Name}); err != nil {
					return nil, err
				}
				proj.items = append(proj.items, &projItem{key: f.Name, field: f})
			}
		case *soql.TypeOf:
			item, err := c.typeOf(p, it)
			if err != nil {
				return nil, err
			}
			if err := dup([]string{item.key}); err != nil {
				return nil, err
			}
			proj.items = append(proj.items, item)
		case *soql.SubQuery:
			item, err := c.childQuery(p, it.Query)
			if err != nil {
				return nil, err
			}
			proj.items = append(proj.items, item)
		}
	}
	return proj, nil
}

// selected returns the field path of a select expression and how to show
// it: a field, or a field wrapped in toLabel, FORMAT or convertCurrency.
func (c *compiler) selected(e soql.Expr) ([]string, soql.Pos, show, error) {
	switch e := e.(type) {
	case *soql.Field:
		return e.Path, e.Pos, showValue, nil
	case *soql.Call:
		if len(e.Args) != 1 {
			break
		}
		if f, ok := e.Args[0].(*soql.Field); ok {
			switch e.Name {
			case "toLabel":
				return f.Path, f.Pos, showLabel, nil
			case "FORMAT":
				return f.Path, f.Pos, showFormat, nil
			case "convertCurrency":
				return f.Path, f.Pos, showValue, nil
			}
		}
		return nil, e.Pos, 0, c.malformed(e.Pos, "%s() can only be selected in an aggregate query", e.Name)
	}
	return nil, soql.Pos{}, 0, c.malformed(soql.Pos{}, "unexpected select item")
}

// addPath adds the field at path to proj, creating the nested projections
// of the parent relationships on the way. alias renames a top-level field.
func (c *compiler) addPath(proj *projection, path []string, pos soql.Pos, sh show, alias string) error {
	o := proj.obj
	if len(path) == 1 {
		f, err := c.field(o, path[0], pos)
		if err != nil {
			return err
		}
		key := f.Name
		if alias != "" {
			key = alias
		}
		proj.items = append(proj.items, &projItem{key: key, field: f, show: sh})
		return nil
	}
	rel, targets, err := c.relationship(o, path[0], pos)
	if err != nil {
		return err
	}
	var item *projItem
	for _, it := range proj.items {
		if it.hop == rel && !it.typeOf {
			item = it
		}
	}
	if item == nil {
		item = &projItem{key: rel.RelationshipName, hop: rel, nested: map[*schema.Object]*projection{}}
		for _, t := range targets {
			item.nested[t] = newProjection(t)
		}
		proj.items = append(proj.items, item)
	}
	poly := polymorphic(rel)
	var firstErr error
	added := false
	for _, t := range targets {
		np := item.nested[t]
		if poly && len(path) == 2 && strings.EqualFold(path[1], "Type") {
			np.items = append(np.items, &projItem{key: "Type", show: showObjType})
			added = true
			continue
		}
		if err := c.addPath(np, path[1:], pos, sh, ""); err != nil {
			if !poly {
				return err
			}
			firstErr = cmpOr(firstErr, err)
			continue
		}
		added = true
	}
	if !added {
		return firstErr
	}
	return nil
}

// typeOf compiles TYPEOF rel WHEN Type THEN fields ... ELSE fields END.
func (c *compiler) typeOf(p *plan, t *soql.TypeOf) (*projItem, error) {
	rel, targets, err := c.relationship(p.obj, t.Field, t.Pos)
	if err != nil {
		return nil, err
	}
	for _, w := range t.Whens {
		if c.reg.Object(w.Type) == nil {
			return nil, c.unsupportedType(w.Pos, w.Type)
		}
	}
	item := &projItem{key: rel.RelationshipName, hop: rel, typeOf: true, nested: map[*schema.Object]*projection{}}
	for _, target := range targets {
		np := newProjection(target)
		item.nested[target] = np
		fields, explicit := t.Else, false
		for _, w := range t.Whens {
			if strings.EqualFold(w.Type, target.Name) {
				fields, explicit = w.Fields, true
			}
		}
		for _, f := range fields {
			if err := c.addPath(np, f.Path, f.Pos, showValue, ""); err != nil && explicit {
				return nil, err
			}
		}
	}
	return item, nil
}

// childQuery compiles a parent-to-child subquery of the select list.
func (c *compiler) childQuery(p *plan, q *soql.Query) (*projItem, error) {
	name := q.From
	if prefix, rel, ok := strings.Cut(name, "."); ok && (strings.EqualFold(prefix, p.alias) || strings.EqualFold(prefix, p.obj.Name)) {
		name = rel
	}
	cr := p.obj.ChildRelationship(name)
	if cr == nil || cr.Name == "" || !c.who.CanReadObject(cr.Object) || !c.who.CanReadField(cr.Field) {
		return nil, c.badChildRelationship(q.FromPos, name)
	}
	child, err := c.compileQuery(q, cr.Object)
	if err != nil {
		return nil, err
	}
	child.parentField = cr.Field
	return &projItem{key: cr.Name, sub: child}, nil
}
