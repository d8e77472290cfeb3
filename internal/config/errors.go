package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every error Load and Validate return
// for a configuration that cannot be used: a file that does not parse, an
// unknown key, a bad value.
var ErrInvalid = errors.New("invalid configuration")

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Key is the configuration key as written in the file, with list
	// indexes: "listen", "orgs[1].login". Empty for a problem with the file
	// as a whole (a syntax error).
	Key string
	// Where is where the value came from: "sfbridge.yaml:7:10" (file, line,
	// column), "$SFBRIDGE_LISTEN", "--listen"; empty for a default value.
	Where string
	// Message says what is wrong and how to fix it.
	Message string
}

// Error renders the problem as "where: key: message", leaving out what is
// empty.
func (p Problem) Error() string {
	var b strings.Builder
	for _, part := range []string{p.Where, p.Key} {
		if part != "" {
			b.WriteString(part)
			b.WriteString(": ")
		}
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error is every problem found in a configuration. It matches ErrInvalid.
type Error struct {
	Problems []Problem
}

// Error renders one problem per line, after a count when there are several.
func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }
