package org

import (
	"encoding/json"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

func TestSharingAndPermissions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	other, err := f.o.As(f.otherUser)
	if err != nil {
		t.Fatal(err)
	}
	adminOpp := f.create(t, f.admin, "Opportunity", `{"Name":"Admin deal","StageName":"Prospecting","CloseDate":"2026-06-30"}`)
	myOpp := f.create(t, f.user, "Opportunity", `{"Name":"My deal","StageName":"Prospecting","CloseDate":"2026-06-30"}`)
	adminLead := f.create(t, f.admin, "Lead", `{"LastName":"L","Company":"C"}`)
	otherAcct := f.create(t, other, "Account", `{"Name":"Other's account"}`)
	otherContact := f.create(t, other, "Contact", `{"LastName":"Kid","AccountId":"`+otherAcct+`"}`)
	myCase := f.create(t, f.user, "Case", `{"Subject":"Mine"}`)

	// Reads: private objects hide others' records as NOT_FOUND.
	for _, tc := range []struct {
		as   *Principal
		id   string
		code string
	}{
		{f.user, adminOpp, "NOT_FOUND"}, {f.user, adminLead, "NOT_FOUND"}, {f.user, myOpp, ""},
		{f.admin, myOpp, ""},           // View All Data
		{f.user, otherAcct, ""},        // accounts are public read/write
		{f.user, otherContact, ""},     // contacts follow their account
		{f.user, f.o.ID(), ""},         // the Organization row is readable
		{f.user, f.admin.UserID(), ""}, // users see each other
	} {
		_, err := f.o.Get(tc.as, tc.id)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s reading %s: %v", tc.as.profile.Name, tc.id, err)
		case tc.code != "":
			apiError(t, err, tc.code, "The requested resource does not exist")
		}
	}
	// Writes.
	apiError(t, f.update(t, f.user, adminOpp, `{"Amount":1}`), "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
	if err := f.update(t, f.user, otherAcct, `{"Phone":"1"}`); err != nil {
		t.Errorf("public read/write: %v", err)
	}
	// Sharing lets a user edit, not delete, others' records.
	apiError(t, f.o.Delete(f.ctx, f.user, otherAcct), "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
	// The Standard User profile may not delete cases, even its own.
	apiError(t, f.o.Delete(f.ctx, f.user, myCase), "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
	if err := f.o.Delete(f.ctx, f.admin, myCase); err != nil {
		t.Errorf("the admin deleting a case: %v", err)
	}
	// Field-level security: Account.AnnualRevenue is hidden, Lead.Rating read-only.
	apiError(t, f.update(t, f.user, otherAcct, `{"AnnualRevenue":1}`), "INVALID_FIELD", "No such column 'AnnualRevenue' on sobject of type Account")
	myLead := f.create(t, f.user, "Lead", `{"LastName":"Mine","Company":"C"}`)
	apiError(t, f.update(t, f.user, myLead, `{"Rating":"Hot"}`), "INVALID_FIELD_FOR_INSERT_UPDATE",
		"Unable to create/update fields: Rating. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", "Rating")
	// Read-only objects for the standard user.
	_, err = f.createErr(t, f.user, "User", `{"LastName":"x"}`)
	apiError(t, err, "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
	// Changing the org-wide default opens opportunities up.
	if err := f.o.SetSharing("Opportunity", schema.SharingRead); err != nil {
		t.Fatal(err)
	}
	if _, err := f.o.Get(f.user, adminOpp); err != nil {
		t.Errorf("public read-only: %v", err)
	}
	apiError(t, f.update(t, f.user, adminOpp, `{"Amount":1}`), "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
	apiError(t, f.o.SetSharing("Opportunity", schema.SharingControlledByParent), "FIELD_INTEGRITY_EXCEPTION", "Opportunity has no parent to control its sharing")
}

func TestDescribeAccess(t *testing.T) {
	t.Parallel()
	f := setup(t)
	reg := f.o.Registry()
	describe := func(as *Principal, object string) map[string]any {
		t.Helper()
		body, err := reg.Object(object).Describe(schema.DescribeOptions{Version: "60.0", Access: as})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	field := func(d map[string]any, name string) map[string]any {
		for _, x := range d["fields"].([]any) {
			if m := x.(map[string]any); m["name"] == name {
				return m
			}
		}
		return nil
	}
	acct := describe(f.user, "Account")
	if field(acct, "AnnualRevenue") != nil {
		t.Error("the standard user's Account describe shows AnnualRevenue")
	}
	if rating := field(describe(f.user, "Lead"), "Rating"); rating == nil || rating["updateable"] != false || rating["createable"] != false {
		t.Errorf("Lead.Rating for the standard user = %v, want read-only", rating)
	}
	if c := describe(f.user, "Case"); c["deletable"] != false || c["createable"] != true {
		t.Errorf("Case for the standard user: deletable %v createable %v", c["deletable"], c["createable"])
	}
	if field(describe(f.admin, "Account"), "AnnualRevenue") == nil {
		t.Error("the admin's describe hides AnnualRevenue")
	}
	if !f.user.CanReadObject(reg.Object("Account")) || f.user.CanReadField(reg.Object("Account").Field("AnnualRevenue")) {
		t.Error("query principal permissions")
	}
}
