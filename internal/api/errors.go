package api

import (
	"errors"
	"net/http"
	"slices"

	"github.com/sfbridge/sfbridge/internal/access"
)

var (
	// ErrNotFound is what a [Store] returns for a missing user, session,
	// token or list member.
	ErrNotFound = errors.New("api: not found")
	// ErrConflict is what a [Store] returns when a change clashes with what
	// is stored: a login taken, a first user that already exists, the last
	// system admin losing the role.
	ErrConflict = errors.New("api: conflict")
)

// Code is a stable error code returned in every error body. Clients branch on
// codes, never on messages; a code, once published, keeps its meaning and
// its HTTP status.
type Code string

// The codes the API returns. The access.* codes come from package access.
const (
	CodeAuthRequired       Code = "auth.required"
	CodeInvalidCredentials Code = "auth.invalid_credentials"
	CodeCrossOrigin        Code = "auth.cross_origin"
	CodeNotFound           Code = "not_found"
	CodeMethodNotAllowed   Code = "method_not_allowed"
	CodeInvalidInput       Code = "invalid_input"
	CodeConflict           Code = "conflict"
	CodeSetupDone          Code = "setup.already_done"
	CodeRestrictedOff      Code = "restricted.off"
	CodeLastSystemAdmin    Code = "user.last_system_admin"
	CodeNotReady           Code = "not_ready"
	CodeBusy               Code = "busy"
	CodeInternal           Code = "internal"

	CodeUnavailable        Code = "feature.unavailable"
	CodeNotConnected       Code = "salesforce.not_connected"
	CodeNeedsReauth        Code = "salesforce.needs_reauth"
	CodeSalesforceLimit    Code = "salesforce.limit_exceeded"
	CodeSalesforceRefused  Code = "salesforce.refused"
	CodeUnknownRecipients  Code = "activity.unknown_recipients"
	CodeNotRetryable       Code = "activity.not_retryable"
	CodeActivityRefused    Code = "activity.org_refuses"
	CodeListViewNotEnabled Code = "listview.not_enabled"
	CodeSheetDeletesOff    Code = "sheet.deletes_off"

	CodeLoginUnknown Code = "org.login_unknown"
	CodeLoginExpired Code = "org.login_expired"
	CodeLoginRefused Code = "org.login_refused"
	CodeWrongOrg     Code = "org.wrong_salesforce_org"
)

// codes maps every code to its HTTP status and what it means. It is the one
// registry; a test pins it with a golden file.
var codes = func() map[Code]codeInfo {
	m := map[Code]codeInfo{
		CodeAuthRequired:       {http.StatusUnauthorized, "no valid session cookie or API token came with the request"},
		CodeInvalidCredentials: {http.StatusUnauthorized, "the login or the password is wrong"},
		CodeCrossOrigin:        {http.StatusForbidden, "a cookie-authenticated change came from another origin (CSRF protection)"},
		CodeNotFound:           {http.StatusNotFound, "no such resource"},
		CodeMethodNotAllowed:   {http.StatusMethodNotAllowed, "the path exists but not with this method"},
		CodeInvalidInput:       {http.StatusBadRequest, "the request body or parameters are invalid; details.fields says which"},
		CodeConflict:           {http.StatusConflict, "the change clashes with stored data"},
		CodeSetupDone:          {http.StatusConflict, "first-run setup was already done: a system admin with a password exists"},
		CodeRestrictedOff:      {http.StatusConflict, "the restricted-access list is off; turn it on before editing its members"},
		CodeLastSystemAdmin:    {http.StatusConflict, "the change would leave no system admin"},
		CodeNotReady:           {http.StatusServiceUnavailable, "a dependency of the server is not ready"},
		CodeBusy:               {http.StatusServiceUnavailable, "too many password checks at once; try again"},
		CodeInternal:           {http.StatusInternalServerError, "an unexpected server error; the server log has the details"},
		CodeUnavailable:        {http.StatusServiceUnavailable, "the feature (activity logging, search, feature settings) is not set up on this server"},
		CodeNotConnected:       {http.StatusConflict, "you have no linked Salesforce identity; connect one, then retry"},
		CodeNeedsReauth:        {http.StatusConflict, "your Salesforce connection ended and must be authorized again"},
		CodeSalesforceLimit:    {http.StatusServiceUnavailable, "the org's daily Salesforce API limit is reached"},
		CodeSalesforceRefused:  {http.StatusBadGateway, "Salesforce refused the request; the message keeps its errorCode"},
		CodeUnknownRecipients:  {http.StatusUnprocessableEntity, "no recipient is a contact or lead you can see, so nothing was logged"},
		CodeNotRetryable:       {http.StatusConflict, "only a failed activity can be retried"},
		CodeActivityRefused:    {http.StatusUnprocessableEntity, "the org's setup does not allow this activity (Type value, related object, closed status)"},
		CodeListViewNotEnabled: {http.StatusConflict, "the list view is not one you enabled"},
		CodeLoginUnknown:       {http.StatusConflict, "the Salesforce login is unknown, used already, or someone else's; click Connect again"},
		CodeLoginExpired:       {http.StatusConflict, "the Salesforce login took too long; click Connect again"},
		CodeLoginRefused:       {http.StatusBadGateway, "Salesforce refused the login or its authorization code"},
		CodeWrongOrg:           {http.StatusConflict, "the login was to another Salesforce org than the one registered"},
		CodeSheetDeletesOff:    {http.StatusConflict, "no workflow of the sheet deletes records in Salesforce, so its rows cannot be deleted"},
	}
	for _, r := range access.Reasons() {
		m[Code(r)] = codeInfo{http.StatusForbidden, "refused: " + r.About()}
	}
	return m
}()

type codeInfo struct {
	status int
	about  string
}

// Status returns the HTTP status of code; 500 for a code not registered.
func (c Code) Status() int {
	if info, ok := codes[c]; ok {
		return info.status
	}
	return http.StatusInternalServerError
}

// Codes returns every registered code, sorted.
func Codes() []Code {
	list := make([]Code, 0, len(codes))
	for c := range codes {
		list = append(list, c)
	}
	slices.Sort(list)
	return list
}

// Error is an API error: the JSON body of every non-2xx response.
type Error struct {
	Code    Code          `json:"code"`
	Message string        `json:"message"`
	Details *ErrorDetails `json:"details,omitempty"`
}

// ErrorDetails says more about an error, when there is more to say.
type ErrorDetails struct {
	// Fields lists the invalid input fields, for invalid_input.
	Fields []FieldError `json:"fields,omitempty"`
	// Values details the refused sheet values among Fields, for
	// invalid_input.
	Values []ValueDetail `json:"values,omitempty"`
	// Action is the refused action, for access.* codes.
	Action string `json:"action,omitempty"`
}

// ValueDetail is a sheet value that its column refused, in an
// invalid_input error: why as a stable code that clients word in their own
// language (ADR 0315), with the value, its column and the column's type.
type ValueDetail struct {
	Field string `json:"field"` // the field of Fields that says it in English
	// Reason is not_number, not_date, not_in_picklist, too_long, read_only
	// ... (package sheet's ValueCode values).
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"` // quoted and shortened for display
	Column string `json:"column"`
	Type   string `json:"type"` // text, number, date ... (package sheet's types)
}

// FieldError is one invalid input field.
type FieldError struct {
	Field   string `json:"field"`   // JSON name, dotted for nested fields: "roles"
	Message string `json:"message"` // what is wrong and how to fix it
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// errorf returns an *Error with code and message.
func errorf(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// invalid returns an invalid_input error listing fields.
func invalid(fields ...FieldError) *Error {
	msg := "The request is invalid: " + fields[0].Field + " " + fields[0].Message
	if len(fields) > 1 {
		msg += " (and more in details.fields)"
	}
	msg += "."
	return &Error{Code: CodeInvalidInput, Message: msg, Details: &ErrorDetails{Fields: fields}}
}

// refused returns the API error for a refused access decision.
func refused(d access.Decision) *Error {
	return &Error{Code: Code(d.Reason), Message: d.Message, Details: &ErrorDetails{Action: string(d.Action)}}
}
