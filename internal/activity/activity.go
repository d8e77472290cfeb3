package activity

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Kind is what a user shared: it decides the Salesforce object (Task or
// Event) and, through Settings.Types, the activity's Type.
type Kind string

// The kinds of activity.
const (
	KindEmail   Kind = "email"   // content sent by email: a completed Task
	KindLink    Kind = "link"    // a link shared some other way: a completed Task
	KindMeeting Kind = "meeting" // a meeting held with the recipients: an Event
)

// Object returns the Salesforce object a kind is logged as.
func (k Kind) Object() string {
	if k == KindMeeting {
		return "Event"
	}
	return "Task"
}

func (k Kind) valid() bool { return k == KindEmail || k == KindLink || k == KindMeeting }

// Request is one activity to log.
type Request struct {
	// Key is the idempotency key: a request whose key was already logged
	// logs nothing and returns the earlier entry. Required, at most 255
	// characters; unique within a Store.
	Key  string
	Kind Kind
	// Recipients are email addresses; each resolves to a Contact or Lead.
	Recipients []string
	Subject    string
	Body       string
	// Link is the shared content's URL (absolute http or https); optional.
	Link string
	// RelatedTo is a record ID (Account, Opportunity or a configured custom
	// object) the activity is related to (WhatId); optional.
	RelatedTo string
	// Date is when the content was shared (Task ActivityDate); zero means
	// the service's clock.
	Date time.Time
	// Start and End bound a meeting; both required for KindMeeting.
	Start, End time.Time
}

// maxKey is the longest idempotency key accepted.
const maxKey = 255

// validate checks the request on its own, before anything is sent.
func (r *Request) validate() error {
	switch {
	case strings.TrimSpace(r.Key) == "":
		return &RequestError{Field: "key", Reason: "an idempotency key is required (any unique string, e.g. a UUID)"}
	case len(r.Key) > maxKey:
		return &RequestError{Field: "key", Reason: fmt.Sprintf("is %d characters long; at most %d are allowed", len(r.Key), maxKey)}
	case !r.Kind.valid():
		return &RequestError{Field: "kind", Reason: fmt.Sprintf("%q is not one of email, link, meeting", r.Kind)}
	case strings.TrimSpace(r.Subject) == "":
		return &RequestError{Field: "subject", Reason: "a subject is required"}
	case len(r.Recipients) == 0:
		return &RequestError{Field: "recipients", Reason: "at least one recipient email address is required"}
	}
	for i, addr := range r.Recipients {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != strings.TrimSpace(addr) {
			return &RequestError{Field: fmt.Sprintf("recipients[%d]", i), Reason: fmt.Sprintf("%q is not a plain email address such as ana@example.com", addr)}
		}
	}
	if r.Link != "" {
		if u, err := url.Parse(r.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &RequestError{Field: "link", Reason: fmt.Sprintf("%q is not an absolute http or https URL", r.Link)}
		}
	}
	if r.Kind == KindMeeting {
		switch {
		case r.Start.IsZero() || r.End.IsZero():
			return &RequestError{Field: "start", Reason: "a meeting needs a start and an end time"}
		case !r.End.After(r.Start):
			return &RequestError{Field: "end", Reason: fmt.Sprintf("ends at %s, not after its start %s", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))}
		}
	}
	return nil
}

// description is the activity's Description: the body, then the link.
func (r *Request) description() string {
	switch {
	case r.Link == "":
		return r.Body
	case r.Body == "":
		return r.Link
	}
	return r.Body + "\n\n" + r.Link
}

// Status is where a logged activity stands.
type Status string

// The statuses of an Entry.
const (
	StatusPending Status = "pending" // claimed, being sent to Salesforce
	StatusLogged  Status = "logged"  // the activity exists in Salesforce
	StatusFailed  Status = "failed"  // not logged; see Entry.Error, retry with Service.Retry
)

// Recipient is a Contact or Lead an email address resolved to.
type Recipient struct {
	ID     string
	Object string // Contact or Lead
	Name   string
	Email  string
}

// Entry is the local record of one logged (or attempted) activity.
type Entry struct {
	Key     string
	OrgID   string
	UserID  string // the Salesforce user who logged it
	Request Request
	Status  Status
	// Object and ActivityID are the Salesforce Task or Event; RelationIDs
	// its TaskRelation or EventRelation records, one per extra recipient.
	Object      string
	ActivityID  string
	RelationIDs []string
	// Recipients resolved; Unknown the addresses that did not resolve.
	Recipients []Recipient
	Unknown    []string
	// Unrelated are known recipients left off the activity: Salesforce
	// relates one activity to one lead or to up to 50 contacts, so leads are
	// left off when a contact is known and all but the first lead otherwise;
	// without Shared Activities only the first recipient is related.
	Unrelated []Recipient
	// Error is why the last attempt failed: for Salesforce errors
	// "ERROR_CODE: message", else the error text.
	Error     string
	Attempts  int
	CreatedAt time.Time
	UpdatedAt time.Time
}
