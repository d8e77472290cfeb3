package sfemu

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// Sentinels of the emulator's Go API.
var (
	// ErrInvalidOptions is matched by every error New returns for bad Options.
	ErrInvalidOptions = errors.New("invalid emulator options")
	// ErrNoDataFile means Save was called on an emulator started without a data file.
	ErrNoDataFile = errors.New("the emulator was started without a data file")
	// ErrInvalidLimit is matched by the errors of SetDailyLimit.
	ErrInvalidLimit = errors.New("invalid daily limit")
)

// apiError is a REST error as Salesforce renders it:
// [{"message","errorCode","fields"}] with an HTTP status. Handlers return
// it; serveREST renders it.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  []string // rendered only when WithFields is set
	// WithFields renders "fields" (even empty), as DML errors do; protocol
	// errors such as INVALID_SESSION_ID have no "fields" key.
	WithFields bool
	Header     http.Header // extra response headers (Allow, WWW-Authenticate)
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// restError is the JSON shape of one REST error.
type restError struct {
	Message   string    `json:"message"`
	ErrorCode string    `json:"errorCode"`
	Fields    *[]string `json:"fields,omitempty"`
}

func (e *apiError) body() []restError {
	re := restError{Message: e.Message, ErrorCode: e.Code}
	if e.WithFields {
		f := e.Fields
		if f == nil {
			f = []string{}
		}
		re.Fields = &f
	}
	return []restError{re}
}

func newAPIError(status int, code, message string) *apiError {
	return &apiError{Status: status, Code: code, Message: message}
}

// The protocol errors, by name.
var (
	errInvalidSession = &apiError{Status: http.StatusUnauthorized, Code: "INVALID_SESSION_ID",
		Message: "Session expired or invalid", Header: http.Header{"Www-Authenticate": {"Token"}}}
	errInvalidAuthHeader = &apiError{Status: http.StatusUnauthorized, Code: "INVALID_AUTH_HEADER",
		Message: "INVALID_HEADER_TYPE", Header: http.Header{"Www-Authenticate": {"Token"}}}
	errNotFound       = newAPIError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	errLimitExceeded  = newAPIError(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	errNoAPIScope     = newAPIError(http.StatusForbidden, "INSUFFICIENT_ACCESS", "This session is not valid for use with the REST API")
	errServerDown     = newAPIError(http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later.")
	errUnableToLock   = &apiError{Status: http.StatusBadRequest, Code: "UNABLE_TO_LOCK_ROW", Message: "unable to obtain exclusive access to this record or 1 records", WithFields: true}
	errInvalidLocator = newAPIError(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
)

// unknownException is Salesforce's 500, with a fresh error ID shaped like
// theirs ("1837226459-93821 (-1318395817)").
func (e *Emulator) unknownException() *apiError {
	n := e.errorSeq.Add(1)
	id := fmt.Sprintf("%d-%d (%d)", 1000000000+n*7919%900000000, 10000+n%90000, -int64(n)*104729)
	return newAPIError(http.StatusInternalServerError, "UNKNOWN_EXCEPTION",
		"An unexpected error occurred. Please include this ErrorId if you contact support: "+id)
}

// asQueryError renders a SOQL/SOSL error (*soql.Error) as REST does: 400,
// the message with the query line and caret, no fields.
func asQueryError(err error) *apiError {
	var qe *soql.Error
	if !errors.As(err, &qe) {
		return nil
	}
	return newAPIError(http.StatusBadRequest, string(qe.Code), qe.Error())
}

// asSchemaError renders a record-store error (*schema.Error) as REST does:
// with its fields, except NOT_FOUND which has none.
func asSchemaError(err error) *apiError {
	var se *schema.Error
	if !errors.As(err, &se) {
		return nil
	}
	return &apiError{Status: se.HTTPStatus(), Code: se.Code, Message: se.Message, Fields: se.Fields,
		WithFields: se.Code != "NOT_FOUND"}
}

// methodNotAllowed is the 405 for a resource, with its Allow header.
func methodNotAllowed(method string, allowed ...string) *apiError {
	list := ""
	for i, m := range allowed {
		if i > 0 {
			list += ","
		}
		list += m
	}
	return &apiError{Status: http.StatusMethodNotAllowed, Code: "METHOD_NOT_ALLOWED",
		Message: fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, list),
		Header:  http.Header{"Allow": {list}}}
}

// jsonParserError is the 400 for a body that is not the JSON expected.
func jsonParserError(detail string) *apiError {
	return newAPIError(http.StatusBadRequest, "JSON_PARSER_ERROR", detail)
}
