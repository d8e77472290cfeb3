package search

import (
	"unicode"
	"unicode/utf8"

	"github.com/sfbridge/sfbridge/internal/soql"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

func newRecord(object string, kv ...string) *salesforce.Record {
	r := salesforce.NewRecord(object)
	for i := 0; i < len(kv); i += 2 {
		r.Set(kv[i], kv[i+1])
	}
	return r
}

func TestSOSLGolden(t *testing.T) {
	t.Parallel()
	var plans []plan
	for _, o := range DefaultObjects() {
		p := plan{object: o.Name}
		for _, f := range o.Fields {
			p.fields = append(p.fields, field{path: f})
		}
		plans = append(plans, p)
	}
	var b strings.Builder
	for _, term := range []string{"acme", "acme corp", `50% off (now!) "quoted" a-b c:d e*f g?h \ 'x' {y} [z] ^~&|+`} {
		b.WriteString(term + "\n" + sosl(term, plans, DefaultPerObject) + "\n\n")
	}
	golden(t, "sosl.txt", b.String())
}

// FuzzSOSL checks that any term the user types becomes a search that
// parses, with only its words ANDed: no operator, wildcard or brace of the
// user's survives.
func FuzzSOSL(f *testing.F) {
	for _, s := range []string{"acme", "Not Started", "a OR b", `x\`, `{}`, `"phrase"`, "and not", "* ?", "l'été 50%"} {
		f.Add(s)
	}
	plans := []plan{{object: "Account", fields: []field{{path: "Name"}}}}
	f.Fuzz(func(t *testing.T, term string) {
		term = strings.Join(strings.Fields(term), " ")
		if checkTerm(term) != nil || !utf8.ValidString(term) || strings.ContainsFunc(term, unicode.IsControl) {
			return
		}
		q := sosl(term, plans, 1)
		s, err := soql.ParseSearch(q)
		if err != nil {
			t.Fatalf("%q: %s: %v", term, q, err)
		}
		var check func(e soql.SearchExpr)
		check = func(e soql.SearchExpr) {
			switch e := e.(type) {
			case *soql.SearchBinary:
				if e.Op != soql.SearchAnd {
					t.Errorf("%q: operator %s in %s", term, e.Op, q)
				}
				check(e.Left)
				check(e.Right)
			case *soql.SearchWord:
			default:
				t.Errorf("%q: %T in %s", term, e, q)
			}
		}
		check(s.Expr)
	})
}
