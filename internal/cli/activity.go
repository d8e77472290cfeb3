package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/store"
)

type activityCmd struct {
	Log   activityLogCmd   `cmd:"" help:"Log an email share, a link share or a meeting in Salesforce, as a Task or an Event."`
	List  activityListCmd  `cmd:"" help:"List the activities logged from this data directory."`
	Retry activityRetryCmd `cmd:"" help:"Log a failed activity again."`
}

type activityLogCmd struct {
	actingFlags
	Kind      string   `required:"" enum:"email,link,meeting" placeholder:"KIND" help:"What was shared: email, link or meeting."`
	To        []string `required:"" help:"A recipient's email address, a contact or lead in Salesforce; repeat for several." placeholder:"EMAIL"`
	Subject   string   `required:"" placeholder:"TEXT" help:"The activity's subject."`
	Body      string   `placeholder:"TEXT" help:"The activity's description."`
	Link      string   `help:"The shared content's URL (http or https)." placeholder:"URL"`
	RelatedTo string   `help:"The ID of the Account, Opportunity (or allowed custom object) record the activity is about." placeholder:"ID"`
	Start     string   `help:"A meeting's start (RFC 3339, e.g. 2026-11-22T10:00:00Z)." placeholder:"TIME"`
	End       string   `help:"A meeting's end (RFC 3339)." placeholder:"TIME"`
	Key       string   `required:"" help:"Idempotency key: logging the same key again logs nothing more." placeholder:"KEY"`
}

func (c *activityLogCmd) Run(e *env) error {
	req := activity.Request{Key: c.Key, Kind: activity.Kind(c.Kind), Recipients: c.To, Subject: c.Subject,
		Body: c.Body, Link: c.Link, RelatedTo: c.RelatedTo}
	var err error
	if req.Start, err = parseTime("--start", c.Start); err != nil {
		return err
	}
	if req.End, err = parseTime("--end", c.End); err != nil {
		return err
	}
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := activityService(a)
	if err != nil {
		return err
	}
	_, getErr := svc.Get(e.ctx, c.Key)
	seen := getErr == nil
	if getErr != nil && !errors.Is(getErr, activity.ErrNotFound) {
		return environment(fmt.Errorf("reading activity %q: %w", c.Key, getErr))
	}
	entry, err := svc.Log(e.ctx, cl, req)
	if err != nil {
		if entry.Key != "" { // recorded as failed
			printEntry(e.stdout, entry)
		}
		return activityError(err, c.Key)
	}
	if seen {
		fmt.Fprintf(e.stdout, "key %q was already used: nothing new was logged\n", c.Key)
	}
	printEntry(e.stdout, entry)
	if entry.Status == activity.StatusFailed {
		return environment(fmt.Errorf("activity %q failed: %s: retry it with sfbridge activity retry %s", entry.Key, entry.Error, entry.Key))
	}
	return nil
}

// parseTime parses an RFC 3339 time flag; empty is the zero time.
func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid(fmt.Errorf("%s %q is not an RFC 3339 time such as 2026-11-22T10:00:00Z", flag, s))
	}
	return t, nil
}

// activityService returns the activity service over the data directory's
// store, with the default settings.
func activityService(a *app) (*activity.Service, error) {
	svc, err := activity.NewService(activity.DefaultSettings(), a.store.Activities())
	if err != nil {
		return nil, fmt.Errorf("creating the activity service: %w", err)
	}
	svc.UseSettings(a.store.ActivitySettings()) // the admin's settings, as the console's
	return svc, nil
}

// activityError marks an error of the activity service with its exit
// code: the request or the recipients are wrong (2), or Salesforce refused
// or could not be reached (3). It returns nil for nil.
func activityError(err error, key string) error {
	var unknown *activity.UnknownRecipientsError
	switch {
	case errors.As(err, &unknown):
		return invalid(fmt.Errorf("nothing was logged: %w; then run sfbridge activity retry %s", err, key))
	case errors.Is(err, activity.ErrInvalidRequest), errors.Is(err, activity.ErrNotFound),
		errors.Is(err, activity.ErrNotRetryable), errors.Is(err, activity.ErrRelatedObject),
		errors.Is(err, activity.ErrLeadRelatedTo):
		return invalid(err)
	case errors.Is(err, activity.ErrSalesforce):
		return environment(fmt.Errorf("%w: fix the cause, then run sfbridge activity retry %s", err, key))
	}
	return environment(err)
}

// printEntry writes what an entry logged: its Salesforce IDs, and the
// recipients left out.
func printEntry(w io.Writer, en activity.Entry) {
	fmt.Fprintf(w, "%s %s %s (key %s, %d attempt(s))\n", en.Status, en.Object, orNone(en.ActivityID), en.Key, en.Attempts)
	for _, r := range en.Recipients {
		fmt.Fprintf(w, "  recipient: %s %s %s <%s>\n", r.Object, r.ID, r.Name, r.Email)
	}
	if len(en.RelationIDs) > 0 {
		fmt.Fprintf(w, "  relations: %s\n", strings.Join(en.RelationIDs, ", "))
	}
	for _, addr := range en.Unknown {
		fmt.Fprintf(w, "  unknown: %s (no contact or lead you can see has this address)\n", addr)
	}
	for _, r := range en.Unrelated {
		fmt.Fprintf(w, "  unrelated: %s %s <%s> (known, but Salesforce relates an activity to one lead or to contacts only)\n", r.Object, r.ID, r.Email)
	}
	if en.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", en.Error)
	}
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type activityListCmd struct {
	dataFlags
	Failed bool `help:"Only the activities whose last attempt failed."`
}

func (c *activityListCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.close()
	var status activity.Status
	if c.Failed {
		status = activity.StatusFailed
	}
	entries, err := a.store.Activities().List(e.ctx, status)
	if err != nil {
		return environment(fmt.Errorf("listing activities: %w", err))
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "no activities")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSTATUS\tKIND\tOBJECT\tID\tSUBJECT\tATTEMPTS\tERROR")
	for _, en := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", en.Key, en.Status, en.Request.Kind, en.Object,
			orNone(en.ActivityID), en.Request.Subject, en.Attempts, en.Error)
	}
	return tw.Flush()
}

type activityRetryCmd struct {
	actingFlags
	Key string `arg:"" help:"The idempotency key of the failed activity." name:"KEY"`
}

func (c *activityRetryCmd) Run(e *env) error {
	a, cl, err := c.acting(e)
	if err != nil {
		return err
	}
	defer a.close()
	svc, err := activityService(a)
	if err != nil {
		return err
	}
	entry, err := svc.Retry(e.ctx, cl, c.Key)
	if errors.Is(err, store.ErrNotFound) {
		return invalid(fmt.Errorf("no activity has the key %q: sfbridge activity list shows them", c.Key))
	}
	if entry.Key != "" {
		printEntry(e.stdout, entry)
	}
	return activityError(err, c.Key)
}
