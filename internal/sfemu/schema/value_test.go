package schema

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"}, {1500, "1500.0"}, {1500.25, "1500.25"}, {-3, "-3.0"}, {9999999, "9999999.0"},
		{1e7, "1.0E7"}, {35000000, "3.5E7"}, {1.23456789e12, "1.23456789E12"}, {0.001, "0.001"},
		{0.0001, "1.0E-4"}, {-2.5e-5, "-2.5E-5"}, {1.0 / 3, "0.3333333333333333"},
	}
	for _, tt := range tests {
		if got := string(AppendJSON(nil, TypeDouble, tt.in)); got != tt.want {
			t.Errorf("AppendJSON(double %v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestAppendJSON(t *testing.T) {
	t.Parallel()
	dt := time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		typ  FieldType
		in   any
		want string
	}{
		{TypeString, nil, "null"},
		{TypeString, "a \"quoted\" <b>&\n\u00e9", `"a \"quoted\" <b>&\n` + "\u00e9" + `"`},
		{TypeString, "bad \xff byte\x01", `"bad \ufffd byte\u0001"`},
		{TypeBoolean, true, "true"},
		{TypeInt, int64(42), "42"},
		{TypeCurrency, 1500.0, "1500.0"},
		{TypeDateTime, dt, `"2024-01-31T10:00:00.000+0000"`},
		{TypeDateTime, dt.In(time.FixedZone("x", 3600)), `"2024-01-31T10:00:00.000+0000"`},
		{TypeDate, time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), `"2024-01-31"`},
		{TypeTime, "15:04:05.000Z", `"15:04:05.000Z"`},
		{TypeAddress, Address{City: "Paris", Country: "FR", Latitude: 48.85}, `{"city":"Paris","country":"FR","geocodeAccuracy":null,"latitude":48.85,"longitude":null,"postalCode":null,"state":null,"street":null}`},
		{TypeLocation, Location{Latitude: 1.5, Longitude: -2.0}, `{"latitude":1.5,"longitude":-2.0}`},
	}
	for _, tt := range tests {
		if got := string(AppendJSON(nil, tt.typ, tt.in)); got != tt.want {
			t.Errorf("AppendJSON(%s, %#v) = %s, want %s", tt.typ, tt.in, got, tt.want)
		}
	}
	if got := FormatValue(TypeDate, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)); got != "2024-02-01" {
		t.Errorf("FormatValue(date) = %q", got)
	}
	if got := FormatValue(TypeString, nil); got != "" {
		t.Errorf("FormatValue(nil) = %q", got)
	}
}

func TestParseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  FieldType
		in   string
		want any
		err  bool
	}{
		{TypeString, "x", "x", false},
		{TypeString, "", nil, false},
		{TypeBoolean, "TRUE", true, false},
		{TypeBoolean, "yes", nil, true},
		{TypeInt, "12", int64(12), false},
		{TypeInt, "12.0", int64(12), false},
		{TypeInt, "12.5", nil, true},
		{TypeDouble, "1e3", 1000.0, false},
		{TypeDouble, "NaN", nil, true},
		{TypeCurrency, "abc", nil, true},
		{TypeDate, "2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), false},
		{TypeDate, "2024-13-01", nil, true},
		{TypeDate, "2024-01-31T10:00:00Z", nil, true},
		{TypeDateTime, "2024-01-31T10:00:00Z", time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC), false},
		{TypeDateTime, "2024-01-31T10:00:00.123+0100", time.Date(2024, 1, 31, 9, 0, 0, 123e6, time.UTC), false},
		{TypeDateTime, "2024-01-31T10:00:00+01:00", time.Date(2024, 1, 31, 9, 0, 0, 0, time.UTC), false},
		{TypeDateTime, "2024-01-31T10:00:00.123456-05:00", time.Date(2024, 1, 31, 15, 0, 0, 123e6, time.UTC), false},
		{TypeDateTime, "2024-01-31 10:00:00", nil, true},
		{TypeTime, "09:30", "09:30:00.000Z", false},
		{TypeTime, "25:00", nil, true},
		{TypeBase64, "aGVsbG8=", "aGVsbG8=", false},
		{TypeBase64, "not base64!", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseText(tt.typ, tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseText(%s, %q) error = %v", tt.typ, tt.in, err)
			continue
		}
		if gt, ok := got.(time.Time); ok {
			if !gt.Equal(tt.want.(time.Time)) || gt.Location() != time.UTC {
				t.Errorf("ParseText(%s, %q) = %v, want %v", tt.typ, tt.in, got, tt.want)
			}
		} else if got != tt.want {
			t.Errorf("ParseText(%s, %q) = %#v, want %#v", tt.typ, tt.in, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	d1, d2 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		a, b any
		want int
	}{
		{nil, nil, 0}, {nil, "a", -1}, {"a", nil, 1}, {"apple", "Banana", -1}, {"B", "b", -1}, {"b", "B", 1},
		{"b", "b", 0}, {"ÉCOLE", "école", -1}, {"école", "ÉCOLE", 1}, {"Straße", "STRASSE", 1}, {"ab", "ABC", -1},
		{1.5, 2.0, -1}, {int64(3), 2.5, 1}, {int64(2), 1.5, 1}, {1.5, int64(2), -1}, {int64(3), int64(3), 0},
		{false, true, -1}, {true, true, 0}, {d1, d2, -1}, {d2, d1, 1},
	}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	reg := invoicing(t)
	account, task := reg.Object("Account"), reg.Object("Task")
	tests := []struct {
		obj  *Object
		body string
		want string // field=value pairs, or the error
	}{
		{account, `{"Name":"Acme","AnnualRevenue":"1500","NumberOfEmployees":12,"IsPartner":"true","Description":null}`,
			"Name=Acme AnnualRevenue=1500 NumberOfEmployees=12 IsPartner=true Description=<nil>"},
		{account, `{"attributes":{"type":"Account","url":"/x"},"Name":123.5}`, "type=Account Name=123.5"},
		{account, `{"Name":""}`, "Name=<nil>"},
		{task, `{"ActivityDate":"2024-01-31","ReminderDateTime":"2024-01-31T10:00:00.000+0000","Subject":true}`,
			"ActivityDate=2024-01-31 00:00:00 +0000 UTC ReminderDateTime=2024-01-31 10:00:00 +0000 UTC Subject=true"},
		{task, "{\n  \"ActivityDate\": \"2024-13-01\"\n}",
			"JSON_PARSER_ERROR: Cannot deserialize instance of date from VALUE_STRING value 2024-13-01 or request may be missing a required field at [line:2, column:31]"},
		{task, `{"ReminderDateTime":"2024-07-30 20:54:16 UTC"}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of datetime from VALUE_STRING value 2024-07-30 20:54:16 UTC or request may be missing a required field at [line:1, column:46]"},
		{account, `{"AnnualRevenue":"lots"}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of double from VALUE_STRING value lots or request may be missing a required field at [line:1, column:24]"},
		{account, `{"NumberOfEmployees":1.5}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of int from VALUE_NUMBER_FLOAT value 1.5 or request may be missing a required field at [line:1, column:25]"},
		{account, `{"IsPartner":1}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of boolean from VALUE_NUMBER_INT value 1 or request may be missing a required field at [line:1, column:15]"},
		{task, `{"ActivityDate":{}}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of date from START_OBJECT value { or request may be missing a required field at [line:1, column:18]"},
		{account, `{"Name":["a"]}`,
			"JSON_PARSER_ERROR: Cannot deserialize instance of string from START_ARRAY value [ or request may be missing a required field at [line:1, column:10]"},
		{account, `{"Foo":1}`, "INVALID_FIELD: No such column 'Foo' on sobject of type Account"},
		{account, `{"Name":"x",}`, "JSON_PARSER_ERROR: Unexpected character ('}' (code 125)) at [line:1, column:13]"},
		{account, `{"Name":"x"`, "JSON_PARSER_ERROR: Unexpected end-of-input at [line:1, column:12]"},
		{account, `["x"]`, "JSON_PARSER_ERROR: Unexpected token (START_ARRAY), expected START_OBJECT at [line:1, column:2]"},
		{account, `{"Name":"x"} {}`, "JSON_PARSER_ERROR: Unexpected content after the end of the record at [line:1, column:15]"},
		{reg.Object("Contact"), `{"LastName":"x","Account":{"Customer_Number__c":"C-1"}}`,
			"LastName=x Account->Account.Customer_Number__c=C-1"},
		{task, `{"What":{"attributes":{"type":"Invoice__c"},"External_Key__c":"K"}}`, "What->Invoice__c.External_Key__c=K"},
		{task, `{"What":{"External_Key__c":"K"}}`,
			"INVALID_FIELD: The foreign key reference What is polymorphic: give attributes.type"},
		{reg.Object("Contact"), `{"Account":{"Name":"Acme"}}`,
			"INVALID_FIELD: Field Name does not exist or is not an external ID field on Account"},
		{reg.Object("Contact"), `{"Account":{"Customer_Number__c":"a","Id":"b"}}`,
			"INVALID_FIELD: More than one field provided in a foreign key reference for Account: Customer_Number__c, Id"},
	}
	for _, tt := range tests {
		in, err := tt.obj.DecodeJSON([]byte(tt.body))
		var got string
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("DecodeJSON(%s) error %v is not an *Error", tt.body, err)
			}
			got = err.Error()
		} else {
			var parts []string
			if in.Type != "" {
				parts = append(parts, "type="+in.Type)
			}
			for _, v := range in.Values {
				parts = append(parts, v.Field.Name+"="+stringOf(v.Value))
			}
			for _, r := range in.Refs {
				parts = append(parts, r.Field.RelationshipName+"->"+r.Object.Name+"."+r.Key.Name+"="+stringOf(r.Value))
			}
			got = strings.Join(parts, " ")
		}
		if got != tt.want {
			t.Errorf("DecodeJSON(%s)\n got %s\nwant %s", tt.body, got, tt.want)
		}
	}
}

func stringOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case float64:
		if x == math.Trunc(x) {
			return strings.TrimSuffix(FormatValue(TypeDouble, x), ".0")
		}
		return FormatValue(TypeDouble, x)
	default:
		return strings.TrimSpace(strings.ReplaceAll(fmtAny(x), "\n", " "))
	}
}

func fmtAny(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.String()
	}
	return strings.TrimSpace(strings.Trim(string(AppendJSON(nil, TypeString, v)), `"`))
}

func TestDerivedValues(t *testing.T) {
	t.Parallel()
	reg := Standard()
	opp, contact, account, task := reg.Object("Opportunity"), reg.Object("Contact"), reg.Object("Account"), reg.Object("Task")
	rec := func(o *Object, kv ...any) Record {
		m := mapRecord{}
		for i := 0; i < len(kv); i += 2 {
			m[o.Field(kv[i].(string))] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		obj   *Object
		r     Record
		field string
		want  any
	}{
		{opp, rec(opp, "Amount", 1000.0, "Probability", 25.0), "ExpectedRevenue", 250.0},
		{opp, rec(opp, "Amount", 1000.0), "ExpectedRevenue", nil},
		{contact, rec(contact, "FirstName", "Ada", "LastName", "Lovelace", "Salutation", "Ms."), "Name", "Ada Lovelace"},
		{contact, rec(contact, "LastName", "Lovelace"), "Name", "Lovelace"},
		{task, rec(task, "Status", "Completed"), "IsClosed", true},
		{task, rec(task, "Status", "In Progress", "Priority", "High"), "IsClosed", false},
		{task, rec(task, "Priority", "High"), "IsHighPriority", true},
		{account, rec(account, "BillingCity", "Paris", "BillingLatitude", 48.8), "BillingAddress",
			Address{City: "Paris", Latitude: 48.8}},
		{account, rec(account), "BillingAddress", nil},
		{account, rec(account, "Name", "Acme"), "Name", "Acme"},
	}
	for _, tt := range tests {
		f := tt.obj.Field(tt.field)
		if got := tt.obj.Value(tt.r, f); got != tt.want {
			t.Errorf("%s.%s = %#v, want %#v", tt.obj.Name, tt.field, got, tt.want)
		}
	}
}

type mapRecord map[*Field]any

func (m mapRecord) Get(f *Field) any { return m[f] }

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"Name":"Acme","AnnualRevenue":1.5}`, `{"attributes":{"type":"Account"},"Parent":{"Name":"x"}}`,
		"{\n\"BillingLatitude\":\"1e5\"}", `{"IsPartner":"TRUE","NumberOfEmployees":"12"}`, `[]`, `{"Name":`} {
		f.Add([]byte(s))
	}
	account := Standard().Object("Account")
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := account.DecodeJSON(body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("error %v is not a complete *Error", err)
			}
			return
		}
		for _, v := range in.Values {
			if v.Value == nil {
				continue
			}
			// Every decoded value renders and parses back to itself.
			text := FormatValue(v.Field.Type, v.Value)
			back, err := ParseText(v.Field.Type, text)
			if err != nil || Compare(back, v.Value) != 0 {
				t.Fatalf("%s: %#v renders as %q which parses to %#v, %v", v.Field.Name, v.Value, text, back, err)
			}
		}
	})
}

// BenchmarkCompare orders two strings that differ only in case, the costly
// case of an ORDER BY on text: go test -bench Compare -benchmem.
func BenchmarkCompare(b *testing.B) {
	x, y := "Acme Corporation Élan", "ACME corporation élan"
	for b.Loop() {
		Compare(x, y)
	}
}
