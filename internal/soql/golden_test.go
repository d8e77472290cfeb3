package soql

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testCase is one case of a testdata file: a "# name" line followed by the
// statement, which may span several lines.
type testCase struct {
	name, input string
}

func readCases(t testing.TB, path string) []testCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading cases: %v", err)
	}
	var cases []testCase
	for block := range strings.SplitSeq(string(data), "\n# ") {
		block = strings.TrimPrefix(block, "# ")
		name, input, _ := strings.Cut(block, "\n")
		cases = append(cases, testCase{name: name, input: strings.TrimRight(input, "\n \t")})
	}
	return cases
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("updating golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output; run go test -update and review the diff.\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %q\ngot:  %q", i+1, wl, gl)
		}
	}
	return ""
}

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
	for _, c := range readCases(t, "testdata/queries.soql") {
		q, err := Parse(c.input)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", c.name, c.input, err)
			continue
		}
		printed := roundTrip(t, c.name, q)
		fmt.Fprintf(&out, "=== %s\n%s\n--- printed\n%s\n--- columns\n%q\n--- ast\n%s\n",
			c.name, c.input, printed, q.ColumnNames(), dump(q))
	}
	checkGolden(t, "testdata/queries.golden", out.String())
}

func TestParseErrorsGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range readCases(t, "testdata/errors.soql") {
		q, err := Parse(c.input)
		if err == nil {
			t.Errorf("%s: Parse(%q) = %s, want an error", c.name, c.input, q)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v is a %T, want *soql.Error", c.name, err, err)
			continue
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- %s\n%s\n\n", c.name, c.input, e.Code, err)
	}
	checkGolden(t, "testdata/errors.golden", out.String())
}

func TestParseSearchGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range readCases(t, "testdata/search.sosl") {
		s, err := ParseSearch(c.input)
		if err != nil {
			t.Errorf("%s: ParseSearch(%q): %v", c.name, c.input, err)
			continue
		}
		printed := s.String()
		s2, err := ParseSearch(printed)
		if err != nil {
			t.Errorf("%s: printed form %q does not parse: %v", c.name, printed, err)
		} else if a, b := dump(s), dump(s2); a != b {
			t.Errorf("%s: printed form %q parses to another AST:\n%s\nwant:\n%s", c.name, printed, b, a)
		}
		// A hand-built search has no Term text: it prints its Expr.
		s3 := *s
		s3.Term = ""
		if s4, err := ParseSearch(s3.String()); err != nil {
			t.Errorf("%s: form printed from Expr %q does not parse: %v", c.name, s3.String(), err)
		} else if a, b := dump(s.Expr), dump(s4.Expr); a != b {
			t.Errorf("%s: form printed from Expr %q parses to another term:\n%s\nwant:\n%s", c.name, s3.String(), b, a)
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- printed\n%s\n--- ast\n%s\n", c.name, c.input, printed, dump(s))
	}
	checkGolden(t, "testdata/search.golden", out.String())
}

func TestParseSearchErrorsGolden(t *testing.T) {
	var out strings.Builder
	for _, c := range readCases(t, "testdata/search_errors.sosl") {
		s, err := ParseSearch(c.input)
		if err == nil {
			t.Errorf("%s: ParseSearch(%q) = %s, want an error", c.name, c.input, s)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeMalformedSearch || !errors.Is(err, ErrMalformedSearch) {
			t.Errorf("%s: error %v (%T), want a MALFORMED_SEARCH *soql.Error", c.name, err, err)
			continue
		}
		fmt.Fprintf(&out, "=== %s\n%s\n--- %s\n%s\n\n", c.name, c.input, e.Code, err)
	}
	checkGolden(t, "testdata/search_errors.golden", out.String())
}
