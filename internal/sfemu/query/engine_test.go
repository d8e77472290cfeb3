package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/soql"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type testCase struct{ name, input string }

// readCases reads a file of "# name" lines each followed by a statement.
func readCases(t testing.TB, path string) []testCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading cases: %v", err)
	}
	var cases []testCase
	for block := range strings.SplitSeq(string(data), "\n# ") {
		name, input, _ := strings.Cut(strings.TrimPrefix(block, "# "), "\n")
		cases = append(cases, testCase{name: name, input: strings.TrimSpace(input)})
	}
	return cases
}

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
		t.Fatalf("reading golden file (go test -update creates it): %v", err)
	}
	if got != string(want) {
		g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("%s differs at line %d (run go test -update and review the diff):\nwant %q\ngot  %q", path, i+1, w[i], g[i])
			}
		}
		t.Fatalf("%s differs in length (run go test -update and review the diff)", path)
	}
}

// render runs a query and returns its whole first page, indented, or its
// error code and text.
func render(t *testing.T, e *Engine, who Principal, q string, opt Options) string {
	t.Helper()
	res, err := e.Query(context.Background(), who, q, opt)
	if err != nil {
		var se *soql.Error
		if !errors.As(err, &se) {
			t.Fatalf("%q: error %v is a %T, want *soql.Error", q, err, err)
		}
		return fmt.Sprintf("--- error %s\n%s\n", se.Code, err)
	}
	return "--- result\n" + indent(t, res.AppendPage(nil, 0, 2000, "")) + "\n"
}

func indent(t *testing.T, body []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, body, "", "  "); err != nil {
		t.Fatalf("the engine wrote invalid JSON %s: %v", body, err)
	}
	return b.String()
}

func TestQueryGolden(t *testing.T) {
	e, _, who, _ := setup(t)
	var out strings.Builder
	for _, c := range readCases(t, "testdata/queries.soql") {
		fmt.Fprintf(&out, "=== %s\n%s\n%s\n", c.name, c.input, render(t, e, who, c.input, Options{}))
	}
	checkGolden(t, "testdata/queries.golden", out.String())
}

func TestSearchGolden(t *testing.T) {
	e, _, who, _ := setup(t)
	var out strings.Builder
	for _, c := range readCases(t, "testdata/search.sosl") {
		fmt.Fprintf(&out, "=== %s\n%s\n", c.name, c.input)
		body, err := e.Search(context.Background(), who, c.input, Options{})
		if err != nil {
			var se *soql.Error
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is a %T, want *soql.Error", c.input, err, err)
			}
			fmt.Fprintf(&out, "--- error %s\n%s\n\n", se.Code, err)
			continue
		}
		fmt.Fprintf(&out, "--- result\n%s\n\n", indent(t, body))
	}
	checkGolden(t, "testdata/search.golden", out.String())
}
