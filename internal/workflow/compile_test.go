package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
)

const hotLeads = `version: 1
name: hot-leads
org: demo
owner: qa@example.com
object: Lead
sheet: hot_leads
direction: inbound
when: [{ field: Rating, op: "=", value: Hot }]
fields:
  - { salesforce: Name, column: name }
  - { salesforce: Owner.Name, column: owner }
  - { salesforce: ConvertedAccount.Owner.Name, column: account_owner }
  - { salesforce: ConvertedAccount.Name, column: account }
`

func TestCompileDescribesEachObjectOnce(t *testing.T) {
	t.Parallel()
	org, env := setup(t)
	if _, _, err := Load(context.Background(), "hot-leads.yaml", []byte(hotLeads), env); err != nil {
		t.Fatal(err)
	}
	// Lead, Account (ConvertedAccount), User (Account.Owner); Lead.Owner is
	// polymorphic and resolves without a describe.
	if n := org.calls.Load(); n != 3 {
		t.Errorf("%d describe calls, want 3", n)
	}
}

func TestCompileDescribeFailure(t *testing.T) {
	t.Parallel()
	down := errors.New("connection refused")
	env := Env{Describe: func(context.Context, string) (*salesforce.SObjectDescribe, error) { return nil, down }}
	_, _, err := Load(context.Background(), "hot-leads.yaml", []byte(hotLeads), env)
	var ve *ValidationError
	if !errors.Is(err, down) || errors.As(err, &ve) || !strings.Contains(err.Error(), "describing Lead") {
		t.Errorf("error %v: want the describe failure, wrapped, not a validation error", err)
	}
	if _, err := Compile(context.Background(), &Definition{}, Env{}); err == nil {
		t.Error("Compile without a describe function succeeded")
	}
}

func TestCompileObjectPermissions(t *testing.T) {
	t.Parallel()
	org, env := setup(t)
	lead := withField(t, "Lead", salesforce.Field{Name: "Name", Type: "string", Length: 121})
	lead.Queryable, lead.Createable, lead.Deletable = false, false, false
	org.override["lead"] = lead
	doc := `version: 1
name: locked
org: demo
owner: qa@example.com
object: Lead
sheet: leads
direction: both
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Company, column: company }
outbound: { operation: create }
deletes: { outbound: propagate }
`
	_, _, err := Load(context.Background(), "locked.yaml", []byte(doc), env)
	for _, want := range []string{
		"5:9: object: Lead cannot be queried",
		"11:24: outbound.operation: Lead records cannot be created",
		"12:22: deletes.outbound: Lead records cannot be deleted",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant %q", err, want)
		}
	}
}

func TestCompileCreateOnlyAndFormulaFields(t *testing.T) {
	t.Parallel()
	_, env := setup(t)
	doc := `version: 1
name: deals
org: demo
owner: qa@example.com
object: Opportunity
sheet: deals
direction: both
fields:
  - { salesforce: Name, column: name }
  - { salesforce: StageName, column: stage }
  - { salesforce: CloseDate, column: close }
  - { salesforce: ContactId, column: contact }
  - { salesforce: ExpectedRevenue, column: expected, direction: inbound }
outbound: { operation: create }
`
	// Opportunity.ContactId can be set when an opportunity is created, not
	// changed later (the recorded describe).
	_, plan, err := Load(context.Background(), "deals.yaml", []byte(doc), env)
	if err != nil {
		t.Fatal(err)
	}
	var contact *FieldPlan
	for _, fp := range plan.Fields {
		if fp.Column == "contact" {
			contact = fp
		}
	}
	if contact == nil || !contact.CreateOnly {
		t.Errorf("Opportunity.ContactId is createable but not updateable: want CreateOnly, got %+v", contact)
	}
	if plan.Conflicts != SalesforceWins || plan.Deletes != (Deletes{Inbound: DeletePropagate, Outbound: DeleteIgnore}) || plan.NoLongerMatching != UnmatchedMark {
		t.Errorf("defaults: conflicts %q, deletes %+v, unmatched %q", plan.Conflicts, plan.Deletes, plan.NoLongerMatching)
	}
	want := "SELECT Id, Name, StageName, CloseDate, ContactId, ExpectedRevenue, SystemModstamp, LastModifiedDate, LastModifiedById FROM Opportunity"
	if got := plan.SOQL(); got != want {
		t.Errorf("SOQL\n got %s\nwant %s", got, want)
	}
	if c := plan.Column("stage"); c == nil || c.Type != mapping.ColumnPicklist || len(c.Options) != 10 {
		t.Errorf("stage column %+v", c)
	}
	if plan.Column("nope") != nil {
		t.Error("Column(nope) found something")
	}
}

// TestPlanMapsRecords runs a compiled plan end to end on a record shaped
// like the query's answer.
func TestPlanMapsRecords(t *testing.T) {
	t.Parallel()
	_, env := setup(t)
	_, plan, err := Load(context.Background(), "hot-leads.yaml", []byte(hotLeads), env)
	if err != nil {
		t.Fatal(err)
	}
	rec := record(t, `{"attributes": {"type": "Lead"}, "Id": "00Q000000000001AAA", "Name": "Ada Lovelace", "Rating": "Hot",
		"Owner": {"attributes": {"type": "Name"}, "Name": "Grace"},
		"ConvertedAccount": {"Name": "Analytical Engines", "Owner": {"Name": "Charles"}}, "SystemModstamp": "2024-01-01T00:00:00.000+0000"}`)
	ok, err := plan.Matches(rec, time.Now())
	if err != nil || !ok {
		t.Fatalf("Matches: %v, %v", ok, err)
	}
	got, err := plan.Cells(rec)
	want := map[string]any{"name": "Ada Lovelace", "owner": "Grace", "account_owner": "Charles", "account": "Analytical Engines"}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cells %v, %v; want %v", got, err, want)
	}
	if got, err := plan.FormulaCells(rec); err != nil || len(got) != 0 {
		t.Errorf("formula cells %v, %v; the workflow maps no formula", got, err)
	}
}

func TestPlanCellsErrorsAndFormulas(t *testing.T) {
	t.Parallel()
	_, env := setup(t)
	doc := `version: 1
name: invoices
org: demo
owner: qa@example.com
object: Invoice__c
sheet: invoices
direction: inbound
fields:
  - { salesforce: Name, column: number }
  - { salesforce: Amount__c, column: amount }
  - { salesforce: Issued_On__c, column: issued }
  - { salesforce: Total__c, column: total }
`
	_, plan, err := Load(context.Background(), "invoices.yaml", []byte(doc), env)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(plan.FormulaFields) != "[Total__c]" {
		t.Errorf("formula fields %v", plan.FormulaFields)
	}
	rec := record(t, `{"Name": "INV-1", "Amount__c": "lots", "Issued_On__c": "soon", "Total__c": 750.5}`)
	cells, err := plan.Cells(rec)
	for _, want := range []string{`field Amount__c (column amount): value "lots": expected a number`, `field Issued_On__c (column issued): value "soon": expected a date`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
	if fmt.Sprint(cells) != "map[number:INV-1 total:750.5]" {
		t.Errorf("the cells that could be mapped: %v", cells)
	}
	formulas, err := plan.FormulaCells(rec)
	if err != nil || fmt.Sprint(formulas) != "map[total:750.5]" {
		t.Errorf("formula cells %v, %v", formulas, err)
	}
}

func TestTimeFieldsCannotBeFiltered(t *testing.T) {
	t.Parallel()
	_, env := setup(t)
	doc := "version: 1\nname: t\norg: demo\nowner: qa@example.com\nobject: Invoice__c\nsheet: s\ndirection: inbound\n" +
		"when: { field: Pickup_Time__c, op: \">\", value: \"08:30\" }\nfields: [{ salesforce: Pickup_Time__c, column: pickup }]\n"
	_, _, err := Load(context.Background(), "t.yaml", []byte(doc), env)
	if err == nil || !strings.Contains(err.Error(), "8:36: when.op: operator \">\" does not apply to Pickup_Time__c (a time field): sfbridge cannot filter on time fields yet") {
		t.Errorf("error %v", err)
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	doc := `{
  "version": 1, "name": "json", "org": "demo", "owner": "qa@example.com",
  "object": "Lead", "sheet": "leads", "direction": "inbound",
  "when": {"field": "NumberOfEmployees", "op": ">", "value": 10},
  "fields": [{"salesforce": "Name", "column": "name", "transform": ["trim"]}],
  "colour": "blue"
}`
	_, err := Parse([]byte(doc))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 {
		t.Fatalf("error %v, want one problem", err)
	}
	p := ve.Problems[0]
	if p.Line != 6 || p.Column != 3 || p.Path != "colour" || p.Code != CodeUnknownKey {
		t.Errorf("problem %+v, want the unknown key at 6:3", p)
	}
}

func TestProblemFormat(t *testing.T) {
	t.Parallel()
	ve := &ValidationError{File: "w.yaml", Problems: []Problem{
		{Position: Position{3, 7}, Path: "object", Code: CodeUnknownObject, Message: `no object "Leed"`, Hint: `did you mean "Lead"?`},
		{Code: CodeSyntax, Message: "oops"},
	}}
	want := "w.yaml: 2 problems:\n  w.yaml:3:7: object: no object \"Leed\"; did you mean \"Lead\"? [workflow.unknown_object]\n  w.yaml:-: oops [workflow.syntax]"
	if got := ve.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !errors.Is(ve, ErrInvalid) {
		t.Error("a ValidationError is not ErrInvalid")
	}
	one := &ValidationError{Problems: ve.Problems[:1]}
	if !strings.HasPrefix(one.Error(), "workflow: 1 problem:\n  3:7: object:") {
		t.Errorf("got %q", one.Error())
	}
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	fields := []string{"Rating", "Email", "LastName", "Company", "Id", "BillingPostalCode"}
	tests := map[string]string{
		"rating":            `did you mean "Rating"?`, // case only
		"Ratting":           `did you mean "Rating"?`,
		"Emial":             `did you mean "Email"?`, // a swap counts as one edit
		"Lastname":          `did you mean "LastName"?`,
		"BillingPostalCod":  `did you mean "BillingPostalCode"?`,
		"Ix":                `did you mean "Id"?`,
		"Ab":                "",
		"Revenue":           "",
		"BillingPostCode":   `did you mean "BillingPostalCode"?`,
		"ShippingPostalCod": "",
	}
	for in, want := range tests {
		if got := didYouMean(in, fields); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDurationText(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", 5 * time.Minute: "5m", time.Hour: "1h", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s",
	} {
		if got := Duration(d).text(); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the parser: it must never panic, and
// whatever parses cleanly must survive the JSON round trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte(hotLeads))
	f.Add([]byte(`{"version": 1, "name": "x", "fields": [{"salesforce": ["A", "B"], "value": false}]}`))
	f.Add([]byte("version: 1\nwhen: { not: { all: [ { field: A, op: in, value: [1, 2] } ] } }\n"))
	f.Add([]byte("version: 1\nfields:\n  - { salesforce: A, column: a, transform: [trim, { map: { values: { a: b } } }] }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		def, err := Parse(data)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("Parse error is not a ValidationError: %v", err)
		}
		if err != nil {
			for _, p := range ve.Problems {
				if p.Message == "" || p.Code == "" {
					t.Fatalf("problem without message or code: %+v", p)
				}
			}
			return
		}
		roundTrip(t, def)
	})
}
