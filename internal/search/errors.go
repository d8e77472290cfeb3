package search

import (
	"errors"
	"fmt"
)

// Sentinels. Typed errors below match them with errors.Is.
var (
	// ErrInvalidTerm: the search term is empty, too short or too long.
	ErrInvalidTerm = errors.New("invalid search term")
	// ErrInvalidConfig: the search configuration is wrong.
	ErrInvalidConfig = errors.New("invalid search configuration")
	// ErrChoice: a list view choice breaks the rules (one or two views of
	// the object, no repeats).
	ErrChoice = errors.New("invalid list view choice")
	// ErrNotChosen: the list view is not one the user enabled.
	ErrNotChosen = errors.New("list view not enabled")
)

// TermError says what is wrong with a search term.
type TermError struct {
	Term   string
	Reason string
}

func (e *TermError) Error() string { return fmt.Sprintf("search term %q: %s", e.Term, e.Reason) }

// Is matches ErrInvalidTerm.
func (e *TermError) Is(target error) bool { return target == ErrInvalidTerm }

// ChoiceError says why a list view choice is refused.
type ChoiceError struct {
	Object string
	Reason string
}

func (e *ChoiceError) Error() string {
	return fmt.Sprintf("list views of %s: %s", e.Object, e.Reason)
}

// Is matches ErrChoice.
func (e *ChoiceError) Is(target error) bool { return target == ErrChoice }
