package formula

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// sexpr prints a tree as an S-expression, for golden files.
func sexpr(b *strings.Builder, n *Node) {
	switch n.Kind {
	case NodeNumber:
		b.WriteString(strconv.FormatFloat(n.Num, 'g', -1, 64))
	case NodeString:
		b.WriteString(strconv.Quote(n.Text))
	case NodeBool, NodeNull:
		b.WriteString(n.Text)
	case NodeField:
		b.WriteString("$" + n.Text)
	default:
		fmt.Fprintf(b, "(%s", n.Text)
		for _, a := range n.Args {
			b.WriteByte(' ')
			sexpr(b, a)
		}
		b.WriteByte(')')
	}
	fmt.Fprintf(b, "@%d", n.Pos)
}

// TestParseGolden pins the tree (with positions) or the error of each
// formula in testdata/parse-cases.txt.
func TestParseGolden(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	for _, c := range golden.ReadCases(t, "testdata/parse-cases.txt") {
		fmt.Fprintf(&out, "# %s\n%s\n-> ", c.Name, c.Input)
		n, err := Parse(c.Input)
		if err != nil {
			fmt.Fprintf(&out, "error: %v\n\n", err)
			continue
		}
		sexpr(&out, n)
		out.WriteString("\n\n")
	}
	golden.Check(t, "testdata/golden/parse.txt", []byte(out.String()))
}

func BenchmarkCompile(b *testing.B) {
	src := "TEXT(IF(ISPICKVAL(Rating, 'Hot'), Amount / 1000 + 10, ROUND(Amount / 1000, 0))) & ' k'"
	for b.Loop() {
		if _, err := Compile(src, Text, newRecord(nil).resolve); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	r := newRecord(map[string]any{"Amount": 250000.0, "Rating": "Hot", "CloseDate": date(2024, 1, 31)})
	f, err := Compile("Amount / 1000 + IF(ISPICKVAL(Rating, 'Hot'), 10, 0) + (TODAY() - CloseDate)", Number, r.resolve)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if f.Eval(r) == nil {
			b.Fatal("blank")
		}
	}
}
