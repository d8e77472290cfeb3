package formula

import (
	"math"
	"strings"
	"time"
)

// Type is the data type of a formula expression, in Salesforce's terms.
type Type uint8

// The formula data types. Null is the type of the NULL literal, which fits
// any other type. Picklist is a picklist field: only ISPICKVAL, TEXT,
// ISBLANK, ISNULL and CASE accept one.
const (
	Null Type = iota
	Number
	Text
	Boolean
	Date
	DateTime
	Picklist
)

func (t Type) String() string {
	return [...]string{"Null", "Number", "Text", "Boolean", "Date", "DateTime", "Picklist"}[t]
}

// Field is what a Resolver says about a field path: its type, and the slot
// under which Inputs.Input returns its value.
type Field struct {
	Type Type
	Slot int
}

// Resolver resolves a field path as written in the formula ("Amount",
// "Account.Owner.Alias"). When ok is false, msg says why in Salesforce's
// words; an empty msg means the field does not exist.
type Resolver func(path string) (f Field, msg string, ok bool)

// Inputs gives a formula the values of its fields and the current time.
// Field values are nil, float64 (Number), string (Text, Picklist), bool or
// time.Time (Date at UTC midnight, DateTime in UTC).
type Inputs interface {
	Input(slot int) any
	Now() time.Time
}

// Formula is a compiled formula, safe for concurrent use.
type Formula struct {
	src  string
	typ  Type
	eval evalFn
}

type evalFn func(in Inputs) any

// Compile parses src, resolves its fields with resolve and checks that its
// result has type want. Errors are *Error.
func Compile(src string, want Type, resolve Resolver) (*Formula, error) {
	n, err := Parse(src)
	if err != nil {
		return nil, err
	}
	c := &checker{resolve: resolve}
	t, fn, err := c.node(n)
	if err != nil {
		return nil, err
	}
	if t == Picklist {
		return nil, picklistMisuse(n)
	}
	if t != want && t != Null {
		return nil, errorf(1, "Formula result is data type (%s), incompatible with expected data type (%s).", t, want)
	}
	return &Formula{src: src, typ: want, eval: fn}, nil
}

// Source returns the formula as written.
func (f *Formula) Source() string { return f.src }

// Type returns the formula's result type.
func (f *Formula) Type() Type { return f.typ }

// Eval computes the formula's value: nil (blank, or an error such as a
// division by zero, which Salesforce shows as #Error!), float64, string,
// bool or time.Time. Blank fields are treated as blanks, not zeros.
func (f *Formula) Eval(in Inputs) any {
	v := f.eval(in)
	if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return nil
	}
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

func picklistMisuse(n *Node) *Error {
	return errorf(n.Pos, "Field %s is a picklist field. Picklist fields are only supported in certain functions.", fieldName(n))
}

// fieldName is the last name of a field path, as Salesforce's picklist
// message shows it.
func fieldName(n *Node) string {
	if n.Kind != NodeField {
		return n.Text
	}
	return n.Text[strings.LastIndexByte(n.Text, '.')+1:]
}
