package soql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

func FuzzParse(f *testing.F) {
	for _, file := range []string{"testdata/queries.soql", "testdata/errors.soql"} {
		for _, c := range golden.ReadCases(f, file) {
			f.Add(c.Input)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %v is a %T, want *soql.Error", s, err, err)
			}
			_ = e.Error()
			return
		}
		printed := q.String()
		q2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) prints %q, which does not parse: %v", s, printed, err)
		}
		if a, b := dump(q), dump(q2); a != b {
			t.Fatalf("Parse(%q) prints %q, which parses to another AST:\n%s\nwant:\n%s", s, printed, b, a)
		}
	})
}

func FuzzParseSearch(f *testing.F) {
	for _, file := range []string{"testdata/search.sosl", "testdata/search_errors.sosl"} {
		for _, c := range golden.ReadCases(f, file) {
			f.Add(c.Input)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseSearch(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseSearch(%q) error %v is a %T, want *soql.Error", s, err, err)
			}
			_ = e.Error()
			return
		}
		printed := q.String()
		q2, err := ParseSearch(printed)
		if err != nil {
			t.Fatalf("ParseSearch(%q) prints %q, which does not parse: %v", s, printed, err)
		}
		if a, b := dump(q), dump(q2); a != b {
			t.Fatalf("ParseSearch(%q) prints %q, which parses to another AST:\n%s\nwant:\n%s", s, printed, b, a)
		}
	})
}

// TestHandBuiltQuery builds a query the way the Salesforce client does and
// checks what it prints.
func TestHandBuiltQuery(t *testing.T) {
	t.Parallel()
	since := time.Date(2024, 5, 1, 12, 30, 0, 500_000_000, time.UTC)
	q := &Query{
		Select: []SelectItem{
			&SelectExpr{Expr: &Field{Path: []string{"Id"}}},
			&SelectExpr{Expr: &Field{Path: []string{"Owner", "Name"}}},
			&SubQuery{Query: &Query{
				Select: []SelectItem{&SelectExpr{Expr: &Field{Path: []string{"Id"}}}},
				From:   "Contacts",
				Limit:  new(5),
			}},
		},
		From: "Account",
		Where: &Logic{Op: And, Conds: []Cond{
			&Comparison{Left: &Field{Path: []string{"SystemModstamp"}}, Op: OpGreater, Right: &DateTimeLit{Time: since}},
			&Logic{Op: Or, Conds: []Cond{
				&Comparison{Left: &Field{Path: []string{"Name"}}, Op: OpEqual, Right: &StringLit{Value: "O'Brien\\Sons\n\x01"}},
				&Comparison{Left: &Field{Path: []string{"Name"}}, Op: OpLike, Right: &StringLit{Value: `50\% off%`}},
				&Not{Cond: &Comparison{Left: &Field{Path: []string{"Type"}}, Op: OpIn, Right: &ListLit{Values: []Expr{
					&StringLit{Value: "a"}, &NullLit{},
				}}}},
			}},
			&Comparison{Left: &Field{Path: []string{"CreatedDate"}}, Op: OpEqual, Right: &DateLiteral{Name: "LAST_N_DAYS", N: 7}},
		}},
		OrderBy: []OrderItem{{Expr: &Field{Path: []string{"SystemModstamp"}}}, {Expr: &Field{Path: []string{"Id"}}, Desc: true, Nulls: NullsFirst}},
		Limit:   new(2000),
	}
	want := `SELECT Id, Owner.Name, (SELECT Id FROM Contacts LIMIT 5) FROM Account ` +
		`WHERE SystemModstamp > 2024-05-01T12:30:00.5Z AND (Name = 'O\'Brien\\Sons\n\u0001' OR Name LIKE '50\% off%' OR NOT Type IN ('a', NULL)) ` +
		`AND CreatedDate = LAST_N_DAYS:7 ORDER BY SystemModstamp ASC, Id DESC NULLS FIRST LIMIT 2000`
	if got := q.String(); got != want {
		t.Fatalf("String() =\n%s\nwant\n%s", got, want)
	}
	back, err := Parse(want)
	if err != nil {
		t.Fatalf("the printed query does not parse: %v", err)
	}
	if a, b := dump(back), dump(q); a != b {
		t.Errorf("the printed query parses to\n%s\nwant\n%s", a, b)
	}
}

func TestColumnNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  string
	}{
		{"SELECT Id, Account.Name, toLabel(Status), FORMAT(Amount) amt FROM Opportunity", "Id|Account.Name|Status|amt"},
		{"SELECT Account.Name, COUNT(Id), MAX(Amount) m, SUM(Amount) FROM Opportunity GROUP BY Account.Name", "Name|expr0|m|expr1"},
		{"SELECT CALENDAR_YEAR(CloseDate), convertCurrency(SUM(Amount)), FORMAT(StageName) FROM Opportunity GROUP BY CALENDAR_YEAR(CloseDate), StageName", "expr0|expr1|StageName"},
		{"SELECT COUNT() FROM Account", ""},
		{"SELECT Id, (SELECT Id FROM Account.Contacts), TYPEOF What WHEN Account THEN Name END, FIELDS(STANDARD) FROM Event", "Id|Contacts|What|"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		if got := strings.Join(q.ColumnNames(), "|"); got != tt.want {
			t.Errorf("ColumnNames(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestQueryKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query        string
		count, aggr  bool
		nullsFirst0  bool
		withOrderKey bool
	}{
		{query: "SELECT COUNT() FROM Account", count: true},
		{query: "SELECT COUNT(Id) FROM Account", aggr: true},
		{query: "SELECT Name FROM Account GROUP BY Name", aggr: true},
		{query: "SELECT FORMAT(MAX(Amount)) FROM Opportunity", aggr: true},
		{query: "SELECT Name FROM Account ORDER BY Name", nullsFirst0: true, withOrderKey: true},
		{query: "SELECT Name FROM Account ORDER BY Name DESC", withOrderKey: true},
		{query: "SELECT Name FROM Account ORDER BY Name DESC NULLS FIRST", nullsFirst0: true, withOrderKey: true},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		if q.IsCount() != tt.count || q.IsAggregate() != tt.aggr {
			t.Errorf("%q: IsCount %t IsAggregate %t, want %t %t", tt.query, q.IsCount(), q.IsAggregate(), tt.count, tt.aggr)
		}
		if tt.withOrderKey && q.OrderBy[0].NullsFirst() != tt.nullsFirst0 {
			t.Errorf("%q: NullsFirst() = %t, want %t", tt.query, q.OrderBy[0].NullsFirst(), tt.nullsFirst0)
		}
	}
}

func TestErrorValues(t *testing.T) {
	t.Parallel()
	_, err := Parse("SELECT Id FROM Account OFFSET 5000")
	if !errors.Is(err, ErrNumberOutsideValidRange) || errors.Is(err, ErrMalformedQuery) {
		t.Errorf("OFFSET 5000: errors.Is gives the wrong sentinel for %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Row != 0 || e.Error() != "Maximum SOQL offset allowed is 2000" {
		t.Errorf("OFFSET 5000: %#v", err)
	}
	_, err = Parse("SELECT Id FROM Account WHERE Name = 'x' LIMT 5")
	if !errors.As(err, &e) || e.Code != CodeMalformedQuery || e.Row != 1 || e.Column != 37 || e.Message != "unexpected token: 'LIMT'" {
		t.Errorf("LIMT: %#v", err)
	}
	// The engine builds its own errors with positions from the AST.
	q, _ := Parse("SELECT Id,\n  Bacon__c FROM Account")
	f := q.Select[1].(*SelectExpr).Expr.(*Field)
	err = NewError(CodeInvalidField, "SELECT Id,\n  Bacon__c FROM Account", f.Pos, "No such column 'Bacon__c' on entity 'Account'.")
	want := "\n  Bacon__c FROM Account\n  ^\nERROR at Row:2:Column:3\nNo such column 'Bacon__c' on entity 'Account'."
	if err.Error() != want || !errors.Is(err, ErrInvalidField) {
		t.Errorf("NewError renders %q, want %q", err.Error(), want)
	}
}

func TestErrorWindow(t *testing.T) {
	t.Parallel()
	short := "SELECT Id FROM Account"
	if s, c := window(short, 11); s != short || c != 10 {
		t.Errorf("short line: %q %d", s, c)
	}
	long := strings.Repeat("Field, ", 30) + "Bad FROM Account WHERE " + strings.Repeat("X = 1 AND ", 10)
	col := strings.Index(long, "Bad") + 1
	s, c := window(long, col)
	if len(s) > windowWhole || !strings.HasPrefix(s[c:], "Bad FROM") || strings.HasPrefix(s, " ") {
		t.Errorf("long line: window %q caret %d", s, c)
	}
}
