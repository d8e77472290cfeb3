package bulk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrInvalidConfig is matched by every error New returns for a bad Config.
var ErrInvalidConfig = errors.New("invalid bulk handler configuration")

// apiError is an error answered to a request, rendered as Salesforce's REST
// error body [{"errorCode","message"}] with an HTTP status.
type apiError struct {
	Status  int
	Code    string
	Message string
	Header  http.Header // extra response headers (Allow)
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func newError(status int, code, message string) *apiError {
	return &apiError{Status: status, Code: code, Message: message}
}

// Error codes. Bulk API 2.0 spells its own codes (InvalidJobState in its
// documentation) in capitals without separators on the wire:
// [{"errorCode":"INVALIDJOBSTATE","message":"Aborting already Completed Job not allowed"}].
const (
	codeNotFound        = "NOT_FOUND"
	codeInvalidJob      = "INVALIDJOB"
	codeInvalidJobState = "INVALIDJOBSTATE"
	codeInvalidEntity   = "INVALIDENTITY"
	codeExceededQuota   = "EXCEEDEDQUOTA"
	codeAPIError        = "API_ERROR"
	codeJSONParser      = "JSON_PARSER_ERROR"
	codeLimitExceeded   = "REQUEST_LIMIT_EXCEEDED"
	codeInvalidLocator  = "INVALID_QUERY_LOCATOR"
)

var (
	errNotFound      = newError(http.StatusNotFound, codeNotFound, "The requested resource does not exist")
	errLimitExceeded = newError(http.StatusForbidden, codeLimitExceeded, "TotalRequests Limit exceeded.")
	errBadLocator    = newError(http.StatusBadRequest, codeInvalidLocator, "invalid query locator")
)

// invalidJob is a job definition Salesforce refuses at creation.
func invalidJob(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeInvalidJob, fmt.Sprintf(format, args...))
}

// invalidState is a request the job's state does not allow.
func invalidState(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeInvalidJobState, fmt.Sprintf(format, args...))
}

// unsupportedQuery is SOQL that Bulk API 2.0 does not run.
func unsupportedQuery(what string) *apiError {
	return newError(http.StatusBadRequest, codeAPIError, what)
}

func methodNotAllowed(method string, allowed ...string) *apiError {
	e := newError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are %s", method, strings.Join(allowed, ",")))
	e.Header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return e
}
