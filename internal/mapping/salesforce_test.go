package mapping

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// field returns a describe entry; opts tweak it.
func field(name, typ string, opts ...func(*salesforce.Field)) *salesforce.Field {
	f := &salesforce.Field{Name: name, Type: typ, Nillable: true, Createable: true, Updateable: true, Filterable: true}
	switch typ {
	case "string", "email", "phone", "url", "picklist", "multipicklist", "combobox":
		f.Length = 255
	case "textarea":
		f.Length = 32000
	case "id", "reference":
		f.Length = 18
	}
	for _, o := range opts {
		o(f)
	}
	return f
}

func length(n int) func(*salesforce.Field) { return func(f *salesforce.Field) { f.Length = n } }
func required(f *salesforce.Field)         { f.Nillable = false }
func precision(p, s int) func(*salesforce.Field) {
	return func(f *salesforce.Field) { f.Precision, f.Scale = p, s }
}
func digits(n int) func(*salesforce.Field) { return func(f *salesforce.Field) { f.Digits = n } }
func restricted(f *salesforce.Field)       { f.RestrictedPicklist = true }
func values(vals ...string) func(*salesforce.Field) {
	return func(f *salesforce.Field) {
		for _, v := range vals {
			active := !strings.HasPrefix(v, "-")
			f.PicklistValues = append(f.PicklistValues, salesforce.PicklistValue{Value: strings.TrimPrefix(v, "-"), Label: v, Active: active})
		}
	}
}

func TestFromSalesforce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		f        *salesforce.Field
		raw      any
		want     string
		wantKind Kind
		wantErr  string
	}{
		{"string", field("Name", "string"), "Acme", "Acme", KindText, ""},
		{"null", field("Name", "string"), nil, "", KindNull, ""},
		{"id", field("Id", "id"), "001B000000UnQ2vIAF", "001B000000UnQ2vIAF", KindText, ""},
		{"double as float64", field("Amount", "currency"), 15000.5, "15000.5", KindNumber, ""},
		{"double as json.Number keeps digits", field("Amount", "currency"), json.Number("123456789012345678.12"), "123456789012345678.12", KindNumber, ""},
		{"number from Bulk CSV", field("NumberOfEmployees", "int"), "250", "250", KindNumber, ""},
		{"empty CSV number", field("NumberOfEmployees", "int"), "", "", KindNull, ""},
		{"bad number", field("NumberOfEmployees", "int"), "lots", "", 0, "field NumberOfEmployees: value \"lots\": expected a number"},
		{"boolean", field("IsClosed", "boolean"), true, "true", KindBool, ""},
		{"boolean from CSV", field("IsClosed", "boolean"), "false", "false", KindBool, ""},
		{"boolean wrong type", field("IsClosed", "boolean"), 3.0, "", 0, "expected true or false"},
		{"date", field("CloseDate", "date"), "2024-03-01", "2024-03-01", KindDate, ""},
		{"bad date", field("CloseDate", "date"), "01/03/2024", "", 0, "expected a date like 2024-01-31"},
		{"datetime Salesforce style", field("CreatedDate", "datetime"), "2011-07-07T00:37:00.000+0000", "2011-07-07T00:37:00Z", KindDateTime, ""},
		{"datetime with offset", field("CreatedDate", "datetime"), "2024-01-31T10:00:00+01:00", "2024-01-31T09:00:00Z", KindDateTime, ""},
		{"datetime Z", field("CreatedDate", "datetime"), "2024-01-31T10:00:00Z", "2024-01-31T10:00:00Z", KindDateTime, ""},
		{"time", field("Start__c", "time"), "13:30:00.000Z", "13:30:00", KindTime, ""},
		{"multipicklist", field("Interests__c", "multipicklist"), "four;six", "four;six", KindList, ""},
		{
			"address", field("BillingAddress", "address"),
			map[string]any{"street": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "USA", "latitude": 37.5, "longitude": -122.25},
			"1 Main St, 12345 Springfield, USA", KindAddress, "",
		},
		{"empty address", field("BillingAddress", "address"), map[string]any{"street": nil, "city": nil}, "", KindNull, ""},
		{"location", field("Loc__c", "location"), map[string]any{"latitude": 48.8566, "longitude": 2.3522}, "48.8566, 2.3522", KindLocation, ""},
		{"unsupported type", field("Body", "base64"), "aGk=", "", 0, "does not sync base64"},
	}
	for _, tt := range tests {
		v, err := FromSalesforce(tt.f, tt.raw)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if v.Kind() != tt.wantKind || v.String() != tt.want {
			t.Errorf("%s: got %v %q, want %v %q", tt.name, v.Kind(), v.String(), tt.wantKind, tt.want)
		}
	}
}

func TestToSalesforce(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 31, 9, 30, 0, 0, time.UTC)
	rating := field("Rating", "picklist", restricted, values("Hot", "Warm", "Cold", "-Lukewarm"))
	tests := []struct {
		name    string
		f       *salesforce.Field
		v       Value
		want    any
		wantErr string
	}{
		{"text", field("Name", "string"), Text("Acme"), "Acme", ""},
		{"text too long", field("Name", "string", length(4)), Text("Acme Corp"), nil, "9 characters, more than the 4"},
		{"length counts characters, not bytes", field("City", "string", length(5)), Text("Évry!"), "Évry!", ""},
		{"blank text is null", field("Title", "string"), Text("  "), nil, ""},
		{"required field empty", field("LastName", "string", required), Text(""), nil, "LastName needs a value"},
		{"null boolean is false", field("DoNotCall", "boolean"), Null(), false, ""},
		{"boolean from text", field("DoNotCall", "boolean"), Text("yes"), true, ""},
		{"picklist canonical case", rating, Text("hot"), "Hot", ""},
		{"restricted picklist unknown", rating, Text("Tepid"), nil, `not a value of this restricted picklist ("Hot", "Warm", "Cold")`},
		{"restricted picklist inactive", rating, Text("Lukewarm"), nil, "inactive"},
		{"unrestricted picklist takes anything", field("LeadSource", "picklist", values("Web")), Text("Fair"), "Fair", ""},
		{"multipicklist", field("Interests__c", "multipicklist", restricted, values("Golf", "Tennis")), List("golf", "Tennis"), "Golf;Tennis", ""},
		{"multipicklist unknown", field("Interests__c", "multipicklist", restricted, values("Golf")), List("Chess"), nil, "not a value"},
		{"email", field("Email", "email"), Text(" ada@example.com "), "ada@example.com", ""},
		{"bad email", field("Email", "email"), Text("ada at example"), nil, "expected an e-mail address"},
		{"display-name email refused", field("Email", "email"), Text("Ada <ada@example.com>"), nil, "expected an e-mail address"},
		{"reference to 18", field("AccountId", "reference"), Text("001B000000UnQ2v"), "001B000000UnQ2vIAF", ""},
		{"reference case-folded by a spreadsheet", field("AccountId", "reference"), Text("001b000000unq2viaf"), "001B000000UnQ2vIAF", ""},
		{"bad reference", field("AccountId", "reference"), Text("Acme"), nil, "expected a Salesforce record ID"},
		{"int", field("NumberOfEmployees", "int", digits(8)), mustNumber(t, "250"), json.Number("250"), ""},
		{"int with fraction", field("NumberOfEmployees", "int", digits(8)), mustNumber(t, "2.5"), nil, "expected a whole number"},
		{"int too large", field("NumberOfEmployees", "int", digits(3)), mustNumber(t, "1000"), nil, "holds 3 digits"},
		{"currency", field("Amount", "currency", precision(18, 2)), mustNumber(t, "123456789012345.67"), json.Number("123456789012345.67"), ""},
		{"currency too large", field("Amount", "currency", precision(5, 2)), mustNumber(t, "1234.5"), nil, "holds 3 digits"},
		{"number from text", field("Amount", "currency", precision(18, 2)), Text("12.5"), json.Number("12.5"), ""},
		{"date", field("CloseDate", "date"), Date(at), "2024-01-31", ""},
		{"datetime", field("Due__c", "datetime"), DateTime(at), "2024-01-31T09:30:00.000Z", ""},
		{"date into datetime refused", field("Due__c", "datetime"), Date(at), nil, "cannot become"},
		{"time", field("Start__c", "time"), TimeOfDay(at), "09:30:00.000Z", ""},
		{"address is written through parts", field("BillingAddress", "address"), AddressOf(Address{City: "Paris"}), nil, "written through their parts"},
	}
	for _, tt := range tests {
		got, err := ToSalesforce(tt.f, tt.v)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			var ve *ValueError
			if errors.As(err, &ve) && ve.Field != tt.f.Name {
				t.Errorf("%s: error names field %q, want %q", tt.name, ve.Field, tt.f.Name)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %#v, %v; want %#v", tt.name, got, err, tt.want)
		}
	}
}

func TestCellValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col     ColumnType
		raw     any
		want    string
		wantErr string
	}{
		{ColumnText, "hello", "hello", ""},
		{ColumnText, 12.0, "", "cannot hold a float64"},
		{ColumnNumber, 12.5, "12.5", ""},
		{ColumnNumber, json.Number("1.10"), "1.1", ""},
		{ColumnNumber, "1e2", "100", ""},
		{ColumnNumber, true, "", "expected a number"},
		{ColumnCheckbox, int64(1), "true", ""},
		{ColumnCheckbox, int64(0), "false", ""},
		{ColumnCheckbox, "no", "false", ""},
		{ColumnDate, "2024-02-29", "2024-02-29", ""},
		{ColumnDate, "2023-02-29", "", "expected a date"},
		{ColumnDate, time.Date(2024, 5, 1, 23, 0, 0, 0, time.UTC), "2024-05-01", ""},
		{ColumnDateTime, "2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z", ""},
		{ColumnTime, "08:15", "08:15:00", ""},
		{ColumnMultiPicklist, []any{"a", "b"}, "a;b", ""},
		{ColumnMultiPicklist, []any{"a", 1.0}, "", "expected a list of strings"},
		{ColumnMultiPicklist, "a;b", "a;b", ""},
		{ColumnAddress, map[string]any{"city": "Lyon"}, "Lyon", ""},
		{ColumnNumber, nil, "", ""},
		{ColumnNumber, Text("7"), "7", ""},
	}
	for _, tt := range tests {
		v, err := CellValue(tt.col, tt.raw)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CellValue(%s, %#v) error %v, want %q", tt.col, tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil || v.String() != tt.want {
			t.Errorf("CellValue(%s, %#v) = %q, %v; want %q", tt.col, tt.raw, v.String(), err, tt.want)
		}
		if !v.IsNull() && v.Kind() != tt.col.Kind() {
			t.Errorf("CellValue(%s, %#v) kind %v, want %v", tt.col, tt.raw, v.Kind(), tt.col.Kind())
		}
	}
}
