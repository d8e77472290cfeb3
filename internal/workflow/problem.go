package workflow

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Position is a place in a workflow file: 1-based line and column; zero
// when unknown (a definition built in code).
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p Position) String() string {
	if p.Line == 0 {
		return "-"
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// Problem is one thing wrong with a workflow: where (line, column and the
// path of keys, e.g. fields[2].salesforce), what, and how to fix it.
type Problem struct {
	Position
	Path    string `json:"path"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// String writes the problem as one line: "12:7: fields[1].salesforce:
// message; hint [code]".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Position.String())
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString("; ")
		b.WriteString(p.Hint)
	}
	b.WriteString(" [")
	b.WriteString(string(p.Code))
	b.WriteString("]")
	return b.String()
}

// ValidationError carries every problem found in a workflow, sorted by
// position. errors.Is(err, ErrInvalid) is true for it.
type ValidationError struct {
	// File names the workflow in Error(); empty leaves it out.
	File     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	name := "workflow"
	if e.File != "" {
		name = e.File
	}
	n := len(e.Problems)
	fmt.Fprintf(&b, "%s: %d problem", name, n)
	if n != 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if e.File != "" {
			b.WriteString(e.File)
			b.WriteString(":")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// problems collects problems while a workflow is read or compiled.
type problems struct {
	list []Problem
	pos  positions
}

// add records a problem at path; its position is that of the nearest
// recorded path (the key itself, else its parent ...).
func (ps *problems) add(path string, code Code, hint string, format string, args ...any) {
	ps.list = append(ps.list, Problem{
		Position: ps.pos.at(path), Path: path, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint,
	})
}

// err returns a *ValidationError with the problems sorted, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: sortProblems(ps.list)}
}

func sortProblems(list []Problem) []Problem {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return list
}

// positions maps key paths ("fields[2].salesforce") to where their value
// is written.
type positions map[string]Position

// at returns the position of path, or of its nearest recorded parent.
func (p positions) at(path string) Position {
	for {
		if pos, ok := p[path]; ok {
			return pos
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return p[""]
		}
		path = path[:i]
	}
}

// child and index build key paths.
func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
