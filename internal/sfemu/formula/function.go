package formula

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var numOps = map[string]func(a, b float64) float64{
	"+": func(a, b float64) float64 { return a + b },
	"-": func(a, b float64) float64 { return a - b },
	"*": func(a, b float64) float64 { return a * b },
	"/": func(a, b float64) float64 { return a / b }, // ±Inf and NaN become nil in Eval
	"^": math.Pow,
}

// function is a built-in: its argument counts and how it checks and builds
// a call. max < 0 means any number of arguments from min.
type function struct {
	min, max int
	build    func(n *Node, a []typed) (Type, evalFn, error)
}

// functions are the supported functions, by upper-case name.
var functions = map[string]function{
	"IF": {3, 3, buildIf}, "CASE": {4, -1, buildCase},
	"AND": {1, -1, buildLogic(true)}, "OR": {1, -1, buildLogic(false)},
	"NOT": {1, 1, func(n *Node, a []typed) (Type, evalFn, error) {
		if err := want(n, fnName(n), a[0], Boolean); err != nil {
			return 0, nil, err
		}
		return Boolean, func(in Inputs) any { return !truth(a[0].fn(in)) }, nil
	}},
	"ISBLANK": {1, 1, buildIsBlank}, "ISNULL": {1, 1, buildIsBlank},
	"BLANKVALUE": {2, 2, buildBlankValue}, "NULLVALUE": {2, 2, buildBlankValue},
	"TEXT": {1, 1, buildText}, "VALUE": {1, 1, buildValue},
	"LEN": {1, 1, textFn(Number, func(s string, _ []any) any { return float64(utf8.RuneCountInString(s)) })},
	"LEFT": {2, 2, textFn(Text, func(s string, x []any) any {
		return substr(s, 0, num(x[0]))
	}, Number)},
	"RIGHT": {2, 2, textFn(Text, func(s string, x []any) any {
		k := int(math.Max(0, num(x[0])))
		r := []rune(s)
		return string(r[max(0, len(r)-k):])
	}, Number)},
	"MID": {3, 3, textFn(Text, func(s string, x []any) any {
		return substr(s, max(0, int(num(x[0]))-1), num(x[1]))
	}, Number, Number)},
	"UPPER":    {1, 1, textFn(Text, func(s string, _ []any) any { return strings.ToUpper(s) })},
	"LOWER":    {1, 1, textFn(Text, func(s string, _ []any) any { return strings.ToLower(s) })},
	"TRIM":     {1, 1, textFn(Text, func(s string, _ []any) any { return strings.TrimSpace(s) })},
	"CONTAINS": {2, 2, textFn(Boolean, func(s string, x []any) any { return strings.Contains(s, str(x[0])) }, Text)},
	"BEGINS":   {2, 2, textFn(Boolean, func(s string, x []any) any { return strings.HasPrefix(s, str(x[0])) }, Text)},
	"SUBSTITUTE": {3, 3, textFn(Text, func(s string, x []any) any {
		if str(x[0]) == "" {
			return s
		}
		return strings.ReplaceAll(s, str(x[0]), str(x[1]))
	}, Text, Text)},
	"ROUND":   {2, 2, numFn(func(x []float64) any { return round(x[0], x[1]) })},
	"FLOOR":   {1, 1, numFn(func(x []float64) any { return math.Floor(x[0]) })},
	"CEILING": {1, 1, numFn(func(x []float64) any { return math.Ceil(x[0]) })},
	"ABS":     {1, 1, numFn(func(x []float64) any { return math.Abs(x[0]) })},
	"MOD": {2, 2, numFn(func(x []float64) any {
		if x[1] == 0 {
			return nil
		}
		return math.Mod(x[0], x[1])
	})},
	"MAX": {1, -1, numFn(func(x []float64) any { return fold(x, math.Max) })},
	"MIN": {1, -1, numFn(func(x []float64) any { return fold(x, math.Min) })},
	"TODAY": {0, 0, func(*Node, []typed) (Type, evalFn, error) {
		return Date, func(in Inputs) any { return dateOf(in.Now()) }, nil
	}},
	"NOW": {0, 0, func(*Node, []typed) (Type, evalFn, error) {
		return DateTime, func(in Inputs) any { return in.Now().UTC().Truncate(time.Millisecond) }, nil
	}},
	"DATE": {3, 3, numFn(func(x []float64) any {
		y, m, d := int(x[0]), time.Month(x[1]), int(x[2])
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || t.Month() != m || t.Day() != d {
			return nil // an invalid date is an error in Salesforce
		}
		return t
	}, Date)},
	"YEAR":      {1, 1, datePart(func(t time.Time) int { return t.Year() })},
	"MONTH":     {1, 1, datePart(func(t time.Time) int { return int(t.Month()) })},
	"DAY":       {1, 1, datePart(func(t time.Time) int { return t.Day() })},
	"ADDMONTHS": {2, 2, buildAddMonths},
	"DATEVALUE": {1, 1, buildDateValue},
	"ISPICKVAL": {2, 2, buildIsPickval},
	"HYPERLINK": {2, 3, buildHyperlink},
}

func fnName(n *Node) string { return "function '" + n.Text + "()'" }

func (c *checker) call(n *Node) (Type, evalFn, error) {
	f, ok := functions[n.Text]
	if !ok {
		return 0, nil, errorf(n.Pos, "Unknown function %s. Check spelling.", n.Text)
	}
	if got := len(n.Args); got < f.min || f.max >= 0 && got > f.max {
		exp := strconv.Itoa(f.min)
		if f.max != f.min {
			exp = "at least " + exp
			if f.max > 0 {
				exp = fmt.Sprintf("%d to %d", f.min, f.max)
			}
		}
		return 0, nil, errorf(n.Pos, "Incorrect number of parameters for function '%s()'. Expected %s, received %d", n.Text, exp, got)
	}
	a, err := c.args(n)
	if err != nil {
		return 0, nil, err
	}
	return f.build(n, a)
}

// unify returns the common type of results (NULL fits any), or an error at
// the first that differs.
func unify(n *Node, results []typed) (Type, error) {
	t := Null
	for _, r := range results {
		if r.t == Picklist {
			return 0, picklistMisuse(r.n)
		}
		switch {
		case r.t == Null || r.t == t:
		case t == Null:
			t = r.t
		default:
			return 0, errorf(r.n.Pos, "Incorrect parameter type for %s. Expected %s, received %s", fnName(n), t, r.t)
		}
	}
	return t, nil
}

func buildIf(n *Node, a []typed) (Type, evalFn, error) {
	if err := want(n, fnName(n), a[0], Boolean); err != nil {
		return 0, nil, err
	}
	t, err := unify(n, a[1:])
	if err != nil {
		return 0, nil, err
	}
	return t, func(in Inputs) any {
		if truth(a[0].fn(in)) {
			return a[1].fn(in)
		}
		return a[2].fn(in)
	}, nil
}

func buildCase(n *Node, a []typed) (Type, evalFn, error) {
	if len(a)%2 != 0 {
		return 0, nil, errorf(n.Pos, "Incorrect number of parameters for function 'CASE()'. Expected %d, received %d", len(a)+1, len(a))
	}
	key := a[0]
	kt := key.t
	if kt == Picklist {
		kt = Text
	}
	if err := want(n, fnName(n), typed{n: key.n, t: kt}, Number, Text, Date, DateTime, Boolean); err != nil {
		return 0, nil, err
	}
	results := []typed{a[len(a)-1]}
	for i := 1; i+1 < len(a); i += 2 {
		if err := want(n, fnName(n), a[i], kt); err != nil {
			return 0, nil, err
		}
		results = append(results, a[i+1])
	}
	t, err := unify(n, results)
	if err != nil {
		return 0, nil, err
	}
	return t, func(in Inputs) any {
		k := key.fn(in)
		for i := 1; i+1 < len(a); i += 2 {
			v := a[i].fn(in)
			if k != nil && v != nil && compareValues(k, v) == 0 {
				return a[i+1].fn(in)
			}
		}
		return a[len(a)-1].fn(in)
	}, nil
}

func buildLogic(and bool) func(n *Node, a []typed) (Type, evalFn, error) {
	return func(n *Node, a []typed) (Type, evalFn, error) {
		for _, x := range a {
			if err := want(n, fnName(n), x, Boolean); err != nil {
				return 0, nil, err
			}
		}
		return Boolean, func(in Inputs) any {
			for _, x := range a {
				if truth(x.fn(in)) != and {
					return !and
				}
			}
			return and
		}, nil
	}
}

func buildIsBlank(_ *Node, a []typed) (Type, evalFn, error) {
	return Boolean, func(in Inputs) any {
		v := a[0].fn(in)
		return v == nil || v == ""
	}, nil
}

func buildBlankValue(n *Node, a []typed) (Type, evalFn, error) {
	t, err := unify(n, a)
	if err != nil {
		return 0, nil, err
	}
	return t, func(in Inputs) any {
		if v := a[0].fn(in); v != nil && v != "" {
			return v
		}
		return a[1].fn(in)
	}, nil
}

func buildText(n *Node, a []typed) (Type, evalFn, error) {
	x := a[0]
	if x.t != Picklist {
		if err := want(n, fnName(n), x, Number, Date, DateTime, Text); err != nil {
			return 0, nil, err
		}
	}
	return Text, func(in Inputs) any {
		switch v := x.fn(in).(type) {
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case time.Time:
			if x.t == Date {
				return v.Format("2006-01-02")
			}
			return v.UTC().Format("2006-01-02 15:04:05Z")
		case string:
			return v
		}
		return nil
	}, nil
}

func buildValue(n *Node, a []typed) (Type, evalFn, error) {
	if err := want(n, fnName(n), a[0], Text); err != nil {
		return 0, nil, err
	}
	return Number, func(in Inputs) any {
		f, err := strconv.ParseFloat(strings.TrimSpace(str(a[0].fn(in))), 64)
		if err != nil {
			return nil
		}
		return f
	}, nil
}

// textFn builds a function of a Text first argument and further arguments
// of the given types. A blank first argument gives blank (false for
// Boolean results).
func textFn(result Type, f func(s string, rest []any) any, rest ...Type) func(n *Node, a []typed) (Type, evalFn, error) {
	return func(n *Node, a []typed) (Type, evalFn, error) {
		types := append([]Type{Text}, rest...)
		for i, x := range a {
			if err := want(n, fnName(n), x, types[i]); err != nil {
				return 0, nil, err
			}
		}
		return result, func(in Inputs) any {
			vals := make([]any, len(a)-1)
			for i, x := range a[1:] {
				vals[i] = x.fn(in)
				if types[i+1] == Number && vals[i] == nil {
					return nil
				}
			}
			return f(str(a[0].fn(in)), vals)
		}, nil
	}
}

// numFn builds a function of Number arguments; a blank argument gives blank.
// result is Number unless given.
func numFn(f func(x []float64) any, result ...Type) func(n *Node, a []typed) (Type, evalFn, error) {
	rt := Number
	if len(result) > 0 {
		rt = result[0]
	}
	return func(n *Node, a []typed) (Type, evalFn, error) {
		for _, x := range a {
			if err := want(n, fnName(n), x, Number); err != nil {
				return 0, nil, err
			}
		}
		return rt, func(in Inputs) any {
			vals := make([]float64, len(a))
			for i, x := range a {
				v, ok := x.fn(in).(float64)
				if !ok {
					return nil
				}
				vals[i] = v
			}
			return f(vals)
		}, nil
	}
}

func datePart(part func(time.Time) int) func(n *Node, a []typed) (Type, evalFn, error) {
	return func(n *Node, a []typed) (Type, evalFn, error) {
		if err := want(n, fnName(n), a[0], Date); err != nil {
			return 0, nil, err
		}
		return Number, func(in Inputs) any {
			t, ok := a[0].fn(in).(time.Time)
			if !ok {
				return nil
			}
			return float64(part(t))
		}, nil
	}
}

// buildAddMonths adds months, keeping the day or moving to the last day of
// a shorter month (ADDMONTHS(DATE(2024,1,31), 1) is 2024-02-29), and the
// last day of a month stays the last day.
func buildAddMonths(n *Node, a []typed) (Type, evalFn, error) {
	if err := want(n, fnName(n), a[0], Date, DateTime); err != nil {
		return 0, nil, err
	}
	if err := want(n, fnName(n), a[1], Number); err != nil {
		return 0, nil, err
	}
	t := a[0].t
	if t == Null {
		t = Date
	}
	return t, func(in Inputs) any {
		d, ok1 := a[0].fn(in).(time.Time)
		m, ok2 := a[1].fn(in).(float64)
		if !ok1 || !ok2 {
			return nil
		}
		first := time.Date(d.Year(), d.Month(), 1, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), time.UTC).AddDate(0, int(m), 0)
		last := daysIn(first)
		day := d.Day()
		if day > last || day == daysIn(d) {
			day = last
		}
		return first.AddDate(0, 0, day-1)
	}, nil
}

func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func buildDateValue(n *Node, a []typed) (Type, evalFn, error) {
	if err := want(n, fnName(n), a[0], Text, DateTime, Date); err != nil {
		return 0, nil, err
	}
	return Date, func(in Inputs) any {
		switch v := a[0].fn(in).(type) {
		case time.Time:
			return dateOf(v)
		case string:
			t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
			if err != nil {
				return nil
			}
			return t
		}
		return nil
	}, nil
}

func buildIsPickval(n *Node, a []typed) (Type, evalFn, error) {
	if a[0].t != Picklist && a[0].t != Null {
		return 0, nil, errorf(a[0].n.Pos, "Incorrect parameter type for function 'ISPICKVAL()'. Expected Picklist, received %s", a[0].t)
	}
	if err := want(n, fnName(n), a[1], Text); err != nil {
		return 0, nil, err
	}
	return Boolean, func(in Inputs) any { return str(a[0].fn(in)) == str(a[1].fn(in)) }, nil
}

// buildHyperlink renders the link as the API returns a hyperlink formula:
// <a href="url" target="_blank">label</a>.
func buildHyperlink(n *Node, a []typed) (Type, evalFn, error) {
	for _, x := range a {
		if err := want(n, fnName(n), x, Text); err != nil {
			return 0, nil, err
		}
	}
	return Text, func(in Inputs) any {
		target := "_blank"
		if len(a) == 3 {
			target = str(a[2].fn(in))
		}
		return `<a href="` + str(a[0].fn(in)) + `" target="` + target + `">` + str(a[1].fn(in)) + `</a>`
	}, nil
}

func dateOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func num(v any) float64 { f, _ := v.(float64); return f }

// substr returns up to n runes of s from rune start.
func substr(s string, start int, n float64) string {
	r := []rune(s)
	if start >= len(r) || n <= 0 {
		return ""
	}
	end := len(r)
	if n < float64(end-start) {
		end = start + int(n)
	}
	return string(r[start:end])
}

// round rounds half away from zero to d digits, as Salesforce's ROUND does.
func round(x, d float64) float64 {
	p := math.Pow(10, math.Trunc(d))
	return math.Round(x*p) / p
}

func fold(x []float64, f func(a, b float64) float64) float64 {
	r := x[0]
	for _, v := range x[1:] {
		r = f(r, v)
	}
	return r
}
