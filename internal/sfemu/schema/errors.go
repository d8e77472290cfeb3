package schema

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinels for conditions callers test with errors.Is.
var (
	// ErrInvalidSchema is matched by every *SpecError.
	ErrInvalidSchema = errors.New("invalid schema file")
)

// SpecError is a mistake in a schema file, with its position.
type SpecError struct {
	File   string // name given to Parse, e.g. "schema.yaml"
	Line   int    // 1-based; 0 when unknown
	Column int
	Path   string // e.g. "objects[0].fields[2].type"
	Msg    string // what is wrong and how to fix it
}

func (e *SpecError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, ErrInvalidSchema) true.
func (e *SpecError) Is(target error) bool { return target == ErrInvalidSchema }

// Error is a Salesforce API error: what the REST API renders as
// {"message", "errorCode", "fields"} (and sObject Collections as
// {"statusCode", "message", "fields"}). The record store and the value
// decoder return it; the HTTP layer renders it.
type Error struct {
	Code    string   // errorCode / statusCode, e.g. "REQUIRED_FIELD_MISSING"
	Message string   // Salesforce's wording
	Fields  []string // the fields involved, possibly empty (never nil when rendered)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus is the status Salesforce uses for the error on a single-record
// REST call. A caller that knows better (ENTITY_IS_DELETED is 400 inside a
// DML reference, 404 on GET by ID) may choose otherwise.
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case "NOT_FOUND", "ENTITY_IS_DELETED":
		return http.StatusNotFound
	case "INSUFFICIENT_ACCESS", "REQUEST_LIMIT_EXCEEDED", "API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED":
		return http.StatusForbidden
	case "INVALID_SESSION_ID":
		return http.StatusUnauthorized
	case "UNKNOWN_EXCEPTION":
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// NewError returns an API error with the given code, message and fields.
func NewError(code, message string, fields ...string) *Error {
	if fields == nil {
		fields = []string{}
	}
	return &Error{Code: code, Message: message, Fields: fields}
}
