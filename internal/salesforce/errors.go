package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
)

// Sentinels. Match them with errors.Is; the typed errors below carry the data.
var (
	// ErrNeedsReauth means the connection's grant no longer works: the refresh
	// token was revoked or expired, the JWT or client-credentials grant was
	// refused (invalid_grant), or the session expired and there is nothing to
	// renew it with. Someone must link the org again. The *OAuthError in the
	// chain, when there is one, says why.
	ErrNeedsReauth = errors.New("salesforce: connection needs to be authorized again")

	// ErrLimitExceeded means Salesforce refused the call with
	// REQUEST_LIMIT_EXCEEDED: the org's daily API requests, or its concurrent
	// long-running requests, are used up. It is never retried by the client.
	ErrLimitExceeded = errors.New("salesforce: API request limit exceeded")

	// ErrNotFound means the resource or record does not exist, was deleted, or
	// is not visible to the connected user (HTTP 404, NOT_FOUND,
	// ENTITY_IS_DELETED).
	ErrNotFound = errors.New("salesforce: not found")

	// ErrMultipleMatches means an upsert's external ID value matched more than
	// one record (HTTP 300). The *AmbiguousExternalIDError lists them.
	ErrMultipleMatches = errors.New("salesforce: external ID matches more than one record")
)

// Salesforce error codes the client acts on.
const (
	CodeInvalidSession       = "INVALID_SESSION_ID"
	CodeRequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
	CodeUnableToLockRow      = "UNABLE_TO_LOCK_ROW"
	CodeUnknownException     = "UNKNOWN_EXCEPTION"
	CodeServerUnavailable    = "SERVER_UNAVAILABLE"
	CodeNotFound             = "NOT_FOUND"
	CodeEntityIsDeleted      = "ENTITY_IS_DELETED"
	CodeAllOrNoneRolledBack  = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
	CodeProcessingHalted     = "PROCESSING_HALTED"
)

// ErrorDetail is one entry of a Salesforce error body. REST resources name the
// code "errorCode"; sObject Collections results name it "statusCode"; both
// decode into Code.
type ErrorDetail struct {
	Code    string   `json:"errorCode"`
	Message string   `json:"message"`
	Fields  []string `json:"fields,omitempty"`
}

// UnmarshalJSON accepts both the "errorCode" and the "statusCode" spelling.
func (d *ErrorDetail) UnmarshalJSON(b []byte) error {
	var w struct {
		ErrorCode  string   `json:"errorCode"`
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	d.Code = w.ErrorCode
	if d.Code == "" {
		d.Code = w.StatusCode
	}
	d.Message, d.Fields = w.Message, w.Fields
	return nil
}

// APIError is an error Salesforce reported, with every entry of its body.
type APIError struct {
	// Status is the HTTP status of the response, or of the composite
	// subresponse, that carried the error. It is 0 for a per-record error of an
	// sObject Collections result, which arrives inside a 200 response.
	Status int
	// Method and Path say which call failed (the path carries no query string,
	// which may hold SOQL). Both are empty for a per-record collection error.
	Method string
	Path   string
	// Errors holds Salesforce's entries in order; it has at least one.
	Errors []ErrorDetail
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("salesforce: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d ", e.Status)
	}
	for i, d := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		if d.Code != "" {
			b.WriteString(d.Code)
			b.WriteString(": ")
		}
		b.WriteString(strings.TrimSpace(d.Message))
		if len(d.Fields) > 0 {
			fmt.Fprintf(&b, " (fields: %s)", strings.Join(d.Fields, ", "))
		}
	}
	return b.String()
}

// Is matches ErrLimitExceeded and ErrNotFound.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrLimitExceeded:
		return e.hasCode(CodeRequestLimitExceeded)
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.hasCode(CodeNotFound) || e.hasCode(CodeEntityIsDeleted)
	}
	return false
}

// Code returns the first entry's error code, or "".
func (e *APIError) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

func (e *APIError) hasCode(code string) bool {
	return e.hasAnyCode([]string{code})
}

func (e *APIError) hasAnyCode(codes []string) bool {
	for _, d := range e.Errors {
		if slices.Contains(codes, d.Code) {
			return true
		}
	}
	return false
}

// OAuthError is an error from the OAuth token endpoint
// ({"error":..., "error_description":...}).
type OAuthError struct {
	Status      int    // HTTP status of the token response
	Code        string // "error", e.g. invalid_grant
	Description string // "error_description", e.g. expired access/refresh token
}

func (e *OAuthError) Error() string {
	s := fmt.Sprintf("salesforce oauth: %d %s", e.Status, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is matches ErrNeedsReauth for invalid_grant: the grant (code, refresh token,
// JWT subject's approval, client-credentials user, password) is not accepted
// and only a new authorization fixes it.
func (e *OAuthError) Is(target error) bool {
	return target == ErrNeedsReauth && e.Code == "invalid_grant"
}

// AmbiguousExternalIDError is returned by Upsert when the external ID value
// matches several records (HTTP 300). It matches ErrMultipleMatches.
type AmbiguousExternalIDError struct {
	Object, Field, Value string
	// Matches are the URLs of the matching records, as Salesforce lists them.
	Matches []string
}

func (e *AmbiguousExternalIDError) Error() string {
	return fmt.Sprintf("salesforce: upserting %s by %s=%q: the value matches %d records (%s); make the external ID unique",
		e.Object, e.Field, e.Value, len(e.Matches), strings.Join(e.Matches, ", "))
}

// Is matches ErrMultipleMatches.
func (e *AmbiguousExternalIDError) Is(target error) bool { return target == ErrMultipleMatches }

// IsCode reports whether err carries the Salesforce error code: an entry of an
// *APIError (errorCode or statusCode) or the error of an *OAuthError.
func IsCode(err error, code string) bool {
	if ae, ok := errors.AsType[*APIError](err); ok && ae.hasCode(code) {
		return true
	}
	if oe, ok := errors.AsType[*OAuthError](err); ok && oe.Code == code {
		return true
	}
	return false
}

// transientCodes are errors after which Salesforce rolled the work back, so
// sending the same request again is safe whatever its method.
var transientCodes = []string{CodeUnableToLockRow, CodeUnknownException, CodeServerUnavailable}

// rolledBackCodes mark a record that failed only because another record of the
// same all-or-none request did.
var rolledBackCodes = []string{CodeAllOrNoneRolledBack, CodeProcessingHalted}

// IsTransient reports whether the same work can succeed if sent again later
// without change: Salesforce was busy or failed internally (503, 500
// UNKNOWN_EXCEPTION, UNABLE_TO_LOCK_ROW), the connection dropped, or — for a
// record in an all-or-none request — the record was rolled back only because
// another one failed (ALL_OR_NONE_OPERATION_ROLLED_BACK, PROCESSING_HALTED).
// Limits (ErrLimitExceeded), validation errors and cancelled contexts are not
// transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		if ae.hasAnyCode(transientCodes) || ae.hasAnyCode(rolledBackCodes) {
			return true
		}
		switch ae.Status {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return !ae.hasCode(CodeRequestLimitExceeded)
		}
		return false
	}
	return connectionError(err) != connNone
}

// connKind classifies a transport error by whether the request may have
// reached Salesforce.
type connKind int

const (
	connNone    connKind = iota // not a connection problem
	connNotSent                 // the request never left: safe to send again
	connDropped                 // the connection broke after the request may have been sent
)

func connectionError(err error) connKind {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return connNone
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return connNotSent
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return connNotSent
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) {
		return connDropped
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return connDropped
	}
	return connNone
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// decodeError turns a non-success response body into an *APIError. It
// understands Salesforce's array of {errorCode, message, fields}, a single such
// object, and the OAuth {error, error_description} shape some gateways answer
// with; anything else (an HTML error page) becomes one entry holding the start
// of the body.
func decodeError(status int, method, path string, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path}
	trimmed := bytes.TrimSpace(body)
	var list []ErrorDetail
	if err := json.Unmarshal(trimmed, &list); err == nil && len(list) > 0 && list[0].Code+list[0].Message != "" {
		e.Errors = list
		return e
	}
	var one ErrorDetail
	if err := json.Unmarshal(trimmed, &one); err == nil && one.Code+one.Message != "" {
		e.Errors = []ErrorDetail{one}
		return e
	}
	var oauth struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if err := json.Unmarshal(trimmed, &oauth); err == nil && oauth.Error != "" {
		e.Errors = []ErrorDetail{{Code: oauth.Error, Message: oauth.ErrorDescription}}
		return e
	}
	msg := string(trimmed)
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	e.Errors = []ErrorDetail{{Message: msg}}
	return e
}
