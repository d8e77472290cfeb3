package recipe

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"

	"github.com/sfbridge/sfbridge/internal/workflow"
)

// builderComments are the comments Draft.YAML writes: a document holding
// any other would lose it in the builder.
var builderComments = []string{
	"Written by the sfbridge console's workflow builder; `sfbridge workflow apply` takes it as it is.",
	"pick the fields to sync",
}

// NotBuildableError says why the builder cannot show a workflow document
// without losing part of it: each reason names the part, in the words of
// the document ("transform of fields[1] (Email) has an argument").
type NotBuildableError struct {
	Reasons []string
}

func (e *NotBuildableError) Error() string {
	return fmt.Sprintf("%s: %s", ErrNotBuildable, strings.Join(e.Reasons, "; "))
}

// Unwrap makes the error match ErrNotBuildable.
func (e *NotBuildableError) Unwrap() error { return ErrNotBuildable }

// DraftOf reads a workflow document back into the builder's draft, so
// that a stored workflow can be edited in the builder. It refuses, with a
// *NotBuildableError listing every reason, a document the builder cannot
// show whole: comments of its own, settings the builder has no control
// for (a description, a schedule, delete policies, nested conditions,
// transform chains, fixed values...), or anything the draft would write
// back with another meaning. What it accepts, Draft.YAML writes back with
// the same meaning; a document the builder wrote, it writes back byte for
// byte (docs/adr/0305-editing-a-workflow-in-the-builder.md).
func DraftOf(doc []byte) (Draft, error) {
	def, err := workflow.Parse(doc)
	if err != nil {
		return Draft{}, &NotBuildableError{Reasons: []string{"the document has problems (" + err.Error() + ")"}}
	}
	reasons := unbuildable(string(doc), def)
	if len(reasons) > 0 {
		return Draft{}, &NotBuildableError{Reasons: reasons}
	}
	d := Draft{Name: def.Name, Org: def.Org, Owner: def.Owner, Enabled: def.Enabled, Object: def.Object, Sheet: def.Sheet,
		Direction: def.Direction.String(), Conflicts: string(def.Conflicts)}
	if o := def.Outbound; o != nil {
		d.Operation, d.ExternalID = string(o.Operation), o.ExternalID
	}
	if def.When != nil {
		for _, c := range comparisons(def.When) {
			d.Conditions = append(d.Conditions, DraftCondition{Field: c.Field, Op: string(c.Op), Value: valueText(c.Value)})
		}
	}
	for _, f := range def.Fields {
		df := DraftField{Salesforce: f.Salesforce[0], Column: f.Column}
		if f.Direction != 0 && f.Direction != def.Direction {
			df.Direction = f.Direction.String()
		}
		if len(f.Transform) == 1 {
			df.Transform = f.Transform[0].Name()
		}
		d.Fields = append(d.Fields, df)
	}
	// The safety net: what the draft writes must mean what the document
	// says, whatever the checks above missed.
	again, err := workflow.Parse([]byte(d.YAML()))
	if err != nil {
		return Draft{}, &NotBuildableError{Reasons: []string{"the builder would write it as a document with problems (" + err.Error() + ")"}}
	}
	if path := firstDifference("", canonical(def), canonical(again)); path != "" {
		return Draft{}, &NotBuildableError{Reasons: []string{fmt.Sprintf("%s, which the builder would write with another meaning", path)}}
	}
	return d, nil
}

// unbuildable lists the parts of def (read from doc) the builder has no
// control for.
func unbuildable(doc string, def *workflow.Definition) []string {
	var out []string
	for _, tk := range lexer.Tokenize(doc) {
		if tk.Type == token.CommentType && !slices.Contains(builderComments, strings.TrimSpace(tk.Value)) {
			out = append(out, fmt.Sprintf("comments (the first at line %d), which the builder would drop", tk.Position.Line))
			break
		}
	}
	one := def.Direction.String() != "both"
	for _, s := range []struct {
		set  bool
		what string
	}{
		{def.Description != "", "description"},
		{def.Country != "", "country"},
		{def.Timezone != "", "timezone"},
		{def.WeekStart != "", "week_start"},
		{def.NoLongerMatching != "", "no_longer_matching"},
		{def.Deletes != nil, "deletes"},
		{def.Schedule != nil, "schedule"},
		{def.Outbound != nil && def.Outbound.MatchBy != "", "outbound.match_by"},
		{def.Outbound != nil && def.Outbound.ExternalID != "" && def.Outbound.Operation != workflow.OpUpsert, "outbound.external_id without upsert"},
		{def.Outbound != nil && def.Direction.String() == "inbound", "outbound on an inbound workflow"},
		{def.When != nil && def.Direction.String() == "outbound", "when on an outbound workflow"},
		{def.Conflicts != "" && one, "conflicts on a one-way workflow"},
	} {
		if s.set {
			out = append(out, s.what+", which the builder has no control for")
		}
	}
	if def.When != nil && comparisons(def.When) == nil {
		out = append(out, "conditions grouped with any or not, or groups inside all: the builder only joins conditions with all")
	}
	for i, c := range comparisons(def.When) {
		where := fmt.Sprintf("the value of condition %d (%s)", i+1, c.Field)
		values, list := c.Value.([]any)
		if !list {
			values = []any{c.Value}
		}
		for _, v := range values {
			text, isText := v.(string)
			switch {
			case list && strings.Contains(valueText(v), ","):
				out = append(out, where+" holds a comma, which the builder reads as a separator")
			case isText && readsAsValue(text):
				out = append(out, fmt.Sprintf("%s is the text %q, which the builder writes as a number or true/false", where, text))
			case isText && text != strings.TrimSpace(text):
				out = append(out, fmt.Sprintf("%s %q has spaces around it, which the builder trims", where, text))
			default:
				continue
			}
			break
		}
	}
	for i, f := range def.Fields {
		where := fmt.Sprintf("fields[%d] (%s)", i, strings.Join(f.Salesforce, ", "))
		switch {
		case len(f.Salesforce) != 1:
			out = append(out, where+" joins several Salesforce fields, which the builder cannot")
		case f.Column == "":
			out = append(out, where+" gives a fixed value instead of a column, which the builder cannot")
		case f.Type != "":
			out = append(out, where+" sets a column type, which the builder has no control for")
		case len(f.Transform) > 1:
			out = append(out, where+" chains several transforms, where the builder offers one")
		case len(f.Transform) == 1 && f.Transform[0].String() != f.Transform[0].Name():
			out = append(out, where+" has a transform with an argument ("+f.Transform[0].String()+"), which the builder cannot set")
		}
	}
	return out
}

// readsAsValue reports whether the builder writes text unquoted, as a
// number or a boolean YAML reads back as such (conditionValue).
func readsAsValue(text string) bool {
	t := strings.TrimSpace(text)
	return (number.MatchString(t) && json.Valid([]byte(t))) || t == "true" || t == "false"
}

// comparisons returns the comparisons of a condition the builder can show
// (one comparison, or all of several), or nil for any other tree.
func comparisons(c *workflow.Condition) []*workflow.Condition {
	switch {
	case c == nil:
		return nil
	case c.All != nil:
		if slices.ContainsFunc(c.All, func(x *workflow.Condition) bool { return x == nil || x.Field == "" }) {
			return nil
		}
		return c.All
	case c.Field != "":
		return []*workflow.Condition{c}
	}
	return nil
}

// valueText writes a condition's value as the builder's text box holds
// it: a list comma-separated.
func valueText(v any) string {
	if l, ok := v.([]any); ok {
		items := make([]string, len(l))
		for i, x := range l {
			items[i] = valueText(x)
		}
		return strings.Join(items, ", ")
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// canonical is a definition as plain data, with what the document may
// write in two ways written in one: a single condition as all of one, a
// field's direction that is the workflow's left out.
func canonical(def *workflow.Definition) any {
	c := *def
	if cs := comparisons(c.When); cs != nil {
		c.When = &workflow.Condition{All: cs}
	}
	c.Fields = slices.Clone(c.Fields)
	for i := range c.Fields {
		if c.Fields[i].Direction == c.Direction {
			c.Fields[i].Direction = 0
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err.Error()
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return err.Error()
	}
	return out
}

// firstDifference returns the key path of the first difference between
// two values of plain data under path ("fields[2].transform"), or "".
func firstDifference(path string, a, b any) string {
	if reflect.DeepEqual(a, b) {
		return ""
	}
	if x, ok := a.(map[string]any); ok {
		if y, ok := b.(map[string]any); ok {
			union := maps.Clone(x)
			maps.Copy(union, y)
			for _, k := range slices.Sorted(maps.Keys(union)) {
				if p := firstDifference(strings.TrimPrefix(path+"."+k, "."), x[k], y[k]); p != "" {
					return p
				}
			}
		}
	}
	if x, ok := a.([]any); ok {
		if y, ok := b.([]any); ok && len(x) == len(y) {
			for i := range x {
				if p := firstDifference(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); p != "" {
					return p
				}
			}
		}
	}
	if path == "" {
		return "the document"
	}
	return path
}
