package schema

import (
	"testing"
	"time"
)

// linkedRecord is a record of a small in-memory org: it reaches its parents
// by ID and reads a fixed clock.
type linkedRecord struct {
	vals map[*Field]any
	org  map[string]*linkedRecord
	now  time.Time
}

func (r *linkedRecord) Get(f *Field) any { return r.vals[f] }

func (r *linkedRecord) Related(id string) Record {
	if p, ok := r.org[id]; ok {
		return p
	}
	return nil
}

func (r *linkedRecord) Now() time.Time { return r.now }

// TestFormulaFields evaluates the formula fields of testdata/valid through
// Object.Value: same-record fields, parent paths, other formulas, the clock
// and the conversion to the field's type.
func TestFormulaFields(t *testing.T) {
	t.Parallel()
	reg := invoicing(t)
	account, inv, line, user := reg.Object("Account"), reg.Object("Invoice__c"), reg.Object("Invoice_Line__c"), reg.Object("User")
	now := time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
	org := map[string]*linkedRecord{}
	rec := func(id string, o *Object, fields map[string]any) *linkedRecord {
		r := &linkedRecord{vals: map[*Field]any{}, org: org, now: now}
		for name, v := range fields {
			f := o.Field(name)
			if f == nil {
				t.Fatalf("%s has no field %s", o.Name, name)
			}
			r.vals[f] = v
		}
		org[id] = r
		return r
	}
	rec("005000000000001AAA", user, map[string]any{"Alias": "jdoe"})
	acme := rec("001000000000001AAA", account, map[string]any{"Name": "Acme", "OwnerId": "005000000000001AAA",
		"AnnualRevenue": 1234567.0, "Rating": "Hot"})
	invoice := rec("a00000000000001AAA", inv, map[string]any{"Account__c": "001000000000001AAA", "Total__c": 200.0,
		"Discount__c": 12.5, "Paid__c": false, "Status__c": "Sent", "Due_At__c": time.Date(2024, 3, 10, 22, 30, 0, 0, time.UTC)})
	orphan := rec("a00000000000002AAA", inv, map[string]any{"Status__c": "Draft"})
	item := rec("a01000000000001AAA", line, map[string]any{"Invoice__c": "a00000000000001AAA", "Quantity__c": 3.0,
		"Unit_Price__c": 33.333})
	plain := mapRecord{account.Field("AnnualRevenue"): 1000.0}

	tests := []struct {
		o     *Object
		r     Record
		field string
		want  any
	}{
		{account, acme, "Score__c", 1245.0}, // 1234.567 + 10, scale 0
		{account, plain, "Score__c", 1.0},   // a plain Record: no Rating
		{inv, invoice, "Balance__c", 175.0},
		{inv, invoice, "Overdue__c", true},
		{inv, orphan, "Overdue__c", false}, // blank due date: a blank checkbox is false
		{inv, invoice, "Account_Name__c", "Acme (jdoe)"},
		{inv, orphan, "Account_Name__c", " ()"},
		{inv, invoice, "Due_Date__c", time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)},
		{inv, orphan, "Due_Date__c", nil},
		{inv, invoice, "Status_Label__c", "Sent"},
		{inv, orphan, "Status_Label__c", "Not sent"},
		{line, item, "Amount__c", 100.0},        // 99.999 rounded to scale 2
		{line, item, "Share__c", 50.0},          // another formula, then a parent
		{account, mapRecord{}, "Score__c", nil}, // blank revenue: blank score
	}
	for _, tt := range tests {
		t.Run(tt.o.Name+"."+tt.field, func(t *testing.T) {
			f := tt.o.Field(tt.field)
			if !f.Calculated || !f.Derived() || f.Createable || f.Updateable {
				t.Fatalf("%s: calculated %v derived %v createable %v updateable %v", f.Name, f.Calculated, f.Derived(), f.Createable, f.Updateable)
			}
			got := tt.o.Value(tt.r, f)
			if gt, ok := got.(time.Time); ok {
				if wt, _ := tt.want.(time.Time); !gt.Equal(wt) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}

	// The value moves with the parent and the clock; the record is unchanged.
	acme.vals[account.Field("Name")] = "Acme Corp"
	invoice.vals[inv.Field("Due_At__c")] = now.Add(time.Hour)
	if got := inv.Value(invoice, inv.Field("Account_Name__c")); got != "Acme Corp (jdoe)" {
		t.Errorf("after renaming the parent: %v", got)
	}
	if got := inv.Value(invoice, inv.Field("Overdue__c")); got != false {
		t.Errorf("before the due time: %v", got)
	}
	for _, r := range org {
		r.now = now.Add(2 * time.Hour)
	}
	if got := inv.Value(invoice, inv.Field("Overdue__c")); got != true {
		t.Errorf("after the due time: %v", got)
	}
}
