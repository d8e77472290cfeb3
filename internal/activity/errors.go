package activity

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels. Typed errors below match them with errors.Is.
var (
	// ErrInvalidRequest: the request is incomplete or malformed.
	ErrInvalidRequest = errors.New("invalid activity request")
	// ErrNoKnownRecipient: no recipient resolves to a Contact or Lead the
	// user may see, so nothing is logged.
	ErrNoKnownRecipient = errors.New("no recipient is a known contact or lead")
	// ErrTypeValue: the Type mapped from the share kind is not a value of the
	// org's picklist.
	ErrTypeValue = errors.New("activity type is not a value of the org's picklist")
	// ErrRelatedObject: the "related to" record's object may not hold
	// activities here.
	ErrRelatedObject = errors.New("object cannot be related to an activity")
	// ErrLeadRelatedTo: the only recipients are leads, and Salesforce does
	// not relate an activity with a lead to another record.
	ErrLeadRelatedTo = errors.New("an activity with a lead cannot be related to a record")
	// ErrNoClosedStatus: the org's Task Status picklist has no closed value
	// sfbridge can use.
	ErrNoClosedStatus = errors.New("no closed task status")
	// ErrNotFound: no activity has that idempotency key.
	ErrNotFound = errors.New("activity not found")
	// ErrNotRetryable: only a failed activity can be retried.
	ErrNotRetryable = errors.New("activity is not failed")
	// ErrSalesforce: Salesforce refused the write; the entry keeps its
	// errorCode and message.
	ErrSalesforce = errors.New("salesforce refused the activity")
)

// RequestError says which field of a Request is wrong and how to fix it.
type RequestError struct {
	Field  string // e.g. "recipients[2]"
	Reason string
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("activity request: %s: %s", e.Field, e.Reason)
}

// Is matches ErrInvalidRequest.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }

// TypeValueError reports a share kind mapped to a Type value the org does
// not have. The admin adds the value in Salesforce (Setup > Object Manager
// > Task > Fields > Type), then calls Service.Resync.
type TypeValueError struct {
	Object  string // Task or Event
	Kind    Kind
	Value   string
	Allowed []string // the org's active values
}

func (e *TypeValueError) Error() string {
	return fmt.Sprintf("%s type %q (mapped from %s shares) is not a value of %s.Type (values: %s); add it in Salesforce and re-sync, or change the mapping",
		e.Object, e.Value, e.Kind, e.Object, strings.Join(e.Allowed, ", "))
}

// Is matches ErrTypeValue.
func (e *TypeValueError) Is(target error) bool { return target == ErrTypeValue }

// RelatedObjectError reports an object that may not be "related to".
type RelatedObjectError struct {
	Object string
	Reason string
}

func (e *RelatedObjectError) Error() string {
	return fmt.Sprintf("%s cannot be related to activities: %s", e.Object, e.Reason)
}

// Is matches ErrRelatedObject.
func (e *RelatedObjectError) Is(target error) bool { return target == ErrRelatedObject }

// UnknownRecipientsError reports that none of the recipients is a contact
// or lead the user may see.
type UnknownRecipientsError struct {
	Emails []string
}

func (e *UnknownRecipientsError) Error() string {
	return fmt.Sprintf("no contact or lead you can see has the address %s; create the contact or lead in Salesforce first",
		strings.Join(e.Emails, ", "))
}

// Is matches ErrNoKnownRecipient.
func (e *UnknownRecipientsError) Is(target error) bool { return target == ErrNoKnownRecipient }
