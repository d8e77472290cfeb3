package workflow

import (
	"encoding/json"
	"strings"
)

// Condition is a node of a workflow's condition tree: exactly one of All,
// Any, Not, or a comparison (Field, Op and, for most operators, Value).
type Condition struct {
	All []*Condition // every child matches
	Any []*Condition // at least one child matches
	Not *Condition   // the child does not match

	Field string   // a field or relationship path
	Op    Operator // the comparison
	// Value is the right-hand side as written: a scalar (string,
	// json.Number, bool) or, for in, not in, includes and excludes, a
	// []any of scalars. Nil for is null and is not null.
	Value any
}

// Operator is a comparison operator, spelled as in workflow files.
type Operator string

// The operators: SOQL's, with "is null" and "is not null" for "= null"
// and "!= null".
const (
	OpEq        Operator = "="
	OpNe        Operator = "!="
	OpLt        Operator = "<"
	OpLe        Operator = "<="
	OpGt        Operator = ">"
	OpGe        Operator = ">="
	OpLike      Operator = "like"
	OpIn        Operator = "in"
	OpNotIn     Operator = "not in"
	OpIncludes  Operator = "includes"
	OpExcludes  Operator = "excludes"
	OpIsNull    Operator = "is null"
	OpIsNotNull Operator = "is not null"
)

var operators = []Operator{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike, OpIn, OpNotIn, OpIncludes, OpExcludes, OpIsNull, OpIsNotNull}

// takesList reports whether the operator's value is a list.
func (o Operator) takesList() bool {
	return o == OpIn || o == OpNotIn || o == OpIncludes || o == OpExcludes
}

// takesValue reports whether the operator has a value at all.
func (o Operator) takesValue() bool { return o != OpIsNull && o != OpIsNotNull }

// MarshalJSON writes the condition in the shape a workflow file uses.
func (c *Condition) MarshalJSON() ([]byte, error) {
	switch {
	case c.All != nil:
		return json.Marshal(map[string]any{"all": c.All})
	case c.Any != nil:
		return json.Marshal(map[string]any{"any": c.Any})
	case c.Not != nil:
		return json.Marshal(map[string]any{"not": c.Not})
	}
	type comparison struct {
		Field string   `json:"field"`
		Op    Operator `json:"op"`
		Value any      `json:"value,omitempty"`
	}
	cmp := comparison{Field: c.Field, Op: c.Op}
	if c.Op.takesValue() {
		// A value of false or 0 must not vanish: marshal it explicitly.
		b, err := json.Marshal(c.Value)
		if err != nil {
			return nil, err
		}
		cmp.Value = json.RawMessage(b)
	}
	return json.Marshal(cmp)
}

// decodeCondition reads a condition node: a list (all of its items), a map
// with all, any or not, or a comparison map.
func (d *decoder) decodeCondition(n *node, path string) *Condition {
	switch n.kind {
	case nodeList:
		return &Condition{All: d.decodeConditions(n, path)}
	case nodeMap:
	default:
		d.fail(path, CodeInvalidValue, `for example {field: Rating, op: "=", value: Hot}, or all: [...]`,
			"expected a condition, found %s", n.kind)
		return nil
	}
	for _, group := range []string{"all", "any", "not"} {
		v := n.get(group)
		if v == nil {
			continue
		}
		if len(n.keys) > 1 {
			d.fail(path, CodeInvalidValue, "put the other keys in a condition of their own under "+group,
				"%q must be the only key of its condition", group)
			return nil
		}
		p := child(path, group)
		d.pos[p] = v.pos
		switch group {
		case "all":
			if d.want(v, p, nodeList, "all: [{field: ..., op: ..., value: ...}, ...]") {
				return &Condition{All: d.decodeConditions(v, p)}
			}
		case "any":
			if d.want(v, p, nodeList, "any: [{field: ..., op: ..., value: ...}, ...]") {
				return &Condition{Any: d.decodeConditions(v, p)}
			}
		default:
			if inner := d.decodeCondition(v, p); inner != nil {
				return &Condition{Not: inner}
			}
		}
		return nil
	}
	c := &Condition{}
	var op string
	ok := d.fields(n, path, []key{
		{name: "field", required: true, decode: d.nonEmpty(&c.Field)},
		{name: "op", required: true, decode: d.nonEmpty(&op)},
		{name: "value", decode: func(v *node, p string) { c.Value = v.plain() }},
	})
	if !ok || c.Field == "" || op == "" {
		return nil // reported by fields or nonEmpty
	}
	c.Op = d.decodeOperator(op, child(path, "op"))
	if c.Op == "" {
		return nil
	}
	v := n.get("value")
	vp := child(path, "value")
	switch {
	case v == nil && c.Op.takesValue():
		d.fail(path, CodeMissingKey, "", `missing "value" for operator %q`, c.Op)
	case v == nil:
	case !c.Op.takesValue():
		d.fail(vp, CodeInvalidValue, "remove the value", "operator %q takes no value", c.Op)
	case v.kind == nodeNull && (c.Op == OpEq || c.Op == OpNe):
		// "= null" and "!= null" read as is null and is not null.
		c.Op, c.Value = map[Operator]Operator{OpEq: OpIsNull, OpNe: OpIsNotNull}[c.Op], nil
	case c.Op.takesList():
		if !d.want(v, vp, nodeList, "[Web, Phone Inquiry]") {
			return nil
		}
		if len(v.items) == 0 {
			d.fail(vp, CodeInvalidValue, "give at least one value", "operator %q needs a non-empty list", c.Op)
			return nil
		}
		for i, it := range v.items {
			d.pos[index(vp, i)] = it.pos
			d.want(it, index(vp, i), nodeScalar, "")
		}
	default:
		if !d.want(v, vp, nodeScalar, "") {
			return nil
		}
	}
	return c
}

func (d *decoder) decodeConditions(n *node, path string) []*Condition {
	if len(n.items) == 0 {
		d.fail(path, CodeInvalidValue, "give at least one condition, or remove the group", "empty condition group")
		return []*Condition{}
	}
	out := make([]*Condition, 0, len(n.items))
	for i, it := range n.items {
		p := index(path, i)
		d.pos[p] = it.pos
		// A condition that could not be read stays as nil, so that the
		// others keep their index (and their key path).
		out = append(out, d.decodeCondition(it, p))
	}
	return out
}

// decodeOperator reads an operator, case and spacing aside ("NOT  IN").
func (d *decoder) decodeOperator(s, path string) Operator {
	norm := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	for _, op := range operators {
		if string(op) == norm {
			return op
		}
	}
	names := make([]string, len(operators))
	for i, op := range operators {
		names[i] = string(op)
	}
	hint := map[string]string{"==": `did you mean "="?`, "<>": `did you mean "!="?`, "not like": `use not: {field: ..., op: like, value: ...}`}[norm]
	if hint == "" {
		hint = didYouMean(norm, names)
	}
	if hint == "" {
		hint = "use one of: " + strings.Join(names, ", ")
	}
	d.fail(path, CodeInvalidValue, hint, "unknown operator %q", s)
	return ""
}
