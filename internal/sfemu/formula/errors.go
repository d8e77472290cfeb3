package formula

import (
	"errors"
	"fmt"
)

// ErrFormula is matched by every *Error.
var ErrFormula = errors.New("invalid formula")

// Error is a mistake in a formula, found when it is parsed or checked. Msg
// uses Salesforce's wording ("Field Amout does not exist. Check spelling.").
type Error struct {
	Pos int    // 1-based character position in the formula
	Msg string // what is wrong, as the Salesforce formula editor says it
}

func (e *Error) Error() string { return fmt.Sprintf("character %d: %s", e.Pos, e.Msg) }

// Is makes errors.Is(err, ErrFormula) true.
func (e *Error) Is(target error) bool { return target == ErrFormula }

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
