package syncer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Codes of failures sfbridge finds itself, before Salesforce is asked.
const (
	codeInvalidValue = "SFBRIDGE_INVALID_VALUE"
	codeNoKey        = "SFBRIDGE_NO_KEY"
	codeNoMatch      = "SFBRIDGE_NO_MATCH"
	codeGaveUp       = "SFBRIDGE_GAVE_UP"
)

// failure turns a refused write into what a dead letter keeps: Salesforce's
// code, message and fields, and a sentence a user can act on. object is the
// record's type, row the row's ID, and columns maps a field's API name to
// the column it comes from.
func failure(err error, object string, row int64, columns map[string]string) store.Failure {
	f := store.Failure{Message: err.Error()}
	if ae, ok := errors.AsType[*salesforce.APIError](err); ok && len(ae.Errors) > 0 {
		d := ae.Errors[0]
		f.Code, f.Message, f.Fields = d.Code, d.Message, d.Fields
	}
	f.Advice = advice(f, object, row, columns)
	return f
}

// advice says in one sentence what to do about f.
func advice(f store.Failure, object string, row int64, columns map[string]string) string {
	fields := describeFields(f.Fields, columns)
	requeue := "then requeue it (sfbridge deadletter requeue)"
	if key, field, parent, ok := missingParent(f.Message); ok && f.Code == "INVALID_FIELD" {
		return fmt.Sprintf("Row %d sets a lookup through a key, and no %s record has %s = %s; correct the key in the sheet or create that %s first, %s.",
			row, parent, field, key, parent, requeue)
	}
	switch f.Code {
	case "DUPLICATE_EXTERNAL_ID":
		return fmt.Sprintf("Row %d sets a lookup through a key that several records share (%s); make the key unique in Salesforce, %s.",
			row, strings.TrimSpace(f.Message), requeue)
	case "REQUIRED_FIELD_MISSING":
		if fields == "" {
			fields = "a field"
		}
		return fmt.Sprintf("Salesforce requires %s on %s; map a column to it or fill it in row %d, %s.", fields, object, row, requeue)
	case "FIELD_CUSTOM_VALIDATION_EXCEPTION", "FIELD_INTEGRITY_EXCEPTION":
		return fmt.Sprintf("A validation rule of %s refused row %d (%s); change the row so that it passes, %s.", object, row, strings.TrimSpace(f.Message), requeue)
	case "DUPLICATE_VALUE", "DUPLICATES_DETECTED":
		return fmt.Sprintf("Another %s record already has this value%s; change row %d or merge the records in Salesforce, %s.", object, of(fields), row, requeue)
	case "ENTITY_IS_DELETED", "NOT_FOUND", "INVALID_CROSS_REFERENCE_KEY":
		return fmt.Sprintf("The %s record of row %d, or one it refers to%s, no longer exists in Salesforce (%s); fix the reference, or discard the change (sfbridge deadletter discard).",
			object, row, of(fields), strings.TrimSpace(f.Message))
	case "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD", "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY":
		return fmt.Sprintf("The workflow owner may not write%s on %s (%s); grant field access in Salesforce or stop mapping it, %s.",
			of(fields), object, strings.TrimSpace(f.Message), requeue)
	case "INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY":
		return fmt.Sprintf("The workflow owner may not change this %s record (row %d); share it with them in Salesforce or change the workflow's owner, %s.", object, row, requeue)
	case "STRING_TOO_LONG", "INVALID_EMAIL_ADDRESS", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "NUMBER_OUTSIDE_VALID_RANGE",
		"INVALID_TYPE_ON_FIELD_IN_RECORD", "MALFORMED_ID", "JSON_PARSER_ERROR", "INVALID_ID_FIELD":
		return fmt.Sprintf("Salesforce refused a value%s in row %d: %s; correct it in the sheet, %s.", of(fields), row, strings.TrimSpace(f.Message), requeue)
	case codeInvalidValue:
		return fmt.Sprintf("Row %d holds a value that cannot be sent to %s: %s; correct it in the sheet, %s.", row, object, f.Message, requeue)
	case codeNoKey, codeNoMatch:
		return fmt.Sprintf("Row %d cannot be matched to a %s record: %s; fill in or correct its key, %s.", row, object, f.Message, requeue)
	case codeGaveUp:
		return fmt.Sprintf("Salesforce kept failing for row %d (%s); check the org's status, %s.", row, f.Message, requeue)
	}
	return fmt.Sprintf("Salesforce refused row %d of %s: %s; fix the row or the workflow, %s.", row, object, strings.TrimSpace(f.Message), requeue)
}

// missingParent reads Salesforce's refusal of a lookup set through a
// parent's External ID that matches no record: "Foreign key external ID:
// ACME-9 not found for field Ext_Id__c in entity Account".
func missingParent(msg string) (key, field, parent string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(msg), "Foreign key external ID: ")
	if !found {
		return "", "", "", false
	}
	key, rest, found = strings.Cut(rest, " not found for field ")
	if !found {
		return "", "", "", false
	}
	field, parent, found = strings.Cut(rest, " in entity ")
	return key, field, parent, found
}

// of is " of X" when X is not empty.
func of(s string) string {
	if s == "" {
		return ""
	}
	return " of " + s
}

// describeFields names fields with their columns: "LastName (column
// last_name)".
func describeFields(fields []string, columns map[string]string) string {
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		if c := columns[f]; c != "" {
			parts = append(parts, fmt.Sprintf("%s (column %s)", f, c))
		} else {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, ", ")
}
