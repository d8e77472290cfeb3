package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/search"
)

// ActivityRequest is an activity to log (POST /api/v1/activities).
type ActivityRequest struct {
	// Key is the idempotency key: sending the same key again logs nothing
	// and answers the first activity. Any unique string up to 255
	// characters, e.g. a UUID.
	Key string `json:"key"`
	// Kind is email (content sent by email), link (a link shared another
	// way), both logged as a completed Task, or meeting (an Event).
	Kind       string   `json:"kind"`
	Recipients []string `json:"recipients"` // email addresses of contacts or leads
	Subject    string   `json:"subject"`
	Body       string   `json:"body,omitempty"`
	Link       string   `json:"link,omitempty"`      // the shared content's http(s) URL
	RelatedTo  string   `json:"relatedTo,omitempty"` // an Account, Opportunity or allowed custom record id
	// Date is when the content was shared; default now.
	Date *time.Time `json:"date,omitempty"`
	// Start and End bound a meeting; required for kind meeting.
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
}

// Activity is a logged (or attempted) activity.
type Activity struct {
	Key     string `json:"key"`
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	// Status is pending, logged or failed (see Error; retry with POST
	// /api/v1/activities/{key}/retry).
	Status string `json:"status"`
	// Object is Task or Event; ActivityID its Salesforce id once logged.
	Object     string `json:"object"`
	ActivityID string `json:"activityId,omitempty"`
	// URL opens the logged Task or Event in Salesforce.
	URL        string      `json:"url,omitempty"`
	Recipients []Recipient `json:"recipients"`
	// Unknown are the addresses that matched no contact or lead you can
	// see: they are left off the activity.
	Unknown []string `json:"unknown"`
	// Unrelated are known recipients Salesforce could not relate to the
	// activity (a lead beside contacts, several leads).
	Unrelated []Recipient `json:"unrelated"`
	Error     string      `json:"error,omitempty"`
	Attempts  int         `json:"attempts"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// Recipient is a Contact or Lead an address resolved to.
type Recipient struct {
	ID     string `json:"id"`
	Object string `json:"object"` // Contact or Lead
	Name   string `json:"name"`
	Email  string `json:"email"`
}

// ActivityList is the caller's activities, oldest first.
type ActivityList struct {
	Activities []Activity `json:"activities"`
}

// RecipientList is the recipients suggested for what the caller typed.
type RecipientList struct {
	Recipients []Recipient `json:"recipients"`
}

// maxSuggestions is how many recipients GET /api/v1/recipients suggests.
const maxSuggestions = 10

// maxActivities is the largest ?limit= of GET /api/v1/activities.
const maxActivities = 1000

func (s *Server) logActivity(c *call) (any, error) {
	var in ActivityRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	svc, conn, err := s.activityConn(c)
	if err != nil {
		return nil, err
	}
	req := activity.Request{Key: in.Key, Kind: activity.Kind(in.Kind), Recipients: in.Recipients, Subject: in.Subject,
		Body: in.Body, Link: in.Link, RelatedTo: in.RelatedTo}
	for _, t := range []struct {
		from *time.Time
		to   *time.Time
	}{{in.Date, &req.Date}, {in.Start, &req.Start}, {in.End, &req.End}} {
		if t.from != nil {
			*t.to = *t.from
		}
	}
	e, err := svc.Log(c.r.Context(), conn, req)
	if err != nil {
		return nil, activityError(err)
	}
	return apiActivity(e, conn.Token().InstanceURL), nil
}

func (s *Server) listActivities(c *call) (any, error) {
	status := activity.Status(c.r.URL.Query().Get("status"))
	switch status {
	case "", activity.StatusPending, activity.StatusLogged, activity.StatusFailed:
	default:
		return nil, invalid(FieldError{Field: "status", Message: "is " + string(status) + "; use pending, logged or failed, or leave it out for all"})
	}
	limit := 0
	if v := c.r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxActivities {
			return nil, invalid(FieldError{Field: "limit", Message: fmt.Sprintf("is %q; send a number from 1 to %d, or leave it out for all", v, maxActivities)})
		}
		limit = n
	}
	_, conn, err := s.activityConn(c)
	if err != nil {
		return nil, err
	}
	tok := conn.Token()
	entries, err := s.opts.Activities.Find(c.r.Context(), activity.Filter{OrgID: tok.OrgID(), UserID: tok.UserID(), Status: status, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("listing activities: %w", err)
	}
	out := ActivityList{Activities: []Activity{}}
	for _, e := range entries {
		out.Activities = append(out.Activities, apiActivity(e, tok.InstanceURL))
	}
	return out, nil
}

func (s *Server) retryActivity(c *call) (any, error) {
	svc, conn, err := s.activityConn(c)
	if err != nil {
		return nil, err
	}
	e, err := svc.Retry(c.r.Context(), conn, c.r.PathValue("key"))
	if err != nil {
		return nil, activityError(err)
	}
	return apiActivity(e, conn.Token().InstanceURL), nil
}

func (s *Server) suggestRecipients(c *call) (any, error) {
	q := c.r.URL.Query().Get("q")
	if len([]rune(q)) < 2 {
		return nil, invalid(FieldError{Field: "q", Message: "needs at least 2 characters of a name or an email address"})
	}
	svc, conn, err := s.activityConn(c)
	if err != nil {
		return nil, err
	}
	found, err := svc.Suggest(c.r.Context(), conn, q, maxSuggestions)
	if err != nil {
		return nil, activityError(err)
	}
	return RecipientList{Recipients: apiRecipients(found)}, nil
}

// activityConn returns the activity service and the caller's connection.
func (s *Server) activityConn(c *call) (*activity.Service, *salesforce.Client, error) {
	if s.activity == nil {
		return nil, nil, errorf(CodeUnavailable, "Activity logging is not set up on this server.")
	}
	conn, err := s.clientFor(c)
	return s.activity, conn, err
}

// activityError maps the activity service's errors onto API errors.
func activityError(err error) error {
	var (
		reqErr  *activity.RequestError
		unknown *activity.UnknownRecipientsError
	)
	switch {
	case errors.As(err, &reqErr):
		return invalid(FieldError{Field: reqErr.Field, Message: reqErr.Reason})
	case errors.As(err, &unknown):
		return errorf(CodeUnknownRecipients, "Nothing was logged in Salesforce: "+unknown.Error()+
			", then retry (POST /api/v1/activities/{key}/retry) or send a new request.")
	case errors.Is(err, activity.ErrNotFound):
		return errorf(CodeNotFound, "No activity of yours has that key.")
	case errors.Is(err, activity.ErrNotRetryable):
		return errorf(CodeNotRetryable, "Only a failed activity can be retried: "+err.Error()+".")
	case errors.Is(err, activity.ErrTypeValue), errors.Is(err, activity.ErrRelatedObject),
		errors.Is(err, activity.ErrLeadRelatedTo), errors.Is(err, activity.ErrNoClosedStatus):
		return errorf(CodeActivityRefused, err.Error()+".")
	case errors.Is(err, activity.ErrSalesforce):
		return errorf(CodeSalesforceRefused, "The activity is recorded as failed: "+err.Error()+". Fix the cause, then retry it (POST /api/v1/activities/{key}/retry).")
	}
	return salesforceError(err)
}

// apiActivity is e as the API answers it, its link on instanceURL.
func apiActivity(e activity.Entry, instanceURL string) Activity {
	var link string
	if e.ActivityID != "" {
		link = search.RecordURL(instanceURL, e.Object, e.ActivityID)
	}
	return Activity{URL: link, Key: e.Key, Kind: string(e.Request.Kind), Subject: e.Request.Subject, Status: string(e.Status),
		Object: e.Object, ActivityID: e.ActivityID, Recipients: apiRecipients(e.Recipients),
		Unknown: append([]string{}, e.Unknown...), Unrelated: apiRecipients(e.Unrelated), Error: e.Error,
		Attempts: e.Attempts, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
}

func apiRecipients(list []activity.Recipient) []Recipient {
	out := make([]Recipient, 0, len(list))
	for _, r := range list {
		out = append(out, Recipient(r))
	}
	return out
}

// routes of activity logging, for the route table.
func (s *Server) activityRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodPost, v1+"/activities", access.ActivityLog, "Log an email share, a link share or a meeting into Salesforce, once per idempotency key", s.logActivity).
			body(ActivityRequest{}, Activity{}).created(),
		guarded(http.MethodGet, v1+"/activities", access.ActivityLog, "Your logged activities, oldest first; ?status=failed lists those to retry", s.listActivities).
			body(nil, ActivityList{}).params("status", "pending, logged or failed; all when left out",
			"limit", fmt.Sprintf("only the most recent ones, 1 to %d; all when left out", maxActivities)),
		guarded(http.MethodPost, v1+"/activities/{key}/retry", access.ActivityLog, "Send one of your failed activities to Salesforce again", s.retryActivity).
			body(nil, Activity{}),
		guarded(http.MethodGet, v1+"/recipients", access.ActivityLog, "Contacts and leads you can see whose name or email starts with ?q=, for recipients while typing", s.suggestRecipients).
			body(nil, RecipientList{}).params("q!", "the start of a first name, last name, full name or email address (2 characters or more)"),
	}
}
