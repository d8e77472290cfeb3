package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
	"github.com/sfbridge/sfbridge/internal/soql"
)

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
	for _, c := range golden.ReadCases(t, "testdata/queries.soql") {
		fmt.Fprintf(&out, "=== %s\n%s\n%s\n", c.Name, c.Input, render(t, e, who, c.Input, Options{}))
	}
	golden.Check(t, "testdata/queries.golden", []byte(out.String()))
}

func TestSearchGolden(t *testing.T) {
	e, _, who, _ := setup(t)
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/search.sosl") {
		fmt.Fprintf(&out, "=== %s\n%s\n", c.Name, c.Input)
		body, err := e.Search(context.Background(), who, c.Input, Options{})
		if err != nil {
			var se *soql.Error
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is a %T, want *soql.Error", c.Input, err, err)
			}
			fmt.Fprintf(&out, "--- error %s\n%s\n\n", se.Code, err)
			continue
		}
		fmt.Fprintf(&out, "--- result\n%s\n\n", indent(t, body))
	}
	golden.Check(t, "testdata/search.golden", []byte(out.String()))
}
