package mapping

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

func steps(t *testing.T, specs ...any) []*Step {
	t.Helper()
	var out []*Step
	for i := 0; i < len(specs); i += 2 {
		s, err := NewStep(specs[i].(string), specs[i+1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func src(path string, f *salesforce.Field) Source { return Source{Path: path, Field: f} }

// billing returns a compound address field and its parts, as Account's
// describe has them.
func billing() Source {
	addr := field("BillingAddress", "address", func(f *salesforce.Field) { f.Createable, f.Updateable = false, false })
	var parts []*salesforce.Field
	for _, p := range []struct{ name, typ string }{
		{"BillingStreet", "textarea"}, {"BillingCity", "string"}, {"BillingState", "string"},
		{"BillingPostalCode", "string"}, {"BillingCountry", "string"}, {"BillingLatitude", "double"},
		{"BillingLongitude", "double"}, {"BillingGeocodeAccuracy", "picklist"},
	} {
		parts = append(parts, field(p.name, p.typ))
	}
	return Source{Path: "BillingAddress", Field: addr, Parts: parts}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	closeDate := field("CloseDate", "date", required)
	tests := []struct {
		name    string
		spec    Spec
		wantErr []string // parts of the joined error, in order
	}{
		{
			"text into a date needs a layout",
			Spec{Column: "close", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("CloseDate", closeDate)}},
			[]string{`text column "close" cannot become date field CloseDate (outbound): text cannot become a date without a layout`, "parse_date"},
		},
		{
			"datetime to date is inbound only",
			Spec{Column: "created", ColumnType: ColumnDate, Direction: Both, Sources: []Source{src("CreatedDate", field("CreatedDate", "datetime"))}},
			[]string{`date column "created" cannot become datetime field CreatedDate (outbound): a date has no time of day`},
		},
		{
			"one-way transform on a two-way field",
			Spec{Column: "name", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("Name", field("Name", "string"))}, Steps: steps(t, "trim", nil, "upper", nil)},
			[]string{"transform upper: one-way transform: changing case loses the original spelling"},
		},
		{
			"step that cannot take the field's kind",
			Spec{Column: "n", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("NumberOfEmployees", field("NumberOfEmployees", "int"))}, Steps: steps(t, "trim", nil)},
			[]string{"transform trim: trim takes a text or list value, not a number"},
		},
		{
			"both directions wrong at once",
			Spec{Column: "flag", ColumnType: ColumnCheckbox, Direction: Both, Sources: []Source{src("CloseDate", closeDate)}},
			[]string{"date field CloseDate cannot become checkbox column", "checkbox column \"flag\" cannot become date field CloseDate"},
		},
		{
			"relationship path written",
			Spec{Column: "account", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("Account.Name", field("Name", "string"))}},
			[]string{"Account.Name is a field of a related record, which is read-only"},
		},
		{
			"lookup through a record further away than a parent",
			Spec{Column: "owner", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{func() Source {
				s := accountLookup("Ext_Id__c")
				s.Path = "Account.Owner.Ext_Id__c"
				return s
			}()}},
			[]string{"a lookup is set through one relationship of the record"},
		},
		{
			"several fields written",
			Spec{Column: "full", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{src("FirstName", field("FirstName", "string")), src("LastName", field("LastName", "string"))}},
			[]string{"cannot be written back"},
		},
		{
			"unsupported field type",
			Spec{Column: "body", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("Body", field("Body", "base64"))}},
			[]string{"does not sync base64 fields"},
		},
		{
			"constant not in a restricted picklist",
			Spec{Direction: Outbound, Sources: []Source{src("Rating", field("Rating", "picklist", restricted, values("Hot")))}, Constant: "Tepid"},
			[]string{`field Rating: value "Tepid": not a value of this restricted picklist`},
		},
		{
			"constant inbound",
			Spec{Direction: Inbound, Sources: []Source{src("Rating", field("Rating", "picklist"))}, Constant: "Hot"},
			[]string{"a constant value is only written to Salesforce"},
		},
		{
			"transforms that turn a date into text, then a date column",
			Spec{Column: "d", ColumnType: ColumnDate, Direction: Inbound, Sources: []Source{src("CloseDate", closeDate)}, Steps: steps(t, "format_date", "YYYY")},
			[]string{`date field CloseDate (a text after the transforms) cannot become date column "d" (inbound)`},
		},
	}
	for _, tt := range tests {
		_, err := Compile(tt.spec)
		if err == nil {
			t.Errorf("%s: compiled", tt.name)
			continue
		}
		msg := err.Error()
		at := 0
		for _, w := range tt.wantErr {
			i := strings.Index(msg[at:], w)
			if i < 0 {
				t.Errorf("%s: error\n%s\nwant (in order) %q", tt.name, msg, w)
				break
			}
			at += i + len(w)
		}
	}
}

func TestFieldInbound(t *testing.T) {
	t.Parallel()
	rec := map[string]any{}
	if err := json.Unmarshal([]byte(`{
		"attributes": {"type": "Opportunity"},
		"Name": "  Big deal ", "Amount": 15000.5, "CloseDate": "2024-03-01",
		"StageName": "Closed Won", "Interests__c": "Golf;Tennis",
		"FirstName": "Ada", "LastName": "Lovelace",
		"Account": {"attributes": {"type": "Account"}, "Name": "Acme", "Owner": {"Name": "Grace"}},
		"Partner": null,
		"BillingStreet": "1 Main St", "BillingCity": "Springfield", "BillingPostalCode": "12345",
		"BillingCountry": "USA", "BillingLatitude": 37.5, "BillingLongitude": -122.25, "BillingState": null,
		"BillingGeocodeAccuracy": "Address"
	}`), &rec); err != nil {
		t.Fatal(err)
	}
	stage := field("StageName", "picklist", values("Prospecting", "Closed Won", "Closed Lost"))
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"plain", Spec{Column: "name", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("Name", field("Name", "string"))}, Steps: steps(t, "trim", nil)}, "Big deal"},
		{"number", Spec{Column: "amount", ColumnType: ColumnCurrency, Direction: Both, Sources: []Source{src("Amount", field("Amount", "currency"))}}, "15000.5"},
		{"date formatted", Spec{Column: "close", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("CloseDate", field("CloseDate", "date"))}, Steps: steps(t, "format_date", "DD/MM/YYYY")}, "01/03/2024"},
		{"picklist mapped", Spec{Column: "stage", ColumnType: ColumnPicklist, Direction: Both, Sources: []Source{src("StageName", stage)}, Steps: steps(t, "map", map[string]any{"values": map[string]any{"Closed Won": "Gagné"}})}, "Gagné"},
		{"relationship path", Spec{Column: "account", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("Account.Name", field("Name", "string"))}}, "Acme"},
		{"two hops", Spec{Column: "owner", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("Account.Owner.Name", field("Name", "string"))}}, "Grace"},
		{"empty relationship", Spec{Column: "partner", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("Partner.Name", field("Name", "string"))}}, ""},
		{"concat", Spec{Column: "full", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{src("FirstName", field("FirstName", "string")), src("LastName", field("LastName", "string"))}, Steps: steps(t, "concat", " ")}, "Ada Lovelace"},
		{"multi-picklist", Spec{Column: "interests", ColumnType: ColumnMultiPicklist, Direction: Both, Sources: []Source{src("Interests__c", field("Interests__c", "multipicklist"))}}, "Golf;Tennis"},
		{"address from parts", Spec{Column: "billing", ColumnType: ColumnAddress, Direction: Both, Sources: []Source{billing()}}, "1 Main St, 12345 Springfield, USA"},
		{"address as text", Spec{Column: "billing", ColumnType: ColumnText, Direction: Inbound, Sources: []Source{billing()}}, "1 Main St, 12345 Springfield, USA"},
	}
	for _, tt := range tests {
		f, err := Compile(tt.spec)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		v, err := f.Inbound(Map(rec))
		if err != nil || v.String() != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, v.String(), err, tt.want)
		}
		if !v.IsNull() && v.Kind() != tt.spec.ColumnType.Kind() {
			t.Errorf("%s: kind %v, want the column's %v", tt.name, v.Kind(), tt.spec.ColumnType.Kind())
		}
	}

	f, err := Compile(Spec{Column: "billing", ColumnType: ColumnAddress, Direction: Both, Sources: []Source{billing()}})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Inbound(Map(rec))
	if a := v.Address(); a.Latitude != "37.5" || a.Longitude != "-122.25" || a.GeocodeAccuracy != "Address" {
		t.Errorf("address parts: %+v", a)
	}
	wantPaths := []string{"BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry", "BillingLatitude", "BillingLongitude", "BillingGeocodeAccuracy"}
	if got := f.Paths(); !reflect.DeepEqual(got, wantPaths) {
		t.Errorf("Paths() = %v, want %v", got, wantPaths)
	}
}

func TestFieldInboundErrors(t *testing.T) {
	t.Parallel()
	f, err := Compile(Spec{Column: "phone", ColumnType: ColumnPhone, Direction: Inbound,
		Sources: []Source{src("Phone", field("Phone", "phone"))}, Steps: steps(t, "phone", "e164"), Env: Env{Country: "FR"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Inbound(Map{"Phone": "call the switchboard"})
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Field != "Phone" || ve.Column != "phone" || ve.Value != "call the switchboard" {
		t.Errorf("error %#v, want a ValueError naming field, column and value", err)
	}
}

// accountLookup returns Contact's AccountId, and a source writing it
// through the Account field key (Ext_Id__c, or Id).
func accountLookup(key string) Source {
	ref := field("AccountId", "reference", func(f *salesforce.Field) {
		rel := "Account"
		f.RelationshipName, f.ReferenceTo = &rel, []string{"Account"}
	})
	typ := "string"
	if key == "Id" {
		typ = "id"
	}
	return Source{Path: "Account." + key, Field: field(key, typ), Lookup: ref, Parent: "Account"}
}

func TestFieldOutbound(t *testing.T) {
	t.Parallel()
	rating := field("Rating", "picklist", restricted, values("Hot", "Warm", "Cold"))
	tests := []struct {
		name    string
		spec    Spec
		cell    Value
		want    map[string]any
		wantErr string
	}{
		{
			"inverse map",
			Spec{Column: "chaleur", ColumnType: ColumnPicklist, Direction: Both, Sources: []Source{src("Rating", rating)},
				Steps: steps(t, "map", map[string]any{"values": map[string]any{"Hot": "Chaud", "Warm": "Tiède", "Cold": "Froid"}})},
			Text("Tiède"), map[string]any{"Rating": "Warm"}, "",
		},
		{
			"inverse date format",
			Spec{Column: "close", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("CloseDate", field("CloseDate", "date"))}, Steps: steps(t, "format_date", "DD/MM/YYYY")},
			Text("05/03/2024"), map[string]any{"CloseDate": "2024-03-05"}, "",
		},
		{
			"outbound steps as written",
			Spec{Column: "phone", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{src("Phone", field("Phone", "phone"))},
				Steps: steps(t, "phone", "e164"), Env: Env{Country: "FR"}},
			Text("06 12 34 56 78"), map[string]any{"Phone": "+33612345678"}, "",
		},
		{
			"inverse phone writes E.164",
			Spec{Column: "phone", ColumnType: ColumnPhone, Direction: Both, Sources: []Source{src("Phone", field("Phone", "phone"))},
				Steps: steps(t, "phone", "national"), Env: Env{Country: "FR"}},
			Text("06 12 34 56 78"), map[string]any{"Phone": "+33612345678"}, "",
		},
		{
			"bare truncate fits the field",
			Spec{Column: "name", ColumnType: ColumnLongText, Direction: Both, Sources: []Source{src("Name", field("Name", "string", length(8)))}, Steps: steps(t, "truncate", nil)},
			Text("Acme Corporation"), map[string]any{"Name": "Acme Cor"}, "",
		},
		{
			"default fills a required field",
			Spec{Column: "company", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{src("Company", field("Company", "string", required))}, Steps: steps(t, "default", "Unknown")},
			Null(), map[string]any{"Company": "Unknown"}, "",
		},
		{
			"constant",
			Spec{Direction: Outbound, Sources: []Source{src("LeadSource", field("LeadSource", "picklist", values("Web")))}, Constant: "web"},
			Null(), map[string]any{"LeadSource": "Web"}, "",
		},
		{
			"address through its parts",
			Spec{Column: "billing", ColumnType: ColumnAddress, Direction: Both, Sources: []Source{billing()}},
			AddressOf(Address{Street: "2 Elm St", City: "Shelbyville", Latitude: "1"}),
			map[string]any{"BillingStreet": "2 Elm St", "BillingCity": "Shelbyville", "BillingState": nil, "BillingPostalCode": nil, "BillingCountry": nil}, "",
		},
		{
			"lookup through the parent's External ID",
			Spec{Column: "account_key", ColumnType: ColumnText, Direction: Both, Sources: []Source{accountLookup("Ext_Id__c")}, Steps: steps(t, "trim", nil)},
			Text(" ACME-1 "),
			map[string]any{"Account": map[string]any{"attributes": map[string]any{"type": "Account"}, "Ext_Id__c": "ACME-1"}}, "",
		},
		{
			"an empty key clears the lookup",
			Spec{Column: "account_key", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{accountLookup("Ext_Id__c")}},
			Null(), map[string]any{"AccountId": nil}, "",
		},
		{
			"lookup through the parent's Id",
			Spec{Column: "account_id", ColumnType: ColumnReference, Direction: Both, Sources: []Source{accountLookup("Id")}},
			Text("001000000000001AAA"), map[string]any{"AccountId": "001000000000001AAA"}, "",
		},
		{
			"fixed parent",
			Spec{Direction: Outbound, Sources: []Source{accountLookup("Ext_Id__c")}, Constant: "ACME-2"},
			Null(), map[string]any{"Account": map[string]any{"attributes": map[string]any{"type": "Account"}, "Ext_Id__c": "ACME-2"}}, "",
		},
		{
			"value the picklist lacks",
			Spec{Column: "rating", ColumnType: ColumnPicklist, Direction: Both, Sources: []Source{src("Rating", rating)}},
			Text("Tepid"), nil, `field Rating (column rating): value "Tepid": not a value of this restricted picklist`,
		},
		{
			"unparseable date",
			Spec{Column: "close", ColumnType: ColumnText, Direction: Both, Sources: []Source{src("CloseDate", field("CloseDate", "date"))}, Steps: steps(t, "format_date", "DD/MM/YYYY")},
			Text("March 5th"), nil, `field CloseDate (column close): value "March 5th": expected a date written DD/MM/YYYY, like 31/01/2024`,
		},
	}
	for _, tt := range tests {
		f, err := Compile(tt.spec)
		if err != nil {
			t.Errorf("%s: compile: %v", tt.name, err)
			continue
		}
		got, err := f.Outbound(tt.cell)
		if tt.wantErr != "" {
			if !errors.Is(err, ErrBadValue) || !strings.Contains(fmtErr(err), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFieldWritesAndOptions(t *testing.T) {
	t.Parallel()
	f, err := Compile(Spec{Column: "billing", ColumnType: ColumnAddress, Direction: Both, Sources: []Source{billing()}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range f.Writes() {
		names = append(names, w.Name)
	}
	if want := []string{"BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Writes() = %v, want %v", names, want)
	}

	f, err = Compile(Spec{Column: "account_key", ColumnType: ColumnText, Direction: Outbound, Sources: []Source{accountLookup("Ext_Id__c")}})
	if err != nil {
		t.Fatal(err)
	}
	if w := f.Writes(); len(w) != 1 || w[0].Name != "AccountId" {
		t.Errorf("Writes() of a lookup = %v, want AccountId", w)
	}

	rating := field("Rating", "picklist", values("Hot", "Warm", "Cold", "-Old"))
	f, err = Compile(Spec{Column: "chaleur", ColumnType: ColumnPicklist, Direction: Inbound, Sources: []Source{src("Rating", rating)},
		Steps: steps(t, "map", map[string]any{"values": map[string]any{"Hot": "Chaud", "Warm": "Chaud"}})})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Options(), []string{"Chaud", "Cold"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Options() = %v, want %v", got, want)
	}
}

func TestMapGet(t *testing.T) {
	t.Parallel()
	rec := Map{"Account": map[string]any{"Name": "Acme", "Owner": nil}, "Amount": 1.0, "Empty": nil}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"Amount", 1.0, true},
		{"amount", 1.0, true},
		{"account.name", "Acme", true},
		{"Empty", nil, true},
		{"Account.Owner.Name", nil, false},
		{"Missing.Name", nil, false},
		{"Amount.Name", nil, false},
		{"Missing", nil, false},
	}
	for _, tt := range tests {
		if got, ok := rec.Get(tt.path); got != tt.want || ok != tt.ok {
			t.Errorf("Get(%s) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
}
