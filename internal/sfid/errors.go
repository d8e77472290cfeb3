package sfid

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (with errors.Is) by every *Error this package returns.
var ErrInvalid = errors.New("invalid Salesforce ID")

// Error says why a string is not a Salesforce ID.
type Error struct {
	Input  string // the string that was checked
	Reason string // what is wrong with it, e.g. "length 12, want 15 or 18"
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid Salesforce ID %q: %s", e.Input, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(input, format string, args ...any) error {
	return &Error{Input: input, Reason: fmt.Sprintf(format, args...)}
}
