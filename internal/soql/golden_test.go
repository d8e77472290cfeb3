package soql

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// roundTrip checks that the printed form parses back to the same AST.
func roundTrip(t *testing.T, name string, q *Query) string {
	t.Helper()
	printed := q.String()
	q2, err := Parse(printed)
	if err != nil {
		t.Errorf("%s: printed form %q does not parse: %v", name, printed, err)
		return printed
	}
	if a, b := dump(q), dump(q2); a != b {
		t.Errorf("%s: printed form %q parses to another AST:\n%s\nwant:\n%s", name, printed, b, a)
	}
	return printed
}

func TestParseGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/queries.soql") {
		q, err := Parse(c.Input)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", c.Name, c.Input, err)
			continue
		}
		printed := roundTrip(t, c.Name, q)
		fmt.Fprintf(&out, "=== %s\n%s\n--- printed\n%s\n--- columns\n%q\n--- ast\n%s\n",
			c.Name, c.Input, printed, q.ColumnNames(), dump(q))
	}
	golden.Check(t, "testdata/queries.golden", []byte(out.String()))
}

func TestParseErrorsGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/errors.soql") {
		q, err := Parse(c.Input)
		if err == nil {
			t.Errorf("%s: Parse(%q) = %s, want an error", c.Name, c.Input, q)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v is a %T, want *soql.Error", c.Name, err, err)
			continue
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- %s\n%s\n\n", c.Name, c.Input, e.Code, err)
	}
	golden.Check(t, "testdata/errors.golden", []byte(out.String()))
}

func TestParseSearchGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/search.sosl") {
		s, err := ParseSearch(c.Input)
		if err != nil {
			t.Errorf("%s: ParseSearch(%q): %v", c.Name, c.Input, err)
			continue
		}
		printed := s.String()
		s2, err := ParseSearch(printed)
		if err != nil {
			t.Errorf("%s: printed form %q does not parse: %v", c.Name, printed, err)
		} else if a, b := dump(s), dump(s2); a != b {
			t.Errorf("%s: printed form %q parses to another AST:\n%s\nwant:\n%s", c.Name, printed, b, a)
		}
		// A hand-built search has no Term text: it prints its Expr.
		s3 := *s
		s3.Term = ""
		if s4, err := ParseSearch(s3.String()); err != nil {
			t.Errorf("%s: form printed from Expr %q does not parse: %v", c.Name, s3.String(), err)
		} else if a, b := dump(s.Expr), dump(s4.Expr); a != b {
			t.Errorf("%s: form printed from Expr %q parses to another term:\n%s\nwant:\n%s", c.Name, s3.String(), b, a)
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- printed\n%s\n--- ast\n%s\n", c.Name, c.Input, printed, dump(s))
	}
	golden.Check(t, "testdata/search.golden", []byte(out.String()))
}

func TestParseSearchErrorsGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/search_errors.sosl") {
		s, err := ParseSearch(c.Input)
		if err == nil {
			t.Errorf("%s: ParseSearch(%q) = %s, want an error", c.Name, c.Input, s)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeMalformedSearch || !errors.Is(err, ErrMalformedSearch) {
			t.Errorf("%s: error %v (%T), want a MALFORMED_SEARCH *soql.Error", c.Name, err, err)
			continue
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- %s\n%s\n\n", c.Name, c.Input, e.Code, err)
	}
	golden.Check(t, "testdata/search_errors.golden", []byte(out.String()))
}
