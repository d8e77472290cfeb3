package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// featureBlock is one feature's "who may use it" form.
type featureBlock struct {
	Name     string // access.Feature name: activity, search
	Everyone bool
	Members  map[int64]bool
	Roles    []roleChoice // every role, in the order of access.AllRoles
}

// roleChoice is one role's checkbox in a featureBlock.
type roleChoice struct {
	Role   access.Role
	Chosen bool
}

// kindRow is one share kind's Type mapping on the settings page.
type kindRow struct {
	Kind, Value string
	Missing     bool
	Values      []string // the org's values, offered while typing
}

// settingsData is the Settings page.
type settingsData struct {
	Features []featureBlock
	People   []api.UserInfo
	Activity api.ActivitySettingsView
	// ActivityError says why the activity settings could not be read.
	ActivityError string
	Kinds         []kindRow
	Related       string   // the custom objects, one per line
	RelatedErrors []string // why objects were refused
}

// settingsPage shows who may use each feature (GET /api/v1/settings/{feature})
// and how activities are logged (GET /api/v1/settings/activity-logging).
func (c *console) settingsPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.renderSettings(w, r, v, http.StatusOK, nil)
}

// renderSettings renders the page; form, when set, is an activity settings
// form sent back after an error.
func (c *console) renderSettings(w http.ResponseWriter, r *http.Request, v *view, status int, form *api.ActivitySettings) {
	var users api.UserList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/users", nil, &users); err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := settingsData{People: users.Users}
	for _, f := range access.AllFeatures {
		var fs api.FeatureSetting
		if err := c.api.do(nil, r, http.MethodGet, "/api/v1/settings/"+f.String(), nil, &fs); err != nil {
			c.fail(w, r, v, err)
			return
		}
		b := featureBlock{Name: f.String(), Everyone: fs.Everyone, Members: map[int64]bool{}}
		for _, id := range fs.Members {
			b.Members[id] = true
		}
		for _, role := range access.AllRoles {
			b.Roles = append(b.Roles, roleChoice{Role: role, Chosen: slices.Contains(fs.Roles, role)})
		}
		d.Features = append(d.Features, b)
	}
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/settings/activity-logging", nil, &d.Activity); err != nil {
		d.ActivityError = c.partError(r, v, err)
	}
	if form != nil {
		d.Activity.Settings = *form
	}
	d.Kinds, d.Related = kindRows(d.Activity), strings.Join(d.Activity.Settings.RelatedObjects, "\n")
	for field, msg := range v.Fields {
		if strings.HasPrefix(field, "relatedObjects") {
			d.RelatedErrors = append(d.RelatedErrors, msg)
		}
	}
	slices.Sort(d.RelatedErrors)
	v.Data = d
	c.render(w, v, status, "settings")
}

// kindRows lines up each kind's value with what the org said of it.
func kindRows(a api.ActivitySettingsView) []kindRow {
	rows := make([]kindRow, len(activityKinds))
	for i, k := range activityKinds {
		rows[i] = kindRow{Kind: k, Value: a.Settings.Types[k]}
		for _, t := range a.Types {
			if t.Kind == k {
				rows[i].Missing, rows[i].Values = t.Missing && t.Value == rows[i].Value, t.Values
			}
		}
	}
	return rows
}

// saveFeature saves who may use a feature, its people and its roles (PUT
// /api/v1/settings/{feature}).
func (c *console) saveFeature(w http.ResponseWriter, r *http.Request, v *view) {
	f, err := access.ParseFeature(r.PathValue("feature"))
	if err != nil {
		c.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, v, &api.Error{Code: api.CodeInvalidInput})
		return
	}
	in := api.FeatureSetting{Everyone: r.PostForm.Get("everyone") == "true", Members: []int64{}, Roles: []access.Role{}}
	for _, s := range r.PostForm["members"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			id = -1 // let the API refuse it with its field error
		}
		in.Members = append(in.Members, id)
	}
	for _, role := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(role)) // the API refuses unknown roles
	}
	if err := c.api.do(w, r, http.MethodPut, "/api/v1/settings/"+f.String(), in, nil); err != nil {
		c.renderSettings(w, r, v, c.explain(r, v, err), nil)
		return
	}
	http.Redirect(w, r, "/settings?done=feature_saved", http.StatusSeeOther)
}

// saveActivitySettings saves how activities are logged (PUT
// /api/v1/settings/activity-logging), which checks the related objects
// against the org.
func (c *console) saveActivitySettings(w http.ResponseWriter, r *http.Request, v *view) {
	in := api.ActivitySettings{Scope: r.PostFormValue("scope"), Types: map[string]string{},
		ClosedStatus: r.PostFormValue("closedStatus"), RelatedObjects: splitAddresses(r.PostFormValue("related"))}
	for _, k := range activityKinds {
		in.Types[k] = r.PostFormValue("type_" + k)
	}
	if err := c.api.do(w, r, http.MethodPut, "/api/v1/settings/activity-logging", in, nil); err != nil {
		c.renderSettings(w, r, v, c.explain(r, v, err), &in)
		return
	}
	http.Redirect(w, r, "/settings?done=activity_settings_saved#activity", http.StatusSeeOther)
}

// resyncActivitySettings reads the org's picklists and objects again
// (POST /api/v1/settings/activity-logging/resync).
func (c *console) resyncActivitySettings(w http.ResponseWriter, r *http.Request, v *view) {
	if err := c.api.do(w, r, http.MethodPost, "/api/v1/settings/activity-logging/resync", nil, nil); err != nil {
		c.renderSettings(w, r, v, c.explain(r, v, err), nil)
		return
	}
	http.Redirect(w, r, "/settings?done=activity_resynced#activity", http.StatusSeeOther)
}

// FeatureLabel names a feature (access.Feature name) in the page's
// language.
func (v *view) FeatureLabel(name string) string {
	if name == "search" {
		return v.T("settings.feature.search")
	}
	return v.T("settings.feature.activity")
}

// KindLabel names a share kind in the page's language.
func (v *view) KindLabel(kind string) string {
	switch kind {
	case "link":
		return v.T("activities.kind.link")
	case "meeting":
		return v.T("activities.kind.meeting")
	}
	return v.T("activities.kind.email")
}

// StatusLabel names an activity's status in the page's language.
func (v *view) StatusLabel(status string) string {
	switch status {
	case "logged":
		return v.T("activities.status.logged")
	case "failed":
		return v.T("activities.status.failed")
	}
	return v.T("activities.status.pending")
}

// CommaList joins values with commas, for display.
func (v *view) CommaList(values []string) string { return strings.Join(values, ", ") }
