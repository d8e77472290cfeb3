package mapping

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// textOrList accepts text and lists (applied to each item), the kinds the
// text transforms take.
func textOrList(name string, in Kind) error {
	if in != KindText && in != KindList {
		return wrongKind(name, in, KindText, KindList)
	}
	return nil
}

// eachText applies fn to a text value or to every item of a list; null
// passes through.
func eachText(v Value, fn func(string) (string, error)) (Value, error) {
	switch v.kind {
	case KindText:
		s, err := fn(v.s)
		if err != nil {
			return Value{}, err
		}
		return Text(s), nil
	case KindList:
		items := make([]string, 0, len(v.list))
		for _, it := range v.list {
			s, err := fn(it)
			if err != nil {
				return Value{}, err
			}
			if s != "" {
				items = append(items, s)
			}
		}
		return Value{kind: KindList, list: items}, nil
	}
	return v, nil
}

// ---- trim ----

type trimT struct{ kinds }

func parseTrim(arg any) (builder, error) {
	if err := noArg(arg); err != nil {
		return nil, err
	}
	return func(_ Env, in Kind) (Transform, error) {
		if err := textOrList("trim", in); err != nil {
			return nil, err
		}
		return trimT{kinds{in, in}}, nil
	}, nil
}

func (t trimT) Apply(v Value) (Value, error) {
	return eachText(v, func(s string) (string, error) { return strings.TrimSpace(s), nil })
}

// Inverse: spaces around a value carry no information, so the way back
// trims too.
func (t trimT) Inverse() (Transform, error) { return t, nil }
func (t trimT) String() string              { return "trim" }

// ---- upper, lower, title ----

type caseT struct {
	kinds
	name string
	fn   func(string) string
}

func caseParser(name string, fn func(string) string) stepParser {
	return func(arg any) (builder, error) {
		if err := noArg(arg); err != nil {
			return nil, err
		}
		return func(_ Env, in Kind) (Transform, error) {
			if err := textOrList(name, in); err != nil {
				return nil, err
			}
			return caseT{kinds{in, in}, name, fn}, nil
		}, nil
	}
}

func (t caseT) Apply(v Value) (Value, error) {
	return eachText(v, func(s string) (string, error) { return t.fn(s), nil })
}

func (t caseT) Inverse() (Transform, error) {
	return nil, oneWay("changing case loses the original spelling")
}

func (t caseT) String() string { return t.name }

// titleCase capitalises the first letter of every word and lowers the
// others: "jean-luc O'NEIL" becomes "Jean-Luc O'Neil".
func titleCase(s string) string {
	var b strings.Builder
	prevLetter := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) && !prevLetter:
			b.WriteRune(unicode.ToTitle(r))
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
		prevLetter = unicode.IsLetter(r)
	}
	return b.String()
}

// ---- default ----

// defaultT replaces an empty value (null, blank text, empty list) with a
// fixed one.
type defaultT struct {
	kinds
	raw   string
	value Value
}

func parseDefault(arg any) (builder, error) {
	raw, ok := argString(arg)
	if !ok {
		return nil, errors.New("expected the value to use, e.g. default: Unknown")
	}
	return func(_ Env, in Kind) (Transform, error) {
		var v Value
		var err error
		switch in {
		case KindText:
			v = Text(raw)
		case KindNumber, KindBool, KindList:
			v, err = convert(Text(raw), in, time.UTC)
		case KindDate, KindDateTime, KindTime:
			v, err = parseISO(raw, in)
		default:
			return nil, fmt.Errorf("default cannot fill a %s value", in)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a %s: %w", raw, in, err)
		}
		return defaultT{kinds{in, in}, raw, v}, nil
	}, nil
}

func (t defaultT) Apply(v Value) (Value, error) {
	if v.IsEmpty() {
		return t.value, nil
	}
	return v, nil
}

// Inverse: the default applies both ways, so an emptied cell writes the
// default to Salesforce and both sides agree on it.
func (t defaultT) Inverse() (Transform, error) { return t, nil }
func (t defaultT) String() string              { return "default: " + argText(t.raw) }

// ---- map ----

// mapT translates values through a table; values not in the table become
// Otherwise when it is set, or pass through unchanged.
type mapT struct {
	kinds
	pairs     map[string]string // from -> to
	otherwise *string
}

func parseMap(arg any) (builder, error) {
	if m, ok := arg.(map[string]any); !ok || m["values"] == nil {
		return nil, errors.New(`expected {values: {Hot: Chaud, ...}, otherwise: ...}: the pairs go under "values"`)
	}
	m, err := argMap(arg, "values", "otherwise")
	if err != nil {
		return nil, err
	}
	vals, ok := m["values"].(map[string]any)
	if !ok || len(vals) == 0 {
		return nil, errors.New(`expected "values:" with at least one "from: to" pair`)
	}
	pairs := make(map[string]string, len(vals))
	for from, to := range vals {
		s, ok := argString(to)
		if !ok && to != nil {
			return nil, fmt.Errorf("value for %q: expected text, not a list or map", from)
		}
		pairs[from] = s
	}
	var otherwise *string
	if o, present := m["otherwise"]; present {
		s, ok := argString(o)
		if !ok && o != nil {
			return nil, errors.New(`"otherwise": expected text`)
		}
		otherwise = &s
	}
	return func(_ Env, in Kind) (Transform, error) {
		switch in {
		case KindText, KindNumber, KindBool:
			return mapT{kinds{in, KindText}, pairs, otherwise}, nil
		case KindList:
			return mapT{kinds{in, KindList}, pairs, otherwise}, nil
		}
		return nil, wrongKind("map", in, KindText, KindNumber, KindBool, KindList)
	}, nil
}

// lookup finds s in the table: exactly, then ignoring case.
func (t mapT) lookup(s string) (string, bool) {
	if to, ok := t.pairs[s]; ok {
		return to, true
	}
	for from, to := range t.pairs {
		if strings.EqualFold(from, s) {
			return to, true
		}
	}
	if t.otherwise != nil {
		return *t.otherwise, true
	}
	return s, false
}

func (t mapT) Apply(v Value) (Value, error) {
	switch v.kind {
	case KindNull:
		return v, nil
	case KindList:
		return eachText(v, func(s string) (string, error) {
			out, _ := t.lookup(s)
			return out, nil
		})
	}
	out, _ := t.lookup(v.String())
	if t.out == KindNumber || t.out == KindBool {
		// The inverse of a map that read numbers or booleans.
		return convert(Text(out), t.out, time.UTC)
	}
	return Text(out), nil
}

// Inverse swaps the table when no two values map to the same one and no
// "otherwise" folds the rest together.
func (t mapT) Inverse() (Transform, error) {
	if t.otherwise != nil {
		return nil, oneWay(`"otherwise" turns many values into one, which cannot be undone`)
	}
	back := make(map[string]string, len(t.pairs))
	for _, from := range slices.Sorted(maps.Keys(t.pairs)) {
		to := t.pairs[from]
		for prev, seen := range back {
			if strings.EqualFold(prev, to) {
				return nil, oneWay(fmt.Sprintf("%q and %q both become %q", seen, from, to))
			}
		}
		back[to] = from
	}
	return mapT{kinds{t.out, t.in}, back, nil}, nil
}

func (t mapT) String() string {
	vals := make(map[string]any, len(t.pairs))
	for k, v := range t.pairs {
		vals[k] = v
	}
	arg := map[string]any{"values": vals}
	if t.otherwise != nil {
		arg["otherwise"] = *t.otherwise
	}
	return "map: " + argText(arg)
}

// ---- concat ----

// concatT joins the values of several fields (or of a multi-select
// picklist) into one text, skipping the empty ones.
type concatT struct {
	kinds
	sep string
}

func parseConcat(arg any) (builder, error) {
	sep := " "
	if arg != nil {
		s, ok := argString(arg)
		if !ok {
			return nil, errors.New(`expected the separator, e.g. concat: ", "`)
		}
		sep = s
	}
	return func(_ Env, in Kind) (Transform, error) {
		if in != KindList {
			return nil, errors.New("concat joins several values: give the field several Salesforce fields, or a multi-select picklist")
		}
		return concatT{kinds{KindList, KindText}, sep}, nil
	}, nil
}

func (t concatT) Apply(v Value) (Value, error) {
	if v.kind != KindList {
		return v, nil
	}
	var parts []string
	for _, it := range v.list {
		if strings.TrimSpace(it) != "" {
			parts = append(parts, it)
		}
	}
	if len(parts) == 0 {
		return Null(), nil
	}
	return Text(strings.Join(parts, t.sep)), nil
}

func (t concatT) Inverse() (Transform, error) {
	return nil, oneWay("a joined text cannot be split back reliably")
}

func (t concatT) String() string { return "concat: " + argText(t.sep) }

// ---- split ----

// splitT keeps one part of a text cut at a separator: part 1 is the first,
// -1 the last. A missing part is null.
type splitT struct {
	kinds
	sep  string
	part int
}

func parseSplit(arg any) (builder, error) {
	m, err := argMap(arg, "separator", "part")
	if err != nil {
		return nil, err
	}
	sep, ok := argString(m["separator"])
	if !ok || sep == "" {
		return nil, errors.New(`expected "separator:" (non-empty text)`)
	}
	part, ok := argInt(m["part"])
	if !ok || part == 0 {
		return nil, errors.New(`expected "part:" a whole number: 1 for the first part, -1 for the last`)
	}
	return func(_ Env, in Kind) (Transform, error) {
		if in != KindText {
			return nil, wrongKind("split", in, KindText)
		}
		return splitT{kinds{KindText, KindText}, sep, part}, nil
	}, nil
}

func (t splitT) Apply(v Value) (Value, error) {
	if v.kind != KindText {
		return v, nil
	}
	parts := strings.Split(v.s, t.sep)
	i := t.part - 1
	if t.part < 0 {
		i = len(parts) + t.part
	}
	if i < 0 || i >= len(parts) {
		return Null(), nil
	}
	return Text(strings.TrimSpace(parts[i])), nil
}

func (t splitT) Inverse() (Transform, error) {
	return nil, oneWay("the other parts are lost")
}

func (t splitT) String() string {
	return "split: " + argText(map[string]any{"separator": t.sep, "part": t.part})
}

// ---- truncate ----

// truncateT cuts text to n characters. Bare, it cuts to the Salesforce
// field's length: then it is its own inverse, making sure a long cell still
// fits when written back.
type truncateT struct {
	kinds
	n     int
	field bool // bare: n is the field's length
}

func parseTruncate(arg any) (builder, error) {
	n := 0
	if arg != nil {
		var ok bool
		if n, ok = argInt(arg); !ok || n <= 0 {
			return nil, errors.New("expected a positive number of characters, or nothing to cut to the field's length")
		}
	}
	return func(env Env, in Kind) (Transform, error) {
		if in != KindText {
			return nil, wrongKind("truncate", in, KindText)
		}
		if n > 0 {
			return truncateT{kinds{KindText, KindText}, n, false}, nil
		}
		if env.FieldLength <= 0 {
			return nil, errors.New(`a bare truncate cuts to the Salesforce field's length, and this field has none: give a length, e.g. truncate: 100`)
		}
		return truncateT{kinds{KindText, KindText}, env.FieldLength, true}, nil
	}, nil
}

func (t truncateT) Apply(v Value) (Value, error) {
	if v.kind != KindText || utf8.RuneCountInString(v.s) <= t.n {
		return v, nil
	}
	return Text(string([]rune(v.s)[:t.n])), nil
}

func (t truncateT) Inverse() (Transform, error) {
	if t.field {
		return t, nil
	}
	return nil, oneWay(fmt.Sprintf("cutting to %d characters loses the end of longer values", t.n))
}

func (t truncateT) String() string {
	if t.field {
		return "truncate"
	}
	return fmt.Sprintf("truncate: %d", t.n)
}

// ---- replace ----

// replaceT replaces every occurrence of Old with New.
type replaceT struct {
	kinds
	old, new string
}

func parseReplace(arg any) (builder, error) {
	m, err := argMap(arg, "old", "new")
	if err != nil {
		return nil, err
	}
	old, ok := argString(m["old"])
	if !ok || old == "" {
		return nil, errors.New(`expected "old:" (the non-empty text to replace)`)
	}
	repl := ""
	if m["new"] != nil {
		if repl, ok = argString(m["new"]); !ok {
			return nil, errors.New(`expected "new:" text`)
		}
	}
	return func(_ Env, in Kind) (Transform, error) {
		if err := textOrList("replace", in); err != nil {
			return nil, err
		}
		return replaceT{kinds{in, in}, old, repl}, nil
	}, nil
}

func (t replaceT) Apply(v Value) (Value, error) {
	return eachText(v, func(s string) (string, error) { return strings.ReplaceAll(s, t.old, t.new), nil })
}

func (t replaceT) Inverse() (Transform, error) {
	return nil, oneWay("the replaced text cannot be told apart from text that was already there")
}

func (t replaceT) String() string {
	return "replace: " + argText(map[string]any{"old": t.old, "new": t.new})
}
