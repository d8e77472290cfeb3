package mapping

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrBadValue is wrapped by every error about one value that cannot be
	// read, converted or written (a *ValueError carries the details).
	ErrBadValue = errors.New("bad value")

	// ErrOneWay is wrapped by the error a transform returns when asked for
	// its inverse and it has none: the field it is used on can only flow in
	// the direction it was written for.
	ErrOneWay = errors.New("one-way transform")

	// ErrConversion is wrapped by every *ConversionError: a field and a
	// column whose types cannot be converted in some direction.
	ErrConversion = errors.New("incompatible types")

	// ErrBadStep is wrapped by errors about a transform step as written: an
	// unknown name or a malformed argument.
	ErrBadStep = errors.New("bad transform")
)

// ValueError is one value that could not be read, converted or written. It
// says which field or column, which value and what was expected, so that a
// row's sync status can tell the user exactly what to fix.
type ValueError struct {
	Field  string // Salesforce field (or relationship path); "" when the error is about a cell alone
	Column string // sheet column; "" when the error is about a Salesforce value alone
	Value  string // the offending value as text, shortened to 64 characters
	Reason string // what was expected, e.g. "a date like 2024-01-31"
}

func (e *ValueError) Error() string {
	var b strings.Builder
	switch {
	case e.Field != "" && e.Column != "":
		fmt.Fprintf(&b, "field %s (column %s): ", e.Field, e.Column)
	case e.Field != "":
		fmt.Fprintf(&b, "field %s: ", e.Field)
	case e.Column != "":
		fmt.Fprintf(&b, "column %s: ", e.Column)
	}
	fmt.Fprintf(&b, "value %q: %s", e.Value, e.Reason)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrBadValue) true.
func (e *ValueError) Unwrap() error { return ErrBadValue }

// badValue builds a *ValueError for a value of any Go type.
func badValue(v any, format string, args ...any) *ValueError {
	return &ValueError{Value: shorten(fmt.Sprint(v)), Reason: fmt.Sprintf(format, args...)}
}

// locate fills in the field and column of err when it is a *ValueError
// that does not name them yet, and returns it.
func locate(err error, field, column string) error {
	var ve *ValueError
	if errors.As(err, &ve) {
		if ve.Field == "" {
			ve.Field = field
		}
		if ve.Column == "" {
			ve.Column = column
		}
	}
	return err
}

func shorten(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// ConversionError says that a value of one type cannot become another in
// one direction, why, and what would make it work.
type ConversionError struct {
	Direction Direction // Inbound (Salesforce to sheet) or Outbound
	From      string    // e.g. `text column "close"`
	To        string    // e.g. `date field CloseDate`
	Reason    string
	Hint      string // how to fix it; may be empty
}

func (e *ConversionError) Error() string {
	msg := fmt.Sprintf("%s cannot become %s (%s): %s", e.From, e.To, e.Direction, e.Reason)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrConversion) true.
func (e *ConversionError) Unwrap() error { return ErrConversion }

// StepError is a problem with one transform step of a field: Index is its
// position in the field's transform list as written (0-based), or -1 when
// the problem is with the chain as a whole.
type StepError struct {
	Index int
	Step  string // the step as written, e.g. "format_date: DD/MM/YYYY"
	Err   error
}

func (e *StepError) Error() string {
	if e.Step == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("transform %s: %v", e.Step, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }
