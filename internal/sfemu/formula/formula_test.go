package formula

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testRecord is a record of named fields for tests; field names are
// case-insensitive, as in Salesforce.
type testRecord struct {
	types  map[string]Type
	values map[string]any
	now    time.Time
	slots  []string
}

var testNow = time.Date(2024, 3, 15, 13, 30, 0, 0, time.UTC)

func newRecord(values map[string]any) *testRecord {
	r := &testRecord{types: map[string]Type{}, values: map[string]any{}, now: testNow}
	types := map[string]Type{
		"amount": Number, "qty": Number, "name": Text, "city": Text, "rating": Picklist, "paid": Boolean,
		"closedate": Date, "dueat": DateTime, "account.name": Text, "owner.alias": Text,
	}
	for k, t := range types {
		r.types[k] = t
	}
	for k, v := range values {
		r.values[strings.ToLower(k)] = v
	}
	return r
}

func (r *testRecord) resolve(path string) (Field, string, bool) {
	t, ok := r.types[strings.ToLower(path)]
	if !ok {
		return Field{}, "", false
	}
	r.slots = append(r.slots, strings.ToLower(path))
	return Field{Type: t, Slot: len(r.slots) - 1}, "", true
}

func (r *testRecord) Input(slot int) any { return r.values[r.slots[slot]] }
func (r *testRecord) Now() time.Time     { return r.now }

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestEval(t *testing.T) {
	t.Parallel()
	full := map[string]any{"Amount": 1500.0, "Qty": 3.0, "Name": "Acme", "City": "  Paris ", "Rating": "Hot",
		"Paid": true, "CloseDate": date(2024, 1, 31), "DueAt": time.Date(2024, 3, 20, 8, 0, 0, 0, time.UTC),
		"Account.Name": "Parent Co", "Owner.Alias": "jdoe"}
	tests := []struct {
		src    string
		typ    Type
		fields map[string]any // nil: full
		want   any
	}{
		// Literals and operators.
		{"1 + 2 * 3", Number, nil, 7.0},
		{"(1 + 2) * 3", Number, nil, 9.0},
		{"2 ^ 3 ^ 2", Number, nil, 512.0},
		{"-2 ^ 2", Number, nil, -4.0},
		{"10 / 4", Number, nil, 2.5},
		{"1 / 0", Number, nil, nil},
		{"Amount / 1000 + IF(ISPICKVAL(Rating, 'Hot'), 10, 0)", Number, nil, 11.5},
		{"Amount / 1000 + 1", Number, map[string]any{}, nil},
		{`"a" & 'b' & Name`, Text, nil, "abAcme"},
		{`Name & City`, Text, map[string]any{"City": "x"}, "x"},
		{`"say \"hi\""`, Text, nil, `say "hi"`},
		{"TRUE && !FALSE", Boolean, nil, true},
		{"FALSE || Paid", Boolean, nil, true},
		{"NULL", Number, nil, nil},
		{"/* comment */ 1", Number, nil, 1.0},
		// Comparisons.
		{"Amount = 1500", Boolean, nil, true},
		{"Amount == 1500", Boolean, nil, true},
		{"Amount != 1500", Boolean, nil, false},
		{"Amount <> 1", Boolean, nil, true},
		{"Amount < 2000 && Amount <= 1500 && Amount > 1 && Amount >= 1500", Boolean, nil, true},
		{"Amount > 1", Boolean, map[string]any{}, false},
		{"Amount = NULL", Boolean, map[string]any{}, true},
		{"Name = ''", Boolean, map[string]any{}, true},
		{"Name = 'acme'", Boolean, nil, false},
		{"CloseDate < DATE(2024, 2, 1)", Boolean, nil, true},
		// Logic.
		{"IF(Amount > 1000, 'big', 'small')", Text, nil, "big"},
		{"IF(Amount > 1000, 'big', 'small')", Text, map[string]any{}, "small"},
		{"IF(Paid, NULL, 1)", Number, nil, nil},
		{"CASE(Rating, 'Hot', 3, 'Warm', 2, 1)", Number, nil, 3.0},
		{"CASE(Rating, 'Hot', 3, 'Warm', 2, 1)", Number, map[string]any{"Rating": "Cold"}, 1.0},
		{"CASE(Qty, 1, 'one', 3, 'three', 'many')", Text, nil, "three"},
		{"AND(Paid, Amount > 1, TRUE)", Boolean, nil, true},
		{"AND(Paid, Amount > 1)", Boolean, map[string]any{"Paid": true}, false},
		{"OR(FALSE, Amount > 1)", Boolean, nil, true},
		{"OR(FALSE, FALSE)", Boolean, nil, false},
		{"NOT(Paid)", Boolean, nil, false},
		{"ISBLANK(Name)", Boolean, map[string]any{}, true},
		{"ISBLANK(Amount)", Boolean, nil, false},
		{"ISNULL(Amount)", Boolean, map[string]any{}, true},
		{"ISBLANK(Rating)", Boolean, map[string]any{}, true},
		{"BLANKVALUE(Amount, 0) + 1", Number, map[string]any{}, 1.0},
		{"NULLVALUE(Name, 'none')", Text, nil, "Acme"},
		{"NULLVALUE(Name, 'none')", Text, map[string]any{}, "none"},
		// Text.
		{"TEXT(Amount)", Text, nil, "1500"},
		{"TEXT(2.5)", Text, nil, "2.5"},
		{"TEXT(Rating)", Text, nil, "Hot"},
		{"TEXT(CloseDate)", Text, nil, "2024-01-31"},
		{"TEXT(DueAt)", Text, nil, "2024-03-20 08:00:00Z"},
		{"TEXT(Amount)", Text, map[string]any{}, nil},
		{"VALUE('42.5') * 2", Number, nil, 85.0},
		{"VALUE('x')", Number, nil, nil},
		{"LEN(Name)", Number, nil, 4.0},
		{"LEN('héllo')", Number, nil, 5.0},
		{"LEN(Name)", Number, map[string]any{}, 0.0},
		{"LEFT(Name, 2)", Text, nil, "Ac"},
		{"LEFT(Name, 10)", Text, nil, "Acme"},
		{"RIGHT(Name, 3)", Text, nil, "cme"},
		{"MID(Name, 2, 2)", Text, nil, "cm"},
		{"MID('héllo', 2, 3)", Text, nil, "éll"},
		{"UPPER(Name)", Text, nil, "ACME"},
		{"LOWER(Name)", Text, nil, "acme"},
		{"TRIM(City)", Text, nil, "Paris"},
		{"CONTAINS(Name, 'cm')", Boolean, nil, true},
		{"CONTAINS(Name, 'CM')", Boolean, nil, false},
		{"BEGINS(Name, 'Ac')", Boolean, nil, true},
		{"SUBSTITUTE(Name, 'c', 'k')", Text, nil, "Akme"},
		{"HYPERLINK('https://x.test/' & Name, Name)", Text, nil, `<a href="https://x.test/Acme" target="_blank">Acme</a>`},
		{"HYPERLINK('/a', 'A', '_self')", Text, nil, `<a href="/a" target="_self">A</a>`},
		// Numbers.
		{"ROUND(2.345, 2)", Number, nil, 2.35},
		{"ROUND(-2.5, 0)", Number, nil, -3.0},
		{"ROUND(1234, -2)", Number, nil, 1200.0},
		{"FLOOR(2.7)", Number, nil, 2.0},
		{"FLOOR(-2.5)", Number, nil, -3.0},
		{"CEILING(2.1)", Number, nil, 3.0},
		{"ABS(-4)", Number, nil, 4.0},
		{"MAX(1, Qty, 2)", Number, nil, 3.0},
		{"MIN(5, Qty, 4)", Number, nil, 3.0},
		{"MAX(1, Qty)", Number, map[string]any{}, nil},
		{"MOD(10, 3)", Number, nil, 1.0},
		{"MOD(10, 0)", Number, nil, nil},
		// Dates.
		{"TODAY()", Date, nil, date(2024, 3, 15)},
		{"NOW()", DateTime, nil, testNow},
		{"TODAY() - CloseDate", Number, nil, 44.0},
		{"CloseDate + 1", Date, nil, date(2024, 2, 1)},
		{"1 + CloseDate", Date, nil, date(2024, 2, 1)},
		{"CloseDate - 31", Date, nil, date(2023, 12, 31)},
		{"DueAt + 0.5", DateTime, nil, time.Date(2024, 3, 20, 20, 0, 0, 0, time.UTC)},
		{"DueAt - NOW()", Number, nil, 4.770833333333333},
		{"DATE(2024, 2, 29)", Date, nil, date(2024, 2, 29)},
		{"DATE(2023, 2, 29)", Date, nil, nil},
		{"YEAR(CloseDate) * 10000 + MONTH(CloseDate) * 100 + DAY(CloseDate)", Number, nil, 20240131.0},
		{"YEAR(CloseDate)", Number, map[string]any{}, nil},
		{"ADDMONTHS(CloseDate, 1)", Date, nil, date(2024, 2, 29)},
		{"ADDMONTHS(DATE(2024, 2, 29), 1)", Date, nil, date(2024, 3, 31)},
		{"ADDMONTHS(DATE(2024, 1, 15), -2)", Date, nil, date(2023, 11, 15)},
		{"DATEVALUE(DueAt)", Date, nil, date(2024, 3, 20)},
		{"DATEVALUE('2024-05-06')", Date, nil, date(2024, 5, 6)},
		{"DATEVALUE('May 6')", Date, nil, nil},
		// Picklists and parents.
		{"ISPICKVAL(Rating, 'Hot')", Boolean, nil, true},
		{"ISPICKVAL(Rating, 'hot')", Boolean, nil, false},
		{"ISPICKVAL(Rating, '')", Boolean, map[string]any{}, true},
		{"Account.Name & ' / ' & Owner.Alias", Text, nil, "Parent Co / jdoe"},
		{"account.name", Text, nil, "Parent Co"},
		{"if(isblank(account.name), 'none', 'some')", Text, map[string]any{}, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			fields := tt.fields
			if fields == nil {
				fields = full
			}
			r := newRecord(fields)
			f, err := Compile(tt.src, tt.typ, r.resolve)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got := f.Eval(r)
			if gt, ok := got.(time.Time); ok {
				if wt, ok := tt.want.(time.Time); !ok || !gt.Equal(wt) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		typ  Type
		pos  int
		want string
	}{
		{"Amout * 2", Number, 1, "Field Amout does not exist. Check spelling."},
		{"IF(Amount > 1, 2)", Number, 1, "Incorrect number of parameters for function 'IF()'. Expected 3, received 2"},
		{"TODAY(1)", Date, 1, "Incorrect number of parameters for function 'TODAY()'. Expected 0, received 1"},
		{"MAX()", Number, 1, "Incorrect number of parameters for function 'MAX()'. Expected at least 1, received 0"},
		{"HYPERLINK('a')", Text, 1, "Incorrect number of parameters for function 'HYPERLINK()'. Expected 2 to 3, received 1"},
		{"CASE(Qty, 1, 'a', 2, 'b')", Text, 1, "Incorrect number of parameters for function 'CASE()'. Expected 6, received 5"},
		{"FOO(1)", Number, 1, "Unknown function FOO. Check spelling."},
		{"Name + 1", Number, 1, "Incorrect parameter type for operator '+'. Expected Number, received Text"},
		{"1 & Name", Text, 1, "Incorrect parameter type for operator '&'. Expected Text, received Number"},
		{"IF(Amount, 1, 2)", Number, 4, "Incorrect parameter type for function 'IF()'. Expected Boolean, received Number"},
		{"IF(Paid, 1, 'a')", Number, 13, "Incorrect parameter type for function 'IF()'. Expected Number, received Text"},
		{"Name", Number, 1, "Formula result is data type (Text), incompatible with expected data type (Number)."},
		{"Rating = 'Hot'", Boolean, 1, "Field Rating is a picklist field. Picklist fields are only supported in certain functions."},
		{"ISPICKVAL(Name, 'x')", Boolean, 11, "Incorrect parameter type for function 'ISPICKVAL()'. Expected Picklist, received Text"},
		{"Paid < TRUE", Boolean, 6, "Incorrect parameter type for operator '<'. Expected Number, Text, Date, DateTime, received Boolean"},
		{"CloseDate + CloseDate", Date, 13, "Incorrect parameter type for operator '+'. Expected Number, received Date"},
		{"YEAR(DueAt)", Number, 6, "Incorrect parameter type for function 'YEAR()'. Expected Date, received DateTime"},
		{"(1 + 2", Number, 7, "Syntax error. Missing ')'"},
		{"1 + ", Number, 5, "Syntax error. Missing expression at the end of the formula"},
		{"1 2", Number, 3, "Syntax error. Extra '2'"},
		{"IF(Paid 1, 2)", Number, 9, "Syntax error. Found '1'"},
		{"'abc", Text, 1, "Syntax error. Missing '"},
		{"1 # 2", Number, 3, "Syntax error. Found '#'"},
		{"1.2.3", Number, 1, "Syntax error. Found '1.2.3'"},
		{"/* open", Number, 1, "Syntax error. Missing '*/'"},
		{"", Number, 1, "Syntax error. The formula is empty"},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), Number, 201, "Formula is too deeply nested"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := Compile(tt.src, tt.typ, newRecord(nil).resolve)
			var fe *Error
			if !errors.As(err, &fe) || !errors.Is(err, ErrFormula) {
				t.Fatalf("got %v, want a *Error", err)
			}
			if fe.Msg != tt.want || fe.Pos != tt.pos {
				t.Fatalf("got %d %q, want %d %q", fe.Pos, fe.Msg, tt.pos, tt.want)
			}
		})
	}
}

// FuzzParse checks that Parse and Compile never panic and that every error
// is a *Error with a position inside the formula.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1 + 2 * 3", "IF(Amount > 1, 'a', \"b\")", "CASE(Rating, 'Hot', 1, 0)",
		"-2 ^ -Qty", "/* c */ Account.Name & Owner.Alias", "DATE(2024,1,1) + 1", "((((", "'\\", "1..2", "!!!TRUE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse(src)
		for _, typ := range []Type{Number, Text} {
			r := newRecord(map[string]any{"Amount": 1.0, "Name": "x"})
			c, cerr := Compile(src, typ, r.resolve)
			if err != nil && cerr == nil {
				t.Fatalf("Parse failed (%v) but Compile succeeded", err)
			}
			if cerr != nil {
				var fe *Error
				if !errors.As(cerr, &fe) || fe.Pos < 1 || fe.Pos > len([]rune(src))+1 {
					t.Fatalf("bad error %v for %q", cerr, src)
				}
				continue
			}
			c.Eval(r)
		}
	})
}
