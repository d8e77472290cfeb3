package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// activityRoutes registers the pages of activity logging, search, list
// views and their admin settings.
func (c *console) activityRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /activities", c.guard(access.ActivityLog, nil, c.activities))
	mux.HandleFunc("POST /activities", c.guard(access.ActivityLog, nil, c.logActivity))
	mux.HandleFunc("POST /activities/{key}/retry", c.guard(access.ActivityLog, nil, c.retryActivity))
	mux.HandleFunc("GET /search", c.guard(access.SearchUse, nil, c.searchPage))
	mux.HandleFunc("GET /search/listviews", c.guard(access.SearchUse, nil, c.listViews))
	mux.HandleFunc("POST /search/listviews", c.guard(access.SearchUse, nil, c.chooseListViews))
	mux.HandleFunc("GET /settings", c.guard(access.FeatureSettings, nil, c.settingsPage))
	mux.HandleFunc("POST /settings/features/{feature}", c.guard(access.FeatureSettings, nil, c.saveFeature))
	mux.HandleFunc("POST /settings/activity", c.guard(access.FeatureSettings, nil, c.saveActivitySettings))
	mux.HandleFunc("POST /settings/activity/resync", c.guard(access.FeatureSettings, nil, c.resyncActivitySettings))
}

// activityKinds are the kinds of activity the form offers.
var activityKinds = []string{"email", "link", "meeting"}

// recentActivities is how many of their activities the page lists.
const recentActivities = 50

// meetingTime is the format of the form's meeting times (datetime-local),
// read as UTC.
const meetingTime = "2006-01-02T15:04"

// activityForm is the log form, shown back after an error.
type activityForm struct {
	Key, Kind, Recipients, Subject, Body, Link, RelatedTo, Start, End string
}

// activitiesData is the Activities page.
type activitiesData struct {
	Form       activityForm
	Kinds      []string
	Activities []api.Activity // newest first
	// ListError says why the list could not be read (no connection).
	ListError string
	// RecipientErrors are the messages about single addresses
	// ("recipients[2]").
	RecipientErrors []string
}

// newIdempotencyKey returns a fresh idempotency key: each rendered form
// logs once, however many times it is sent.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func (c *console) activities(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderActivities(w, r, v, http.StatusOK, activityForm{Kind: "email"})
}

// renderActivities shows the form and the person's recent activities (GET
// /api/v1/activities). The form always gets a new key, also when shown back
// after an error: an attempt the API recorded as failed is then listed with
// its Retry button, and the corrected form logs anew.
func (c *console) renderActivities(w http.ResponseWriter, r *http.Request, v *view, status int, form activityForm) {
	form.Key = newIdempotencyKey()
	d := activitiesData{Form: form, Kinds: activityKinds}
	addrs := splitAddresses(form.Recipients)
	for field := range v.Fields {
		// The API names the address by its place in the list it was sent,
		// which splitAddresses built from the same text.
		n, ok := strings.CutPrefix(field, "recipients[")
		if i, err := strconv.Atoi(strings.TrimSuffix(n, "]")); ok && err == nil && i >= 0 && i < len(addrs) {
			d.RecipientErrors = append(d.RecipientErrors, v.T("activities.log.recipient_invalid", addrs[i]))
		}
	}
	slices.Sort(d.RecipientErrors)
	var list api.ActivityList
	path := "/api/v1/activities?" + url.Values{"limit": {strconv.Itoa(recentActivities)}}.Encode()
	if err := c.api.do(nil, r, http.MethodGet, path, nil, &list); err != nil {
		d.ListError = c.partError(r, v, err)
	}
	d.Activities = list.Activities
	slices.Reverse(d.Activities)
	v.Data = d
	c.render(w, v, status, "activities")
}

// logActivity logs the form through POST /api/v1/activities.
func (c *console) logActivity(w http.ResponseWriter, r *http.Request, v *view) {
	form := activityForm{Key: r.PostFormValue("key"), Kind: r.PostFormValue("kind"), Recipients: r.PostFormValue("recipients"),
		Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Link: strings.TrimSpace(r.PostFormValue("link")),
		RelatedTo: strings.TrimSpace(r.PostFormValue("relatedTo")), Start: r.PostFormValue("start"), End: r.PostFormValue("end")}
	in := api.ActivityRequest{Key: form.Key, Kind: form.Kind, Recipients: splitAddresses(form.Recipients), Subject: form.Subject,
		Body: form.Body, Link: form.Link, RelatedTo: form.RelatedTo}
	if form.Kind == "meeting" {
		in.Start, in.End = formTime(form.Start), formTime(form.End)
	}
	var out api.Activity
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/activities", in, &out); err != nil {
		c.renderActivities(w, r, v, c.explain(r, v, err), form)
		return
	}
	if len(out.Unknown) > 0 {
		http.Redirect(w, r, "/activities?done=activity_logged_some_unknown", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/activities?done=activity_logged", http.StatusSeeOther)
}

// retryActivity sends a failed activity again (POST
// /api/v1/activities/{key}/retry).
func (c *console) retryActivity(w http.ResponseWriter, r *http.Request, v *view) {
	path := "/api/v1/activities/" + url.PathEscape(r.PathValue("key")) + "/retry"
	if err := c.api.do(w, r, http.MethodPost, path, nil, nil); err != nil {
		c.renderActivities(w, r, v, c.explain(r, v, err), activityForm{Kind: "email"})
		return
	}
	http.Redirect(w, r, "/activities?done=activity_retried", http.StatusSeeOther)
}

// partError returns err in the person's language, without touching v's own
// error: for a part of a page that could not be read.
func (c *console) partError(r *http.Request, v *view, err error) string {
	probe := *v
	probe.Fields = map[string]string{}
	c.explain(r, &probe, err)
	return probe.Error
}

// splitAddresses splits a list typed with commas, semicolons, spaces or new
// lines.
func splitAddresses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// formTime reads a datetime-local value as UTC; nil when empty or
// malformed, which the API then refuses with its field error.
func formTime(s string) *time.Time {
	t, err := time.Parse(meetingTime, strings.TrimSpace(s))
	if err != nil {
		return nil
	}
	return &t
}

// ActivityTime prints when an activity was logged, in UTC.
func (v *view) ActivityTime(t time.Time) string {
	return t.UTC().Format(v.T("format.date")+" 15:04") + " UTC"
}
