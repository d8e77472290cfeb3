package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// activityLogging is the path of the activity settings.
const activityLogging = "/api/v1/settings/activity-logging"

func TestActivitySettingsRoutes(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", sfemutest.Admin, access.SystemAdmin)
	_, cadmin := f.person("cadmin", "", access.ConnectorAdmin)
	_, bob := f.person("bob", sfemutest.User, access.ConnectorUser)
	to := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")
	if err := f.org.Emu.AddSchema("invoice.yaml", []byte("version: 1\nobjects:\n- name: Invoice__c\n  enableActivities: false\n")); err != nil {
		t.Fatal(err)
	}

	// Refused callers: people who are not admins, and nobody signed out.
	for _, rt := range []struct{ method, path string }{{"GET", activityLogging}, {"PUT", activityLogging}, {"POST", activityLogging + "/resync"}} {
		f.do(bob, rt.method, rt.path, ActivitySettings{Scope: "visible"}).want(t, 403, Code(access.ReasonNotAdmin))
		f.do(caller{}, rt.method, rt.path, ActivitySettings{Scope: "visible"}).want(t, 401, CodeAuthRequired)
	}

	// The defaults, checked against the org through the admin's connection.
	var v ActivitySettingsView
	r := f.do(root, "GET", activityLogging, nil)
	r.want(t, 200, "")
	r.decode(t, &v)
	if v.Settings.Scope != "visible" || v.Settings.Types["email"] != "Email" || v.CheckError != "" {
		t.Errorf("defaults = %+v", v)
	}
	if len(v.Types) == 0 || v.Types[0].Kind != "email" || v.Types[0].Missing || !slices.Contains(v.Types[0].Values, "Call") {
		t.Errorf("type check = %+v, want email → Email found among the org's values", v.Types)
	}
	// An admin without a Salesforce connection sees the settings and why
	// the org was not checked; a change needs the connection.
	r = f.do(cadmin, "GET", activityLogging, nil)
	r.want(t, 200, "")
	r.decode(t, &v)
	if !strings.Contains(v.CheckError, "not linked your Salesforce identity") || len(v.Types) != 0 {
		t.Errorf("view without a connection = %+v", v)
	}
	f.do(cadmin, "PUT", activityLogging, ActivitySettings{Scope: "visible"}).want(t, 409, CodeNotConnected)

	// Bad input names each field.
	r = f.do(root, "PUT", activityLogging, ActivitySettings{Scope: "mine", Types: map[string]string{"call": "Call"}, RelatedObjects: []string{"Project"}})
	r.want(t, 400, CodeInvalidInput)
	var fields []string
	for _, fe := range r.errorBody(t).Details.Fields {
		fields = append(fields, fe.Field)
	}
	if want := []string{"relatedObjects[0]", "scope", "types.call"}; !slices.Equal(fields, want) {
		t.Errorf("invalid fields = %v, want %v", fields, want)
	}

	// A Type value the org does not have is saved and reported; logging
	// that kind is refused with the org's values.
	link := ActivitySettings{Scope: "owned", Types: map[string]string{"email": "Email", "link": "Content Share"}}
	r = f.do(root, "PUT", activityLogging, link)
	r.want(t, 200, "")
	r.decode(t, &v)
	var missing []string
	for _, tm := range v.Types {
		if tm.Missing {
			missing = append(missing, tm.Kind+"="+tm.Value)
		}
	}
	if !slices.Equal(missing, []string{"link=Content Share"}) || v.Settings.Scope != "owned" {
		t.Errorf("saved view = %+v, missing %v; want link=Content Share reported", v, missing)
	}
	r = f.do(root, "POST", "/api/v1/activities", ActivityRequest{Key: "link-1", Kind: "link", Recipients: to, Subject: "A link",
		Link: "https://example.com/x"})
	r.want(t, 422, CodeActivityRefused)
	if msg := r.errorBody(t).Message; !strings.Contains(msg, `"Content Share"`) || !strings.Contains(msg, "re-sync") {
		t.Errorf("refusal %q does not name the value and the fix", msg)
	}

	// Related objects: one that does not allow activities is refused with
	// the reason; once the admin creates a new object that allows
	// activities in Salesforce, a re-sync lets it in.
	withObjects := ActivitySettings{Scope: "visible", Types: map[string]string{"email": "Email"}, RelatedObjects: []string{"Invoice__c", "Project__c"}}
	r = f.do(root, "PUT", activityLogging, withObjects)
	r.want(t, 400, CodeInvalidInput)
	got := map[string]string{}
	for _, fe := range r.errorBody(t).Details.Fields {
		got[fe.Field] = fe.Message
	}
	if !strings.Contains(got["relatedObjects[0]"], "Allow Activities") || !strings.Contains(got["relatedObjects[1]"], "no such object") {
		t.Errorf("refused objects = %v, want Invoice__c (activities not allowed) and Project__c (unknown)", got)
	}
	if err := f.org.Emu.AddSchema("project.yaml", []byte("version: 1\nobjects:\n- name: Project__c\n  enableActivities: true\n")); err != nil {
		t.Fatal(err)
	}
	withObjects.RelatedObjects = []string{"Project__c"}
	f.do(root, "PUT", activityLogging, withObjects).want(t, 400, CodeInvalidInput) // not re-synced yet
	r = f.do(root, "POST", activityLogging+"/resync", nil)
	r.want(t, 200, "")
	r.decode(t, &v)
	if v.Settings.ResyncedAt == nil {
		t.Error("re-sync left no time")
	}
	r = f.do(root, "PUT", activityLogging, withObjects)
	r.want(t, 200, "")
	r.decode(t, &v)
	if len(v.Related) != 3 || v.Related[2].Object != "Project__c" || !v.Related[2].Allowed || v.Settings.ResyncedAt == nil {
		t.Errorf("related after re-sync = %+v (re-synced at %v)", v.Related, v.Settings.ResyncedAt)
	}

	// Every change is audited with the settings before and after.
	entries, _, err := f.db.Audit().List(t.Context(), store.AuditPage{})
	if err != nil {
		t.Fatal(err)
	}
	var changes int
	for _, e := range entries {
		if e.Subject != "activity settings" {
			continue
		}
		changes++
		var after ActivitySettings
		if err := json.Unmarshal(e.After, &after); err != nil || e.ActorID == 0 || len(e.Before) == 0 {
			t.Errorf("audit entry %+v: after %s (%v)", e, e.After, err)
		}
	}
	if changes != 3 {
		t.Errorf("%d audited changes of the activity settings, want 3 (two saves and a re-sync)", changes)
	}
}

// TestMeFeatures: /me lists the features the settings open to the caller,
// which the console uses to show its links.
func TestMeFeatures(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", "", access.SystemAdmin)
	ana, anaC := f.person("ana", "", access.ConnectorUser)
	_, bob := f.person("bob", "", access.ConnectorUser)
	f.do(root, "PUT", "/api/v1/settings/search", FeatureSetting{Members: []int64{ana.ID}}).want(t, 200, "")
	for _, tc := range []struct {
		who  caller
		want []string
	}{{anaC, []string{"activity", "search"}}, {bob, []string{"activity"}}} {
		var me Me
		r := f.do(tc.who, "GET", "/api/v1/me", nil)
		r.want(t, 200, "")
		r.decode(t, &me)
		if !slices.Equal(me.Features, tc.want) {
			t.Errorf("%s's features = %v, want %v", me.Login, me.Features, tc.want)
		}
	}
}

// TestListActivitiesLimit: ?limit= keeps the caller's most recent
// activities, still oldest first.
func TestListActivitiesLimit(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	to := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")
	for _, key := range []string{"first", "second", "third"} {
		f.do(ana, "POST", "/api/v1/activities", ActivityRequest{Key: key, Kind: "email", Recipients: to, Subject: key}).want(t, 201, "")
	}
	var list ActivityList
	r := f.do(ana, "GET", "/api/v1/activities?limit=2", nil)
	r.want(t, 200, "")
	r.decode(t, &list)
	var keys []string
	for _, a := range list.Activities {
		keys = append(keys, a.Key)
		if !strings.Contains(a.URL, "/lightning/r/Task/"+a.ActivityID+"/view") {
			t.Errorf("activity %s links to %q", a.Key, a.URL)
		}
	}
	if !slices.Equal(keys, []string{"second", "third"}) {
		t.Errorf("?limit=2 listed %v, want the two most recent", keys)
	}
	for _, bad := range []string{"0", "x", "1001"} {
		f.do(ana, "GET", "/api/v1/activities?limit="+bad, nil).want(t, 400, CodeInvalidInput)
	}
}
