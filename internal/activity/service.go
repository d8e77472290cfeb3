package activity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// Conn is what the service needs of a Salesforce connection: the acting
// user's own *salesforce.Client, so that Salesforce's sharing applies.
type Conn interface {
	Token() salesforce.Token
	Describe(ctx context.Context, object string) (*salesforce.SObjectDescribe, error)
	DescribeGlobal(ctx context.Context) (*salesforce.GlobalDescribe, error)
	Query(ctx context.Context, soql string, opts ...salesforce.QueryOption) iter.Seq2[*salesforce.Record, error]
	Composite(ctx context.Context, req salesforce.CompositeRequest) ([]salesforce.SubResponse, error)
}

var _ Conn = (*salesforce.Client)(nil)

// RecipientScope says which contacts and leads recipients may resolve to.
type RecipientScope string

// The recipient scopes.
const (
	ScopeVisible RecipientScope = "visible" // every contact and lead the user can see
	ScopeOwned   RecipientScope = "owned"   // only those the user owns
)

// MaxRecipients is the most recipients one activity may have: the Task or
// Event and one relation per extra recipient fit one composite call
// (salesforce.MaxSubrequests) that is all or nothing.
const MaxRecipients = salesforce.MaxSubrequests

// DefaultRelatedObjects are the objects activities may always be related to.
var DefaultRelatedObjects = []string{"Account", "Opportunity"}

// Settings are an org's activity logging settings, chosen by its admin.
type Settings struct {
	// Scope limits recipients; empty means ScopeVisible.
	Scope RecipientScope
	// Types maps each kind to a value of the org's Task.Type (Event.Type
	// for meetings) picklist. A kind not in the map gets no Type. Default
	// DefaultTypes.
	Types map[Kind]string
	// ClosedStatus is the Task Status that marks a share done; empty means
	// "Completed", which must then be a value of the org's picklist.
	ClosedStatus string
	// RelatedObjects are custom objects activities may be related to, on
	// top of DefaultRelatedObjects. Each must allow activities.
	RelatedObjects []string
}

// DefaultTypes maps the kinds onto Salesforce's standard Type values.
func DefaultTypes() map[Kind]string {
	return map[Kind]string{KindEmail: "Email", KindLink: "Other", KindMeeting: "Meeting"}
}

// DefaultSettings returns the settings of an org whose admin chose nothing.
func DefaultSettings() Settings {
	return Settings{Scope: ScopeVisible, Types: DefaultTypes()}
}

// Validate checks the settings without asking Salesforce.
func (s Settings) Validate() error {
	if s.Scope != "" && s.Scope != ScopeVisible && s.Scope != ScopeOwned {
		return fmt.Errorf("activity settings: scope %q is not %q or %q", s.Scope, ScopeVisible, ScopeOwned)
	}
	for k := range s.Types {
		if !k.valid() {
			return fmt.Errorf("activity settings: types: %q is not one of email, link, meeting", k)
		}
	}
	for _, o := range s.RelatedObjects {
		if !strings.HasSuffix(o, "__c") {
			return fmt.Errorf("activity settings: related objects: %q is not a custom object (API name ending in __c); Account and Opportunity are always allowed", o)
		}
	}
	return nil
}

// Service logs activities into Salesforce with the acting user's
// connection and keeps their record in a Store.
type Service struct {
	settings Settings
	store    Store
	now      func() time.Time

	mu   sync.Mutex
	orgs map[string]*orgInfo // by org and user: what describe said
}

// NewService returns a service with settings (see Settings.Validate) and
// store.
func NewService(settings Settings, store Store) (*Service, error) {
	if err := settings.Validate(); err != nil {
		return nil, err
	}
	if settings.Scope == "" {
		settings.Scope = ScopeVisible
	}
	if settings.Types == nil {
		settings.Types = DefaultTypes()
	}
	return &Service{settings: settings, store: store, now: time.Now, orgs: map[string]*orgInfo{}}, nil
}

// Log logs req as the connection's user. A key already claimed returns
// its entry and logs nothing. Recipients that resolve to no visible
// contact or lead are listed in Entry.Unknown and left out; when none
// resolves nothing is logged. Any failure after the request is accepted
// is recorded (StatusFailed, Entry.Error) and returned; Retry tries again.
func (s *Service) Log(ctx context.Context, conn Conn, req Request) (Entry, error) {
	if err := req.validate(); err != nil {
		return Entry{}, err
	}
	if len(req.Recipients) > MaxRecipients {
		return Entry{}, &RequestError{Field: "recipients", Reason: fmt.Sprintf("has %d addresses; at most %d are allowed", len(req.Recipients), MaxRecipients)}
	}
	if req.Date.IsZero() {
		req.Date = s.now()
	}
	tok := conn.Token()
	now := s.now()
	e := Entry{Key: req.Key, OrgID: tok.OrgID(), UserID: tok.UserID(), Request: req, Status: StatusPending,
		Object: req.Kind.Object(), CreatedAt: now, UpdatedAt: now}
	e, inserted, err := s.store.Claim(ctx, e)
	if err != nil {
		return Entry{}, fmt.Errorf("claiming activity key %q: %w", req.Key, err)
	}
	if !inserted {
		if err := sameUser(e, tok); err != nil {
			return Entry{}, err
		}
		return e, nil
	}
	return s.attempt(ctx, conn, e)
}

// sameUser refuses an entry logged by another user, so that a reused key
// neither leaks nor changes someone else's activity.
func sameUser(e Entry, tok salesforce.Token) error {
	if e.OrgID != tok.OrgID() || e.UserID != tok.UserID() {
		return &RequestError{Field: "key", Reason: fmt.Sprintf("%q is already used by another user; send a unique key", e.Key)}
	}
	return nil
}

// Retry logs a failed entry again.
func (s *Service) Retry(ctx context.Context, conn Conn, key string) (Entry, error) {
	e, err := s.store.Get(ctx, key)
	if err != nil {
		return Entry{}, fmt.Errorf("loading activity %q: %w", key, err)
	}
	if err := sameUser(e, conn.Token()); err != nil {
		return Entry{}, err
	}
	if e.Status != StatusFailed {
		return e, fmt.Errorf("retrying activity %q (%s): %w", key, e.Status, ErrNotRetryable)
	}
	return s.attempt(ctx, conn, e)
}

// Get returns the entry logged with key.
func (s *Service) Get(ctx context.Context, key string) (Entry, error) { return s.store.Get(ctx, key) }

// Failed returns the entries whose last attempt failed, oldest first.
func (s *Service) Failed(ctx context.Context) ([]Entry, error) {
	return s.store.List(ctx, StatusFailed)
}

// Resync forgets what the service read from the org's describes (Type and
// Status values, objects that allow activities, Shared Activities), so the
// next call reads them again: call it after an admin changes them in
// Salesforce. The connection's own describe cache still applies (see
// salesforce.Config.DescribeTTL).
func (s *Service) Resync(ctx context.Context, conn Conn) error {
	s.mu.Lock()
	delete(s.orgs, orgKey(conn))
	s.mu.Unlock()
	_, err := s.org(ctx, conn)
	return err
}

// attempt sends e to Salesforce and stores the outcome.
func (s *Service) attempt(ctx context.Context, conn Conn, e Entry) (Entry, error) {
	e.Attempts++
	err := s.send(ctx, conn, &e)
	e.UpdatedAt = s.now()
	if err != nil {
		e.Status, e.Error = StatusFailed, err.Error()
	} else {
		e.Status, e.Error = StatusLogged, ""
	}
	// The outcome is stored even when ctx is done, so it is never lost.
	if perr := s.store.Put(context.WithoutCancel(ctx), e); perr != nil {
		return e, errors.Join(err, fmt.Errorf("storing activity %q: %w", e.Key, perr))
	}
	return e, err
}

// send resolves, checks and writes the activity, filling e.
func (s *Service) send(ctx context.Context, conn Conn, e *Entry) error {
	req := &e.Request
	info, err := s.org(ctx, conn)
	if err != nil {
		return err
	}
	fields, err := s.fields(info, req)
	if err != nil {
		return err
	}
	known, unknown, err := s.resolve(ctx, conn, req.Recipients)
	if err != nil {
		return err
	}
	e.Recipients, e.Unknown = known, unknown
	if len(known) == 0 {
		return &UnknownRecipientsError{Emails: unknown}
	}
	who, related, unrelated := people(known)
	if who.Object == "Lead" && req.RelatedTo != "" {
		return fmt.Errorf("%w: %s is a lead (%s); log the activity without \"related to\", or to a contact", ErrLeadRelatedTo, who.Email, who.ID)
	}
	fields["WhoId"] = who.ID
	relObject, parent := "TaskRelation", "TaskId"
	if e.Object == "Event" {
		relObject, parent = "EventRelation", "EventId"
	}
	if !info.relations[relObject] {
		unrelated, related = append(related, unrelated...), nil // no Shared Activities: only WhoId
	}
	e.Unrelated = unrelated
	cr := salesforce.CompositeRequest{AllOrNone: true, Subrequests: []salesforce.Subrequest{
		{Method: http.MethodPost, URL: "/sobjects/" + e.Object, ReferenceID: "activity", Body: fields},
	}}
	for i, r := range related {
		body := map[string]any{"RelationId": r.ID, parent: "@{activity.id}"}
		if relObject == "EventRelation" {
			body["IsInvitee"], body["IsParent"] = true, true
		}
		cr.Subrequests = append(cr.Subrequests, salesforce.Subrequest{Method: http.MethodPost,
			URL: "/sobjects/" + relObject, ReferenceID: fmt.Sprintf("relation%d", i+1), Body: body})
	}
	resps, err := conn.Composite(ctx, cr)
	if err != nil {
		return fmt.Errorf("logging %s: %w", e.Object, err)
	}
	if err := firstError(resps); err != nil {
		return fmt.Errorf("logging %s: %w: %w", e.Object, ErrSalesforce, err)
	}
	ids := make([]string, len(resps))
	for i := range resps {
		var created struct {
			ID string `json:"id"`
		}
		if err := resps[i].Decode(&created); err != nil {
			return fmt.Errorf("reading %s result %s: %w", e.Object, resps[i].ReferenceID, err)
		}
		ids[i] = created.ID
	}
	e.ActivityID, e.RelationIDs = ids[0], ids[1:]
	return nil
}

// people splits the known recipients (contacts first) as Salesforce
// allows them on one activity: one lead, or contacts. It returns the WhoId,
// the other recipients to relate, and those that cannot be related.
func people(known []Recipient) (who Recipient, others, unrelated []Recipient) {
	who = known[0]
	for _, r := range known[1:] {
		if who.Object == "Contact" && r.Object == "Contact" {
			others = append(others, r)
		} else {
			unrelated = append(unrelated, r)
		}
	}
	return who, others, unrelated
}

// firstError returns the error of the subrequest that failed, not the
// PROCESSING_HALTED answers of the ones rolled back with it.
func firstError(resps []salesforce.SubResponse) error {
	var halted error
	for i := range resps {
		err := resps[i].Err()
		switch {
		case err == nil:
		case salesforce.IsCode(err, salesforce.CodeProcessingHalted):
			halted = cmp.Or(halted, err)
		default:
			return err
		}
	}
	return halted
}

// fields builds the Task or Event body, less WhoId.
func (s *Service) fields(info *orgInfo, req *Request) (map[string]any, error) {
	object := req.Kind.Object()
	f := map[string]any{"Subject": req.Subject, "Description": req.description()}
	if v, ok := s.settings.Types[req.Kind]; ok && v != "" {
		values, hasType := info.types[object]
		switch {
		case hasType && !slices.Contains(values, v):
			return nil, &TypeValueError{Object: object, Kind: req.Kind, Value: v, Allowed: values}
		case hasType:
			f["Type"] = v
		}
	}
	if object == "Task" {
		if info.closedErr != nil {
			return nil, info.closedErr
		}
		f["Status"] = info.closed
		f["ActivityDate"] = req.Date.Format(time.DateOnly)
	} else {
		f["StartDateTime"] = salesforce.FormatTime(req.Start)
		f["EndDateTime"] = salesforce.FormatTime(req.End)
	}
	if req.RelatedTo != "" {
		if err := s.checkRelated(info, req.RelatedTo); err != nil {
			return nil, err
		}
		f["WhatId"] = req.RelatedTo
	}
	return f, nil
}

// checkRelated refuses a "related to" record whose object is not allowed.
func (s *Service) checkRelated(info *orgInfo, id string) error {
	if len(id) != 15 && len(id) != 18 {
		return &RequestError{Field: "relatedTo", Reason: fmt.Sprintf("%q is not a Salesforce record ID (15 or 18 characters)", id)}
	}
	object, ok := info.prefixes[id[:3]]
	if !ok {
		return &RelatedObjectError{Object: id[:3] + "…", Reason: fmt.Sprintf("record %s belongs to no object you can see", id)}
	}
	allowed := append(slices.Clone(DefaultRelatedObjects), s.settings.RelatedObjects...)
	if !slices.ContainsFunc(allowed, func(o string) bool { return strings.EqualFold(o, object) }) {
		return &RelatedObjectError{Object: object, Reason: fmt.Sprintf("the activity settings allow only %s; an admin can add custom objects", strings.Join(allowed, ", "))}
	}
	return info.allowsActivities(object)
}

// RelatedObjects returns the objects activities may be related to for the
// connection's user, and a *RelatedObjectError for each configured custom
// object that does not allow activities (joined).
func (s *Service) RelatedObjects(ctx context.Context, conn Conn) ([]string, error) {
	info, err := s.org(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, o := range append(slices.Clone(DefaultRelatedObjects), s.settings.RelatedObjects...) {
		if err := info.allowsActivities(o); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, o)
	}
	return out, errors.Join(errs...)
}

// orgKey identifies a connection's org and user.
func orgKey(conn Conn) string {
	tok := conn.Token()
	return tok.OrgID() + "/" + tok.UserID()
}
