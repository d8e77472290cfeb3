package schema

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

func invoicing(t *testing.T) *Registry {
	t.Helper()
	data, err := os.ReadFile("testdata/valid/invoicing.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Standard().Apply("invoicing.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var opts = DescribeOptions{Version: "60.0", InstanceURL: "http://127.0.0.1:8080"}

func TestDescribeGolden(t *testing.T) {
	t.Parallel()
	reg := invoicing(t)
	global, err := reg.DescribeGlobal(opts)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/describe-global.json", golden.IndentJSON(t, global))
	for _, o := range reg.Objects() {
		body, err := o.Describe(opts)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/golden/describe-"+o.Name+".json", golden.IndentJSON(t, body))
	}
	basic, err := reg.Object("Account").BasicInfo(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/golden/basic-Account.json", golden.IndentJSON(t, basic))
}

func TestStandardObjects(t *testing.T) {
	t.Parallel()
	reg := Standard()
	want := []string{"Account", "Campaign", "CampaignMember", "Case", "Contact", "ContentDocument", "ContentVersion",
		"Dashboard", "Event", "EventRelation", "Lead", "ListView", "Opportunity", "Order", "Organization", "Profile",
		"Report", "Task", "TaskRelation", "User"}
	var got []string
	for _, o := range reg.Objects() {
		got = append(got, o.Name)
		if o.Field("Id") == nil || o.Field("Id").Index != 0 {
			t.Errorf("%s: Id is not the first field", o.Name)
		}
		if reg.ObjectForID(o.KeyPrefix+"5g0000000001AAA") != o {
			t.Errorf("%s: prefix %s does not map back", o.Name, o.KeyPrefix)
		}
		for i, f := range o.Fields {
			if f.Index != i || f.Object != o {
				t.Errorf("%s.%s: index %d at position %d", o.Name, f.Name, f.Index, i)
			}
			if f.IsReference() && len(f.ReferenceTo) == 0 {
				t.Errorf("%s.%s: reference without referenceTo", o.Name, f.Name)
			}
			if f.Required() && f.Derived() {
				t.Errorf("%s.%s: a derived field cannot be required", o.Name, f.Name)
			}
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("objects = %v\nwant %v", got, want)
	}
	// Required-on-create fields, as clients derive them from describe.
	required := map[string]string{
		"Account": "Name", "Contact": "LastName", "Lead": "LastName,Company", "Opportunity": "Name,StageName,CloseDate",
		"Case": "", "Task": "", "Event": "", "Campaign": "Name", "CampaignMember": "CampaignId",
		"Order": "AccountId,EffectiveDate", "ContentVersion": "Title",
		"User": "Username,LastName,Email,Alias,TimeZoneSidKey,LocaleSidKey,EmailEncodingKey,ProfileId,LanguageLocaleKey",
	}
	for name, want := range required {
		var got []string
		for _, f := range reg.Object(name).Fields {
			if f.Required() {
				got = append(got, f.Name)
			}
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s required fields = %v, want %s", name, got, want)
		}
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	reg := invoicing(t)
	tests := []struct {
		name string
		ok   bool
	}{
		{"account", true}, {"ACCOUNT", true}, {"invoice__C", true}, {"Invoice", false},
	}
	for _, tt := range tests {
		if got := reg.Object(tt.name) != nil; got != tt.ok {
			t.Errorf("Object(%q) found = %v", tt.name, got)
		}
	}
	contact := reg.Object("Contact")
	if f := contact.Field("accountid"); f == nil || f.Name != "AccountId" {
		t.Fatalf("Field(accountid) = %v", f)
	}
	if f := contact.Relationship("ACCOUNT"); f == nil || f.Name != "AccountId" || len(f.Targets) != 1 || f.Targets[0].Name != "Account" {
		t.Errorf("Relationship(ACCOUNT) = %+v", f)
	}
	task := reg.Object("Task")
	what := task.Relationship("what")
	if what == nil || !what.Polymorphic {
		t.Fatalf("Task.What = %+v", what)
	}
	var targets []string
	for _, o := range what.Targets {
		targets = append(targets, o.Name)
	}
	if got := strings.Join(targets, ","); got != "Account,Campaign,Case,Invoice__c,Opportunity,Order" {
		t.Errorf("Task.What targets = %s", got)
	}
	account := reg.Object("Account")
	for _, tc := range []struct{ rel, child, field string }{
		{"contacts", "Contact", "AccountId"}, {"Opportunities", "Opportunity", "AccountId"},
		{"Tasks", "Task", "WhatId"}, {"Invoices__r", "Invoice__c", "Account__c"},
		{"ChildAccounts", "Account", "ParentId"}, {"Accounts__r", "Account", "Primary_Contact__c"},
	} {
		parent := account
		if tc.rel == "Accounts__r" {
			parent = contact
		}
		cr := parent.ChildRelationship(tc.rel)
		if cr == nil || cr.Object.Name != tc.child || cr.Field.Name != tc.field {
			t.Errorf("ChildRelationship(%s) = %+v", tc.rel, cr)
		}
	}
	if cr := account.ChildRelationship("Cases"); cr == nil || cr.CascadeDelete || !cr.RestrictedDelete {
		t.Errorf("Account.Cases = %+v, want restricted delete", cr)
	}
	if reg.ObjectForID("0015e00000AbCdEAAA").Name != "Account" || reg.ObjectForID("zz") != nil {
		t.Error("ObjectForID")
	}
	line := reg.Object("Invoice_Line__c")
	if line.Owned() || line.Sharing != SharingControlledByParent || len(line.ParentFields) != 1 {
		t.Errorf("Invoice_Line__c: owned=%v sharing=%s parents=%v", line.Owned(), line.Sharing, line.ParentFields)
	}
	inv := reg.Object("Invoice__c")
	if inv.KeyPrefix != "a00" || line.KeyPrefix != "a01" {
		t.Errorf("custom prefixes %s, %s; want a00, a01", inv.KeyPrefix, line.KeyPrefix)
	}
	if n := inv.NameField; n == nil || !n.AutoNumber || n.FormatAutoNumber(7) != "INV-0007" {
		t.Errorf("Invoice__c name field = %+v", n)
	}
	if f := inv.Field("Site__Latitude__s"); f == nil || f.CompoundFieldName != "Site__c" {
		t.Errorf("Site__Latitude__s = %+v", f)
	}
}

func TestApplyKeepsOriginalAndSources(t *testing.T) {
	t.Parallel()
	reg := invoicing(t)
	if Standard().Object("Invoice__c") != nil || Standard().Object("Account").Field("Region__c") != nil {
		t.Fatal("Apply changed the standard registry")
	}
	rebuilt, err := Rebuild(reg.Sources())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := reg.Object("Invoice__c").Describe(opts)
	b, _ := rebuilt.Object("Invoice__c").Describe(opts)
	if !bytes.Equal(a, b) {
		t.Error("Rebuild(Sources()) gives a different Invoice__c")
	}
	// A second file sees the first one's objects and gets the next prefix.
	next, err := reg.Apply("more.yaml", []byte("version: 1\nobjects:\n- name: Shipment__c\n  fields:\n  - {name: Invoice__c, type: reference, referenceTo: [Invoice__c]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := next.Object("Shipment__c").KeyPrefix; p != "a02" {
		t.Errorf("Shipment__c prefix = %s, want a02", p)
	}
	if cr := next.Object("Invoice__c").ChildRelationship("Shipments__r"); cr == nil {
		t.Error("default child relationship Shipments__r missing")
	}
}

// TestInvalidSchemas pins the error for each file in testdata/invalid.
func TestInvalidSchemas(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no invalid schema files", err)
	}
	var out bytes.Buffer
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Standard().Apply(filepath.Base(file), data)
		var se *SpecError
		if !errors.As(err, &se) || !errors.Is(err, ErrInvalidSchema) {
			t.Errorf("%s: error %v is not a *SpecError", file, err)
			continue
		}
		if se.Line == 0 {
			t.Errorf("%s: error has no line: %v", file, err)
		}
		out.WriteString(err.Error() + "\n")
	}
	golden.Check(t, "testdata/golden/invalid-schemas.txt", out.Bytes())
}

func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml", "standard/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, _ := os.ReadFile(file)
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := Standard().Apply("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalidSchema) {
				t.Fatalf("error %v is not ErrInvalidSchema", err)
			}
			return
		}
		for _, o := range reg.Objects() {
			if _, err := o.Describe(opts); err != nil {
				t.Fatal(err)
			}
		}
	})
}
