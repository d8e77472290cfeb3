package org

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// ErrSnapshot is matched by every error reading a snapshot that is not an
// I/O error: a file that is not an org snapshot, a newer version, or
// corrupt data.
var ErrSnapshot = errors.New("reading org snapshot")

// Errors the org returns are *schema.Error values carrying Salesforce's
// errorCode, message and fields, except an upsert that matches several
// records, which is a *MultipleMatchesError (the REST API answers 300 with
// the records' URLs).

// MultipleMatchesError is an upsert whose external ID matched more than one
// record.
type MultipleMatchesError struct {
	Object string
	Field  string
	Value  string
	IDs    []string
}

func (e *MultipleMatchesError) Error() string {
	return fmt.Sprintf("upserting %s: %s = %q matches %d records: %s", e.Object, e.Field, e.Value, len(e.IDs), strings.Join(e.IDs, ", "))
}

// Constructors for the errors Salesforce returns, with its wording.

func errNotFound() *schema.Error {
	return schema.NewError("NOT_FOUND", "The requested resource does not exist")
}

func errDeleted(fields ...string) *schema.Error {
	return schema.NewError("ENTITY_IS_DELETED", "entity is deleted", fields...)
}

func errInsufficientAccess() *schema.Error {
	return schema.NewError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id")
}

func errNoColumn(field, object string) *schema.Error {
	return schema.NewError("INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", field, object))
}

func errReadOnly(fields []string) *schema.Error {
	return schema.NewError("INVALID_FIELD_FOR_INSERT_UPDATE", fmt.Sprintf(
		"Unable to create/update fields: %s. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
		strings.Join(fields, ", ")), fields...)
}

func errRequired(fields []string) *schema.Error {
	return schema.NewError("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(fields, ", ")+"]", fields...)
}

func errOperation(verb string) *schema.Error {
	return schema.NewError("INVALID_TYPE_FOR_OPERATION", "entity type cannot be "+verb)
}
