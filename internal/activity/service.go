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
	Query(ctx context.Context, soql string, opts ...salesforce.QueryOption) iter.Seq2[*salesforce.Record, error]
	Composite(ctx context.Context, req salesforce.CompositeRequest) ([]salesforce.SubResponse, error)
}

var _ Conn = (*salesforce.Client)(nil)

// MaxRecipients is the most recipients one activity may have: the Task or
// Event and one relation per extra recipient fit one composite call
// (salesforce.MaxSubrequests) that is all or nothing.
const MaxRecipients = salesforce.MaxSubrequests

// Service logs activities into Salesforce with the acting user's
// connection and keeps their record in a Store.
type Service struct {
	settings Settings       // the static settings, when source is nil
	source   SettingsSource // nil: settings
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
	return &Service{settings: settings.withDefaults(), store: store, now: time.Now, orgs: map[string]*orgInfo{}}, nil
}

// UseSettings makes the service read its settings from src at every call,
// in place of those given to NewService. Call it before the service is
// used.
func (s *Service) UseSettings(src SettingsSource) { s.source = src }

// current returns the settings in force.
func (s *Service) current(ctx context.Context) (Settings, error) {
	if s.source == nil {
		return s.settings, nil
	}
	st, err := s.source.ActivitySettings(ctx)
	if err != nil {
		return Settings{}, fmt.Errorf("reading the activity settings: %w", err)
	}
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	return st.withDefaults(), nil
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

// Resync forgets what the service read from the connection's org's
// describes (Type and Status values, objects that allow activities, Shared
// Activities) for every user, and reads them again for conn: call it after
// an admin changes them in Salesforce. Other processes see the change when
// the saved settings' ResyncedAt moves (see SettingsSource).
func (s *Service) Resync(ctx context.Context, conn Conn) error {
	tok := conn.Token()
	org := tok.OrgID() + "/"
	s.mu.Lock()
	for key := range s.orgs {
		if strings.HasPrefix(key, org) {
			delete(s.orgs, key)
		}
	}
	s.mu.Unlock()
	_, err := s.org(ctx, conn, Settings{})
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
	st, err := s.current(ctx)
	if err != nil {
		return err
	}
	info, err := s.org(ctx, conn, st)
	if err != nil {
		return err
	}
	fields, err := fields(info, st, req)
	if err != nil {
		return err
	}
	known, unknown, err := resolve(ctx, conn, st.Scope, req.Recipients)
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
func fields(info *orgInfo, st Settings, req *Request) (map[string]any, error) {
	object := req.Kind.Object()
	f := map[string]any{"Subject": req.Subject, "Description": req.description()}
	if tc, ok := info.typeCheck(st, req.Kind); ok {
		if tc.Missing {
			return nil, &TypeValueError{Object: object, Kind: req.Kind, Value: tc.Value, Allowed: tc.Values}
		}
		if len(tc.Values) > 0 {
			f["Type"] = tc.Value
		}
	}
	if object == "Task" {
		closed, err := info.closedStatus(st)
		if err != nil {
			return nil, err
		}
		f["Status"] = closed
		f["ActivityDate"] = req.Date.Format(time.DateOnly)
	} else {
		f["StartDateTime"] = salesforce.FormatTime(req.Start)
		f["EndDateTime"] = salesforce.FormatTime(req.End)
	}
	if req.RelatedTo != "" {
		if err := checkRelated(info, st, req.RelatedTo); err != nil {
			return nil, err
		}
		f["WhatId"] = req.RelatedTo
	}
	return f, nil
}

// checkRelated refuses a "related to" record whose object is not allowed.
func checkRelated(info *orgInfo, st Settings, id string) error {
	if len(id) != 15 && len(id) != 18 {
		return &RequestError{Field: "relatedTo", Reason: fmt.Sprintf("%q is not a Salesforce record ID (15 or 18 characters)", id)}
	}
	object, ok := info.prefixes[id[:3]]
	if !ok {
		return &RelatedObjectError{Object: id[:3] + "…", Reason: fmt.Sprintf("record %s belongs to no object you can see", id)}
	}
	allowed := st.relatedObjects()
	if !slices.ContainsFunc(allowed, func(o string) bool { return strings.EqualFold(o, object) }) {
		return &RelatedObjectError{Object: object, Reason: fmt.Sprintf("the activity settings allow only %s; an admin can add custom objects", strings.Join(allowed, ", "))}
	}
	return info.allowsActivities(object)
}

// RelatedObjects returns the objects activities may be related to for the
// connection's user, and a *RelatedObjectError for each configured custom
// object that does not allow activities (joined).
func (s *Service) RelatedObjects(ctx context.Context, conn Conn) ([]string, error) {
	st, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := s.Check(ctx, conn, st)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range rep.Related {
		if c.Err == nil {
			out = append(out, c.Object)
		}
	}
	return out, rep.Refused()
}

// Check reads what conn's org says of st (read as conn's user, from what
// the service read of the org's describes; Resync reads them again): each
// kind's Type value, and whether each related object allows activities.
// st is checked as given, saved or not, so an admin sees what a change
// would do before saving it.
func (s *Service) Check(ctx context.Context, conn Conn, st Settings) (Report, error) {
	if err := st.Validate(); err != nil {
		return Report{}, err
	}
	st = st.withDefaults()
	info, err := s.org(ctx, conn, st)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for _, k := range []Kind{KindEmail, KindLink, KindMeeting} {
		if tc, ok := info.typeCheck(st, k); ok {
			rep.Types = append(rep.Types, tc)
		}
	}
	for _, o := range st.relatedObjects() {
		rep.Related = append(rep.Related, RelatedCheck{Object: o, Err: info.allowsActivities(o)})
	}
	return rep, nil
}

// orgKey identifies a connection's org and user.
func orgKey(conn Conn) string {
	tok := conn.Token()
	return tok.OrgID() + "/" + tok.UserID()
}
