package formula

import (
	"fmt"
	"strings"
	"time"
)

// checker resolves fields, checks types and builds the evaluator of each
// node.
type checker struct {
	resolve Resolver
}

// typed is a checked argument.
type typed struct {
	n  *Node
	t  Type
	fn evalFn
}

func (c *checker) node(n *Node) (Type, evalFn, error) {
	switch n.Kind {
	case NodeNumber:
		v := n.Num
		return Number, func(Inputs) any { return v }, nil
	case NodeString:
		v := n.Text
		return Text, func(Inputs) any { return v }, nil
	case NodeBool:
		v := n.Text == "TRUE"
		return Boolean, func(Inputs) any { return v }, nil
	case NodeNull:
		return Null, func(Inputs) any { return nil }, nil
	case NodeField:
		f, msg, ok := c.resolve(n.Text)
		if !ok {
			if msg == "" {
				msg = fmt.Sprintf("Field %s does not exist. Check spelling.", n.Text)
			}
			return 0, nil, errorf(n.Pos, "%s", msg)
		}
		slot := f.Slot
		return f.Type, func(in Inputs) any { return in.Input(slot) }, nil
	case NodeUnary:
		return c.unary(n)
	case NodeBinary:
		return c.binary(n)
	default:
		return c.call(n)
	}
}

// args checks every argument of n.
func (c *checker) args(n *Node) ([]typed, error) {
	out := make([]typed, len(n.Args))
	for i, a := range n.Args {
		t, fn, err := c.node(a)
		if err != nil {
			return nil, err
		}
		out[i] = typed{n: a, t: t, fn: fn}
	}
	return out, nil
}

func (c *checker) unary(n *Node) (Type, evalFn, error) {
	a, err := c.args(n)
	if err != nil {
		return 0, nil, err
	}
	x := a[0]
	if n.Text == "!" {
		if err := want(n, "operator '!'", x, Boolean); err != nil {
			return 0, nil, err
		}
		return Boolean, func(in Inputs) any { return !truth(x.fn(in)) }, nil
	}
	if err := want(n, "operator '"+n.Text+"'", x, Number); err != nil {
		return 0, nil, err
	}
	if n.Text == "+" {
		return Number, x.fn, nil
	}
	return Number, func(in Inputs) any {
		if v, ok := x.fn(in).(float64); ok {
			return -v
		}
		return nil
	}, nil
}

// want checks that argument a has one of the types ts (NULL fits all).
func want(n *Node, what string, a typed, ts ...Type) error {
	if a.t == Null {
		return nil
	}
	for _, t := range ts {
		if a.t == t {
			return nil
		}
	}
	if a.t == Picklist {
		return picklistMisuse(a.n)
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return errorf(a.n.Pos, "Incorrect parameter type for %s. Expected %s, received %s", what, strings.Join(names, ", "), a.t)
}

func (c *checker) binary(n *Node) (Type, evalFn, error) {
	a, err := c.args(n)
	if err != nil {
		return 0, nil, err
	}
	x, y := a[0], a[1]
	what := "operator '" + n.Text + "'"
	switch n.Text {
	case "&&", "||":
		for _, v := range a {
			if err := want(n, what, v, Boolean); err != nil {
				return 0, nil, err
			}
		}
		if n.Text == "&&" {
			return Boolean, func(in Inputs) any { return truth(x.fn(in)) && truth(y.fn(in)) }, nil
		}
		return Boolean, func(in Inputs) any { return truth(x.fn(in)) || truth(y.fn(in)) }, nil
	case "&":
		for _, v := range a {
			if err := want(n, what, v, Text); err != nil {
				return 0, nil, err
			}
		}
		return Text, func(in Inputs) any { return str(x.fn(in)) + str(y.fn(in)) }, nil
	case "=", "==", "!=", "<>", "<", "<=", ">", ">=":
		return c.compare(n, x, y)
	}
	return arithmetic(n, x, y)
}

func (c *checker) compare(n *Node, x, y typed) (Type, evalFn, error) {
	what := "operator '" + n.Text + "'"
	if err := want(n, what, x, Number, Text, Boolean, Date, DateTime); err != nil {
		return 0, nil, err
	}
	t := x.t
	if t == Null {
		t = y.t
	}
	if t != Null {
		if err := want(n, what, y, t); err != nil {
			return 0, nil, err
		}
	}
	if t == Boolean && n.Text != "=" && n.Text != "==" && n.Text != "!=" && n.Text != "<>" {
		return 0, nil, errorf(n.Pos, "Incorrect parameter type for %s. Expected Number, Text, Date, DateTime, received Boolean", what)
	}
	op := n.Text
	return Boolean, func(in Inputs) any {
		l, r := x.fn(in), y.fn(in)
		if t == Text || t == Null {
			// Blank text equals the empty string.
			l, r = str(l), str(r)
		}
		if l == nil || r == nil {
			switch op {
			case "=", "==":
				return l == nil && r == nil
			case "!=", "<>":
				return (l == nil) != (r == nil)
			}
			return false
		}
		cmp := compareValues(l, r)
		switch op {
		case "=", "==":
			return cmp == 0
		case "!=", "<>":
			return cmp != 0
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		}
		return cmp >= 0
	}, nil
}

// compareValues orders two non-nil values of the same type. Text compares
// case-sensitively, as Salesforce formulas do.
func compareValues(l, r any) int {
	switch a := l.(type) {
	case float64:
		b, _ := r.(float64)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case string:
		b, _ := r.(string)
		return strings.Compare(a, b)
	case time.Time:
		b, _ := r.(time.Time)
		return a.Compare(b)
	case bool:
		b, _ := r.(bool)
		if a == b {
			return 0
		}
		return 1
	}
	return 0
}

// arithmetic checks + - * / ^, including date arithmetic: Date ± Number
// (days), DateTime ± Number (days, fractional), Date - Date and
// DateTime - DateTime (days).
func arithmetic(n *Node, x, y typed) (Type, evalFn, error) {
	what := "operator '" + n.Text + "'"
	op := n.Text
	if (op == "+" || op == "-") && (x.t == Date || x.t == DateTime) {
		if err := want(n, what, y, Number, x.t); err != nil {
			return 0, nil, err
		}
		if y.t == x.t {
			if op == "+" {
				return 0, nil, errorf(y.n.Pos, "Incorrect parameter type for %s. Expected Number, received %s", what, y.t)
			}
			return Number, func(in Inputs) any {
				a, ok1 := x.fn(in).(time.Time)
				b, ok2 := y.fn(in).(time.Time)
				if !ok1 || !ok2 {
					return nil
				}
				return a.Sub(b).Hours() / 24
			}, nil
		}
		sign := 1.0
		if op == "-" {
			sign = -1
		}
		return x.t, func(in Inputs) any {
			a, ok1 := x.fn(in).(time.Time)
			d, ok2 := y.fn(in).(float64)
			if !ok1 || !ok2 {
				return nil
			}
			return addDays(a, sign*d, x.t)
		}, nil
	}
	if op == "+" && (y.t == Date || y.t == DateTime) {
		return arithmetic(n, y, x)
	}
	for _, v := range []typed{x, y} {
		if err := want(n, what, v, Number); err != nil {
			return 0, nil, err
		}
	}
	f := numOps[op]
	return Number, func(in Inputs) any {
		a, ok1 := x.fn(in).(float64)
		b, ok2 := y.fn(in).(float64)
		if !ok1 || !ok2 {
			return nil
		}
		return f(a, b)
	}, nil
}

// addDays adds d days to t: whole days for a Date, to the millisecond for a
// DateTime.
func addDays(t time.Time, d float64, typ Type) time.Time {
	if typ == Date {
		return t.AddDate(0, 0, int(d))
	}
	return t.Add(time.Duration(d * 24 * float64(time.Hour))).Truncate(time.Millisecond)
}

func truth(v any) bool { b, _ := v.(bool); return b }

func str(v any) string { s, _ := v.(string); return s }
