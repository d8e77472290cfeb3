package syncer

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNoModstamp means a record came without a SystemModstamp the engine
	// can read: the object cannot be synced incrementally.
	ErrNoModstamp = errors.New("syncer: record without SystemModstamp")
)

// LimitError is a run stopped because the org's API requests are spent
// (REQUEST_LIMIT_EXCEEDED). The org pauses and resumes by itself. It
// matches salesforce.ErrLimitExceeded.
type LimitError struct {
	Org string
	Err error
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("paused: org %q has used up its Salesforce API requests (%v); sfbridge checks the org's limits every few minutes and resumes by itself when requests are available again", e.Org, e.Err)
}

func (e *LimitError) Unwrap() error { return e.Err }

// ReauthError is a run stopped because the workflow owner's connection was
// refused (revoked or expired grant). It matches salesforce.ErrNeedsReauth.
type ReauthError struct {
	Org string
	Err error
}

func (e *ReauthError) Error() string {
	return fmt.Sprintf("paused: the Salesforce connection to org %q needs to be authorized again (%v); reconnect with: sfbridge org connect %s",
		e.Org, e.Err, shellQuote(e.Org))
}

func (e *ReauthError) Unwrap() error { return e.Err }

// RefusedError is a client refused for a connection that must be
// authorized again: Salesforce refused its grant (revoked, expired) now or
// before. It matches salesforce.ErrNeedsReauth and names the org, whose
// console page (/orgs/{OrgID}) reconnects it.
type RefusedError struct {
	OrgID    int64
	Org      string
	Username string // the Salesforce username of the connection
	Err      error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("connection of %s to org %q: %v", e.Username, e.Org, e.Err)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// FieldGoneError is a run stopped because a field the workflow reads no
// longer exists in Salesforce, or its owner may no longer read it.
type FieldGoneError struct {
	Workflow string
	Object   string // "" when Salesforce did not say
	Field    string // "" when Salesforce did not say
	Err      error
}

func (e *FieldGoneError) Error() string {
	what := "a field it reads"
	if e.Field != "" {
		what = "field " + e.Field
		if e.Object != "" {
			what = "field " + e.Object + "." + e.Field
		}
	}
	return fmt.Sprintf("workflow %q stopped: %s no longer exists in Salesforce, or the workflow owner may no longer read it (%v); restore the field or its field-level security, or remove it from the workflow — the next poll picks up again",
		e.Workflow, what, e.Err)
}

func (e *FieldGoneError) Unwrap() error { return e.Err }

// shellQuote quotes a name for a command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'$`\\;&|<>()*?[]#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// RecordsError is a run that went through but could not write some
// records: a value did not fit its column, or the mapping refused it. The
// run is recorded as failed, with the first failures.
type RecordsError struct {
	Failed   int
	Failures []Failure
}

func (e *RecordsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d records could not be written to the sheet; fix the mapping or the column, then change the records or reload the workflow:", e.Failed)
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n  %s: %v", f.SalesforceID, f.Err)
	}
	if more := e.Failed - len(e.Failures); more > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", more)
	}
	return b.String()
}

// ErrInvalidOutbound means an outbound plan cannot be run as given: the
// binder built it wrong.
var ErrInvalidOutbound = errors.New("syncer: invalid outbound plan")
