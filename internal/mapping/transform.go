package mapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Transform is one step of a field's transform chain, bound to the kind of
// value it receives and ready to run.
//
// Transforms are written in the direction the field flows: from Salesforce
// to the sheet on an inbound or two-way field, from the sheet to Salesforce
// on an outbound field. A two-way field runs the inverse chain outbound:
// each step's Inverse, in reverse order. A step without an inverse is
// one-way and makes its field one-way (docs/adr/0063-transforms.md).
type Transform interface {
	// In is the kind of value the step takes, Out the kind it produces.
	In() Kind
	Out() Kind
	// Apply transforms one value of kind In (or null). Null passes through
	// unchanged unless the step exists to replace it (default).
	Apply(v Value) (Value, error)
	// Inverse returns the step that undoes this one (taking Out, producing
	// In); the error wraps ErrOneWay when there is none.
	Inverse() (Transform, error)
	// String returns the step as a workflow would write it.
	String() string
}

// kinds implements In and Out for the transforms.
type kinds struct{ in, out Kind }

func (k kinds) In() Kind  { return k.in }
func (k kinds) Out() Kind { return k.out }

// Env is what transforms need to know about where they run.
type Env struct {
	// Country is the ISO 3166 code (FR, US ...) of the country whose
	// national phone numbers are written without a country code. Empty
	// means national numbers cannot be read.
	Country string
	// Location is the time zone dates are read and written in; nil is UTC.
	Location *time.Location
	// FieldLength is the length of the Salesforce text field the chain
	// belongs to, which a bare "truncate" cuts to; 0 when it has none.
	FieldLength int
}

// rowContext is what a step may know of the record (inbound) or row
// (outbound) its value belongs to, besides the value itself.
type rowContext struct {
	// Country is the ISO code of the record's own country, read from the
	// field a phone step names (country_field); the value as stored when
	// it names no country sfbridge knows; "" when the record has none.
	Country string
	// Stored is the country as the record or row holds it ("France"), for
	// messages.
	Stored string
}

// contextual is a Transform whose result depends on the record's rowContext;
// Apply runs it with an empty one.
type contextual interface {
	applyIn(ctx rowContext, v Value) (Value, error)
}

func (e Env) location() *time.Location {
	if e.Location == nil {
		return time.UTC
	}
	return e.Location
}

// Step is a transform as written in a workflow: a name and an argument in
// plain data (nil, string, bool, json.Number or float64, []any,
// map[string]any). NewStep checks the argument; Bind makes the runnable
// Transform once the field it applies to is known.
type Step struct {
	name  string
	arg   any
	build builder
}

// builder makes a step's Transform for values of kind in, or says why the
// step cannot take them.
type builder func(env Env, in Kind) (Transform, error)

// stepParser checks a step's argument and returns its builder.
type stepParser func(arg any) (builder, error)

// library holds the transforms, by name.
var library = map[string]stepParser{
	"trim":          parseTrim,
	"upper":         caseParser("upper", strings.ToUpper),
	"lower":         caseParser("lower", strings.ToLower),
	"title":         caseParser("title", titleCase),
	"default":       parseDefault,
	"map":           parseMap,
	"format_date":   dateParser(true),
	"parse_date":    dateParser(false),
	"format_number": numberParser(true),
	"parse_number":  numberParser(false),
	"phone":         parsePhoneStep,
	"concat":        parseConcat,
	"split":         parseSplit,
	"truncate":      parseTruncate,
	"replace":       parseReplace,
}

// StepNames lists the transform names, sorted.
func StepNames() []string { return slices.Sorted(maps.Keys(library)) }

// NewStep checks a step as written: its name and argument. The error wraps
// ErrBadStep and says what the argument should look like.
func NewStep(name string, arg any) (*Step, error) {
	parse, ok := library[name]
	if !ok {
		return nil, fmt.Errorf("%w: no transform %q", ErrBadStep, name)
	}
	build, err := parse(arg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadStep, name, err)
	}
	return &Step{name: name, arg: arg, build: build}, nil
}

// Name returns the transform's name.
func (s *Step) Name() string { return s.name }

// Bind returns the runnable transform for values of kind in, on a field in
// env, or an error saying why the step cannot take them.
func (s *Step) Bind(env Env, in Kind) (Transform, error) { return s.build(env, in) }

// CountryField returns the Salesforce field the step reads each record's
// country from (a phone step's country_field), or "". The workflow selects
// that field and gives it to the mapped field as Spec.Country.
func (s *Step) CountryField() string {
	if m, ok := s.arg.(map[string]any); ok && s.name == "phone" {
		f, _ := m["country_field"].(string)
		return strings.TrimSpace(f)
	}
	return ""
}

// String returns the step as a workflow would write it.
func (s *Step) String() string {
	if s.arg == nil {
		return s.name
	}
	return s.name + ": " + argText(s.arg)
}

// MarshalJSON writes a bare step as its name and any other as
// {"name": argument}: the shapes a workflow file uses.
func (s *Step) MarshalJSON() ([]byte, error) {
	if s.arg == nil {
		return json.Marshal(s.name)
	}
	return json.Marshal(map[string]any{s.name: s.arg})
}

// argText writes an argument compactly for messages: scalars as they are,
// maps and lists as flow-style YAML.
func argText(a any) string {
	switch x := a.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + argText(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, v := range x {
			parts[i] = argText(v)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if x == "" || strings.ContainsAny(x, ":{}[],#") || strings.TrimSpace(x) != x {
			return fmt.Sprintf("%q", x)
		}
		return x
	case nil:
		return "null"
	}
	return fmt.Sprint(a)
}

// Chain is a field's transforms in the order they run.
type Chain []Transform

// Bind builds the chain of steps for values entering it as kind in. The
// error is a *StepError naming the first step that cannot take what it is
// given.
func Bind(steps []*Step, env Env, in Kind) (Chain, error) {
	c := make(Chain, 0, len(steps))
	k := in
	for i, s := range steps {
		t, err := s.Bind(env, k)
		if err != nil {
			return nil, &StepError{Index: i, Step: s.String(), Err: err}
		}
		c = append(c, t)
		k = t.Out()
	}
	return c, nil
}

// Out returns the kind the chain produces from values of kind in.
func (c Chain) Out(in Kind) Kind {
	if len(c) == 0 {
		return in
	}
	return c[len(c)-1].Out()
}

// Apply runs the chain on v, as for a record without a country of its own.
func (c Chain) Apply(v Value) (Value, error) { return c.applyIn(rowContext{}, v) }

// applyIn runs the chain on v, a value of a record in ctx.
func (c Chain) applyIn(ctx rowContext, v Value) (Value, error) {
	for _, t := range c {
		var err error
		if ct, ok := t.(contextual); ok {
			v, err = ct.applyIn(ctx, v)
		} else {
			v, err = t.Apply(v)
		}
		if err != nil {
			return Value{}, err
		}
	}
	return v, nil
}

// Inverse returns the chain that undoes c: each step's inverse, in reverse
// order. The error is a *StepError wrapping ErrOneWay when a step has no
// inverse; Index counts steps as written.
func (c Chain) Inverse() (Chain, error) {
	inv := make(Chain, 0, len(c))
	for i := len(c) - 1; i >= 0; i-- {
		t, err := c[i].Inverse()
		if err != nil {
			return nil, &StepError{Index: i, Step: c[i].String(), Err: err}
		}
		inv = append(inv, t)
	}
	return inv, nil
}

// String lists the steps, for plans and messages.
func (c Chain) String() string {
	parts := make([]string, len(c))
	for i, t := range c {
		parts[i] = t.String()
	}
	return strings.Join(parts, " | ")
}

// oneWay returns the error for a step without an inverse.
func oneWay(reason string) error { return fmt.Errorf("%w: %s", ErrOneWay, reason) }

// wrongKind returns the error for a step given a kind it cannot take.
func wrongKind(name string, in Kind, want ...Kind) error {
	names := make([]string, len(want))
	for i, k := range want {
		names[i] = k.String()
	}
	return fmt.Errorf("%s takes a %s value, not a %s", name, strings.Join(names, " or "), in)
}

// ---- argument helpers ----

// argMap reads a map argument, refusing keys other than allowed.
func argMap(arg any, allowed ...string) (map[string]any, error) {
	m, ok := arg.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a map with %s", strings.Join(allowed, ", "))
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown key %s (allowed: %s)", strings.Join(unknown, ", "), strings.Join(allowed, ", "))
	}
	return m, nil
}

// argString reads a string argument; scalars of other types are written
// as text (a YAML "1" for a separator is the string "1").
func argString(a any) (string, bool) {
	switch x := a.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return Float(x).s, true
	case bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// argInt reads a whole-number argument.
func argInt(a any) (int, bool) {
	var s string
	switch x := a.(type) {
	case json.Number:
		s = x.String()
	case float64:
		s = Float(x).s
	case int:
		return x, true
	default:
		return 0, false
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return 0, false
	}
	return n, true
}

// noArg refuses an argument for steps that take none.
func noArg(arg any) error {
	if arg != nil {
		return errors.New("takes no argument")
	}
	return nil
}
