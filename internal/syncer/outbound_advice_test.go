package syncer

import (
	"errors"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

func TestFailureAdvice(t *testing.T) {
	columns := map[string]string{"LastName": "last_name", "Email": "email"}
	perRecord := func(code, msg string, fields ...string) error {
		return &salesforce.APIError{Errors: []salesforce.ErrorDetail{{Code: code, Message: msg, Fields: fields}}}
	}
	cases := []struct {
		err        error
		code       string
		wantAdvice string
	}{
		{perRecord("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName"), "REQUIRED_FIELD_MISSING",
			"Salesforce requires LastName (column last_name) on Lead; map a column to it or fill it in row 42, then requeue it"},
		{perRecord("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Rating must be set for hot leads"), "FIELD_CUSTOM_VALIDATION_EXCEPTION",
			"A validation rule of Lead refused row 42 (Rating must be set for hot leads)"},
		{perRecord("INVALID_EMAIL_ADDRESS", "Email: invalid email address: bob@", "Email"), "INVALID_EMAIL_ADDRESS",
			"Salesforce refused a value of Email (column email) in row 42"},
		{perRecord("ENTITY_IS_DELETED", "entity is deleted"), "ENTITY_IS_DELETED",
			"no longer exists in Salesforce (entity is deleted); fix the reference, or discard the change (sfbridge deadletter discard)"},
		{perRecord("DUPLICATE_VALUE", "duplicate value found: Code__c", "Code__c"), "DUPLICATE_VALUE",
			"Another Lead record already has this value of Code__c"},
		{perRecord("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights"), "INSUFFICIENT_ACCESS_OR_READONLY",
			"The workflow owner may not change this Lead record (row 42)"},
		{perRecord("INVALID_FIELD", "Foreign key external ID: ACME-9 not found for field Ext_Id__c in entity Account"), "INVALID_FIELD",
			"Row 42 sets a lookup through a key, and no Account record has Ext_Id__c = ACME-9; correct the key in the sheet or create that Account first"},
		{perRecord("INVALID_FIELD", "No such column 'Foo__c' on entity 'Lead'", "Foo__c"), "INVALID_FIELD",
			"The workflow owner may not write of Foo__c on Lead"},
		{perRecord("DUPLICATE_EXTERNAL_ID", "Foreign key external ID: ACME-1 matched more than one record"), "DUPLICATE_EXTERNAL_ID",
			"Row 42 sets a lookup through a key that several records share (Foreign key external ID: ACME-1 matched more than one record)"},
		{perRecord("SOMETHING_NEW", "a new kind of error"), "SOMETHING_NEW",
			"Salesforce refused row 42 of Lead: a new kind of error; fix the row or the workflow"},
		{errors.New("plain error"), "", "Salesforce refused row 42 of Lead: plain error"},
	}
	for _, c := range cases {
		f := failure(c.err, "Lead", 42, columns)
		if f.Code != c.code {
			t.Errorf("%v: code %q, want %q", c.err, f.Code, c.code)
		}
		if !strings.Contains(f.Advice, c.wantAdvice) {
			t.Errorf("%v: advice %q, want it to contain %q", c.err, f.Advice, c.wantAdvice)
		}
		if !strings.HasSuffix(f.Advice, ".") {
			t.Errorf("%v: advice %q is not a sentence", c.err, f.Advice)
		}
	}
}
