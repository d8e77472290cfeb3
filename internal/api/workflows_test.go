package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// fakeRunner records the workflows asked to run and the orgs rescheduled.
type fakeRunner struct {
	mu          sync.Mutex
	ran         []int64
	rescheduled []int64
}

func (r *fakeRunner) Reschedule(_ context.Context, orgID int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rescheduled = append(r.rescheduled, orgID)
	return nil
}

func (r *fakeRunner) RunNow(_ context.Context, id int64) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	queued := !slices.Contains(r.ran, id)
	r.ran = append(r.ran, id)
	return queued, nil
}

// wfFixture is a server whose workflows live in the emulator's demo org,
// registered as "demo"; people are linked to Salesforce users in the test.
type wfFixture struct {
	*fixture
	emu     *sfemutest.Org
	org     store.Org
	runner  *fakeRunner
	mu      sync.Mutex
	clients map[int64]*salesforce.Client
}

func setupWF(t *testing.T) *wfFixture {
	t.Helper()
	f := &wfFixture{emu: sfemutest.Start(t, sfemu.Options{Seed: "demo"}), runner: &fakeRunner{}, clients: map[int64]*salesforce.Client{}}
	f.fixture = setup(t, func(o *Options) {
		db := o.Store.(dbStore).st
		o.Runner = f.runner
		o.Recipes = &recipe.Recipes{Store: db, Client: func(_ context.Context, _ store.Org, u store.User) (*salesforce.Client, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if c, ok := f.clients[u.ID]; ok {
				return c, nil
			}
			return nil, fmt.Errorf("user %s: %w", u.Login, store.ErrNotFound)
		}}
	})
	var err error
	if f.org, err = f.db.Orgs().Create(context.Background(), store.Org{Name: "demo", LoginURL: f.emu.URL, ClientID: "test"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// person creates a signed-in person linked to the Salesforce user sfUser
// ("" for none).
func (f *wfFixture) person(login, sfUser string, roles ...access.Role) (User, caller) {
	f.t.Helper()
	u, c := f.user(login, roles...)
	if sfUser != "" {
		cl := f.emu.Connect(f.t, sfUser)
		f.mu.Lock()
		f.clients[u.ID] = cl
		f.mu.Unlock()
	}
	return u, c
}

// leads is a two-way Lead workflow owned by owner.
func leads(name, owner string) string {
	return fmt.Sprintf(`version: 1
name: %s
org: demo
owner: %s
enabled: true
object: Lead
sheet: %s_sheet
direction: both
when: { field: Rating, op: "=", value: Hot }
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Company, column: company }
  - { salesforce: Email, column: email }
outbound:
  operation: create
conflicts: newest_wins
`, name, owner, strings.ReplaceAll(name, "-", "_"))
}

// create stores a workflow through the API and returns it.
func (f *wfFixture) create(c caller, doc string) WorkflowDetail {
	f.t.Helper()
	r := f.do(c, "POST", "/api/v1/workflows", WorkflowDocument{Document: doc})
	r.want(f.t, 201, "")
	var d WorkflowDetail
	r.decode(f.t, &d)
	return d
}

func TestWorkflowAccessMatrix(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	root, admin := f.person("root", sfemutest.Admin, access.SystemAdmin)
	cadminU, cadmin := f.person("cadmin", "", access.ConnectorAdmin)
	ana, anaC := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	_, bob := f.person("bob", sfemutest.User, access.ConnectorUser)
	_, nobody := f.person("nobody", "")

	wf := f.create(anaC, leads("ana-leads", "ana"))
	if wf.OwnerID != ana.ID || wf.Org != "demo" || wf.Object != "Lead" || wf.Direction != "both" || !wf.Enabled || wf.Version != 1 {
		t.Fatalf("created %+v", wf.WorkflowInfo)
	}
	if want := (WorkflowRights{Edit: true, Enable: true, Disable: true, Run: true}); wf.Can != want {
		t.Errorf("the owner's rights %+v, want %+v", wf.Can, want)
	}
	id := itoa(wf.ID)

	list := func(c caller) []string {
		t.Helper()
		var l WorkflowList
		r := f.do(c, "GET", "/api/v1/workflows", nil)
		r.want(t, 200, "")
		r.decode(t, &l)
		var names []string
		for _, w := range l.Workflows {
			names = append(names, w.Name)
		}
		return names
	}
	for _, tc := range []struct {
		name string
		who  caller
		want []string
	}{
		{"owner", anaC, []string{"ana-leads"}},
		{"system admin", admin, []string{"ana-leads"}},
		{"connector admin", cadmin, []string{"ana-leads"}},
		{"another connector user", bob, nil},
		{"no role", nobody, nil},
	} {
		if got := list(tc.who); !slices.Equal(got, tc.want) {
			t.Errorf("%s lists %v, want %v", tc.name, got, tc.want)
		}
	}

	// Each cell: an allowed and a refused call.
	for _, tc := range []struct {
		name, method, path string
		who                caller
		status             int
		code               Code
	}{
		{"owner sees it", "GET", "/api/v1/workflows/" + id, anaC, 200, ""},
		{"admin sees it", "GET", "/api/v1/workflows/" + id, admin, 200, ""},
		{"another user does not", "GET", "/api/v1/workflows/" + id, bob, 403, "access.not_owner"},
		{"another user gets no runs", "GET", "/api/v1/workflows/" + id + "/runs", bob, 403, "access.not_owner"},
		{"another user gets no yaml", "GET", "/api/v1/workflows/" + id + "/yaml", bob, 403, "access.not_owner"},
		{"another user may not disable", "POST", "/api/v1/workflows/" + id + "/disable", bob, 403, "access.not_owner"},
		{"admin disables another's", "POST", "/api/v1/workflows/" + id + "/disable", admin, 200, ""},
		{"admin may not enable another's", "POST", "/api/v1/workflows/" + id + "/enable", admin, 403, "access.not_owner"},
		{"connector admin may not enable another's", "POST", "/api/v1/workflows/" + id + "/enable", cadmin, 403, "access.not_owner"},
		{"a disabled workflow does not run", "POST", "/api/v1/workflows/" + id + "/run", anaC, 409, CodeWorkflowDisabled},
		{"owner enables", "POST", "/api/v1/workflows/" + id + "/enable", anaC, 200, ""},
		{"admin may not run another's", "POST", "/api/v1/workflows/" + id + "/run", admin, 403, "access.not_owner"},
		{"owner runs", "POST", "/api/v1/workflows/" + id + "/run", anaC, 200, ""},
		{"connector admin disables another's", "POST", "/api/v1/workflows/" + id + "/disable", cadmin, 200, ""},
		{"owner disables their own", "POST", "/api/v1/workflows/" + id + "/disable", anaC, 200, ""},
		{"no such workflow", "GET", "/api/v1/workflows/999", admin, 404, CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.do(tc.who, tc.method, tc.path, nil).want(t, tc.status, tc.code)
		})
	}
	if !slices.Equal(f.runner.ran, []int64{wf.ID}) {
		t.Errorf("runs asked %v, want [%d]", f.runner.ran, wf.ID)
	}
	// Every change is in the audit log, with who made it.
	got := f.column(`SELECT action || ' by ' || actor_id FROM audit_log WHERE subject = 'workflow ` + id + `' ORDER BY id`)
	want := []string{
		"workflow.create by " + itoa(ana.ID),
		"workflow.disable by " + itoa(root.ID),
		"workflow.enable by " + itoa(ana.ID),
		"workflow.run by " + itoa(ana.ID),
		"workflow.disable by " + itoa(cadminU.ID),
		"workflow.disable by " + itoa(ana.ID),
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit entries\n%v\nwant\n%v", got, want)
	}
}

func TestWorkflowDocuments(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	_, ana := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	_, bob := f.person("bob", "", access.ConnectorUser)
	_, nobody := f.person("nobody", "")
	doc := leads("ana-leads", "ana")

	// Validation lists every problem, with its line, and stores nothing.
	bad := strings.Replace(strings.Replace(doc, "LastName", "Title", 1), "{ salesforce: Email", "{ salesforce: Emial", 1)
	var v Validation
	r := f.do(ana, "POST", "/api/v1/workflows/validate", WorkflowDocument{Document: bad})
	r.want(t, 200, "")
	r.decode(t, &v)
	var codes []string
	for _, p := range v.Problems {
		codes = append(codes, fmt.Sprintf("%d:%s", p.Line, p.Code))
	}
	if want := []string{"11:workflow.required_field_unmapped", "13:workflow.unknown_field"}; v.Valid || !slices.Equal(codes, want) {
		t.Errorf("validation %v %v, want %v", v.Valid, codes, want)
	}
	r = f.do(ana, "POST", "/api/v1/workflows", WorkflowDocument{Document: bad})
	r.want(t, 422, CodeWorkflowInvalid)
	if e := r.errorBody(t); len(e.Details.Fields) != 2 || e.Details.Fields[1].Field != "fields[2].salesforce" ||
		!strings.HasPrefix(e.Details.Fields[1].Message, "line 13, column 19: ") || !strings.Contains(e.Details.Fields[1].Message, `did you mean "Email"`) {
		t.Errorf("error fields %+v", e.Details.Fields)
	}
	if n := f.column(`SELECT name FROM workflows`); len(n) != 0 {
		t.Fatalf("an invalid workflow was stored: %v", n)
	}
	r = f.do(ana, "POST", "/api/v1/workflows/validate", WorkflowDocument{Document: doc})
	r.want(t, 200, "")
	r.decode(t, &v)
	if !v.Valid || v.Plan == nil || v.Plan.Object != "Lead" || len(v.Plan.Columns) != 3 {
		t.Errorf("validation of a valid document: %+v", v)
	}

	for _, tc := range []struct {
		name   string
		who    caller
		doc    string
		status int
		code   Code
	}{
		{"someone else's document", bob, doc, 422, CodeWorkflowOwnerNotYou},
		{"no role", nobody, leads("x", "nobody"), 403, "access.no_role"},
		{"no connection", bob, leads("bob-leads", "bob"), 409, CodeNotConnected},
		{"empty", ana, " ", 400, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.do(tc.who, "POST", "/api/v1/workflows", WorkflowDocument{Document: tc.doc}).want(t, tc.status, tc.code)
		})
	}

	wf := f.create(ana, doc)
	f.do(ana, "POST", "/api/v1/workflows", WorkflowDocument{Document: doc}).want(t, 409, CodeConflict)
	var exp WorkflowDocument
	r = f.do(ana, "GET", "/api/v1/workflows/"+itoa(wf.ID)+"/yaml", nil)
	r.want(t, 200, "")
	r.decode(t, &exp)
	if exp.Document != doc || exp.Version != 1 {
		t.Errorf("exported %+v, want the document as sent at version 1", exp)
	}

	path := "/api/v1/workflows/" + itoa(wf.ID)
	edited := strings.Replace(doc, "conflicts: newest_wins", "conflicts: sheet_wins", 1)
	var d WorkflowDetail
	r = f.do(ana, "PUT", path, WorkflowDocument{Document: edited, Version: 1})
	r.want(t, 200, "")
	r.decode(t, &d)
	if d.Version != 2 || d.Document != edited || len(d.Versions) != 2 || d.Versions[0].Version != 2 {
		t.Errorf("after the edit: version %d, versions %+v", d.Version, d.Versions)
	}
	f.do(ana, "PUT", path, WorkflowDocument{Document: doc, Version: 1}).want(t, 409, CodeConflict)
	f.do(ana, "PUT", path, WorkflowDocument{Document: strings.Replace(edited, "name: ana-leads", "name: other", 1)}).want(t, 422, CodeWorkflowRenamed)
	f.do(ana, "PUT", path, WorkflowDocument{Document: bad}).want(t, 422, CodeWorkflowInvalid)
	f.do(bob, "PUT", path, WorkflowDocument{Document: edited}).want(t, 403, "access.not_owner")
	if got := f.column(`SELECT action FROM audit_log WHERE subject = 'workflow ` + itoa(wf.ID) + `' ORDER BY id`); !slices.Equal(got, []string{"workflow.create", "workflow.edit"}) {
		t.Errorf("audit %v", got)
	}
}

func TestWorkflowRunsArePaged(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	_, ana := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	wf := f.create(ana, leads("ana-leads", "ana"))
	ctx := context.Background()
	for i := range 3 {
		run, err := f.db.Runs().Start(ctx, wf.ID, store.Inbound)
		if err != nil {
			t.Fatal(err)
		}
		var runErr error
		if i == 2 {
			runErr = fmt.Errorf("INVALID_SESSION_ID: session expired")
		}
		if _, err := f.db.Runs().Finish(ctx, run.ID, store.RunCounts{Read: int64(i + 1), Inserted: int64(i)}, runErr); err != nil {
			t.Fatal(err)
		}
	}
	page := func(q string) RunList {
		t.Helper()
		var l RunList
		r := f.do(ana, "GET", "/api/v1/workflows/"+itoa(wf.ID)+"/runs"+q, nil)
		r.want(t, 200, "")
		r.decode(t, &l)
		return l
	}
	first := page("?limit=2")
	if len(first.Runs) != 2 || first.Runs[0].Status != "failed" || !strings.Contains(first.Runs[0].Error, "session expired") ||
		first.Runs[1].Read != 2 || first.Next != first.Runs[1].ID {
		t.Fatalf("first page %+v", first)
	}
	second := page(fmt.Sprintf("?limit=2&before=%d", first.Next))
	if len(second.Runs) != 1 || second.Runs[0].Read != 1 || second.Next != 0 {
		t.Errorf("second page %+v", second)
	}
	f.do(ana, "GET", "/api/v1/workflows/"+itoa(wf.ID)+"/runs?limit=0", nil).want(t, 400, CodeInvalidInput)
}

func TestWorkflowDryRunAndObjects(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	_, ana := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	_, bob := f.person("bob", "", access.ConnectorUser)
	var rep DryRunReport
	r := f.do(ana, "POST", "/api/v1/workflows/dry-run", WorkflowDocument{Document: leads("ana-leads", "ana")})
	r.want(t, 200, "")
	r.decode(t, &rep)
	hot, err := f.emu.Connect(t, sfemutest.Admin).Count(context.Background(), "SELECT COUNT() FROM Lead WHERE Rating = 'Hot'")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || rep.DryRun == nil || rep.DryRun.Inbound.Matching != hot || rep.DryRun.Outbound == nil || rep.DryRun.Summary == "" {
		t.Fatalf("dry run %+v, want %d matching", rep, hot)
	}
	r = f.do(ana, "POST", "/api/v1/workflows/dry-run", WorkflowDocument{Document: strings.Replace(leads("x", "ana"), "Lead", "Leed", 1)})
	r.want(t, 200, "")
	rep = DryRunReport{}
	r.decode(t, &rep)
	if rep.Valid || rep.DryRun != nil || len(rep.Problems) != 1 || rep.Problems[0].Code != "workflow.unknown_object" {
		t.Errorf("dry run of an invalid document %+v", rep)
	}
	if n := f.column(`SELECT name FROM workflows`); len(n) != 0 {
		t.Errorf("a dry run stored workflows: %v", n)
	}

	org := itoa(f.org.ID)
	var objs ObjectList
	r = f.do(ana, "GET", "/api/v1/orgs/"+org+"/objects", nil)
	r.want(t, 200, "")
	r.decode(t, &objs)
	if !slices.ContainsFunc(objs.Objects, func(o ObjectSummary) bool { return o.Name == "Lead" && o.Createable }) {
		t.Errorf("objects %+v lack Lead", objs.Objects)
	}
	var lead ObjectInfo
	r = f.do(ana, "GET", "/api/v1/orgs/"+org+"/objects/Lead", nil)
	r.want(t, 200, "")
	r.decode(t, &lead)
	field := func(name string) FieldInfo {
		i := slices.IndexFunc(lead.Fields, func(fi FieldInfo) bool { return fi.Name == name })
		if i < 0 {
			t.Fatalf("Lead has no field %s", name)
		}
		return lead.Fields[i]
	}
	if f := field("LastName"); !f.RequiredOnCreate || !f.Createable || f.Type != "string" {
		t.Errorf("LastName %+v", f)
	}
	if f := field("Email"); f.RequiredOnCreate {
		t.Errorf("Email %+v is not required", f)
	}
	if f := field("Rating"); !slices.Contains(f.Picklist, "Hot") {
		t.Errorf("Rating %+v lacks the Hot value", f)
	}
	if f := field("Id"); f.Createable || f.RequiredOnCreate {
		t.Errorf("Id %+v", f)
	}
	f.do(ana, "GET", "/api/v1/orgs/"+org+"/objects/Nope__c", nil).want(t, 404, CodeNotFound)
	f.do(ana, "GET", "/api/v1/orgs/999/objects", nil).want(t, 404, CodeNotFound)
	f.do(bob, "GET", "/api/v1/orgs/"+org+"/objects", nil).want(t, 409, CodeNotConnected)
	_, nobody := f.person("nobody", sfemutest.Admin)
	for _, path := range []string{"/api/v1/orgs/" + org + "/objects", "/api/v1/orgs/" + org + "/objects/Lead"} {
		f.do(nobody, "GET", path, nil).want(t, 403, "access.no_role")
	}
	for _, path := range []string{"/api/v1/workflows/validate", "/api/v1/workflows/dry-run"} {
		f.do(nobody, "POST", path, WorkflowDocument{Document: leads("x", "nobody")}).want(t, 403, "access.no_role")
	}

	var orgs OrgChoices
	r = f.do(bob, "GET", "/api/v1/me/orgs", nil)
	r.want(t, 200, "")
	r.decode(t, &orgs)
	if len(orgs.Orgs) != 1 || orgs.Orgs[0].Name != "demo" || orgs.Orgs[0].Connected {
		t.Errorf("orgs %+v", orgs)
	}
}

func TestStoreStats(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	ana, anaC := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	ctx := context.Background()
	now := time.Now().UTC()
	stats := NewStats(f.db, func() time.Time { return now })
	wf := f.create(anaC, leads("ana-leads", "ana"))
	if err := f.db.Orgs().RecordAPIUsage(ctx, f.org.ID, 120, 15000); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Workflows().SetState(ctx, wf.ID, store.WorkflowState{SyncedTo: now.Add(-90 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	finish := func(dir store.Direction, c store.RunCounts, runErr error) {
		t.Helper()
		run, err := f.db.Runs().Start(ctx, wf.ID, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Runs().Finish(ctx, run.ID, c, runErr); err != nil {
			t.Fatal(err)
		}
	}
	finish(store.Inbound, store.RunCounts{Inserted: 5, Updated: 2, APICalls: 3}, nil)
	finish(store.Outbound, store.RunCounts{Inserted: 1, Failed: 2, APICalls: 1}, nil)
	_ = ana

	want := func(in, out, errs, calls uint64) {
		t.Helper()
		st, err := stats.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Orgs) != 1 || len(st.Workflows) != 1 {
			t.Fatalf("stats %+v", st)
		}
		o, w := st.Orgs[0], st.Workflows[0]
		if o.Org != "demo" || o.APIUsed != 120 || o.APILimit != 15000 || o.APICalls != calls {
			t.Errorf("org stats %+v, want %d calls", o, calls)
		}
		if w.Workflow != "ana-leads" || w.Org != "demo" || w.Lag != 90*time.Second || w.RowsIn != in || w.RowsOut != out || w.Errors != errs {
			t.Errorf("workflow stats %+v, want in %d out %d errors %d", w, in, out, errs)
		}
	}
	want(7, 1, 2, 4)
	want(7, 1, 2, 4) // a second scrape counts nothing twice
	finish(store.Inbound, store.RunCounts{Updated: 1, APICalls: 1}, fmt.Errorf("UNABLE_TO_LOCK_ROW"))
	want(8, 1, 3, 5)
}

func TestWorkflowRoutesWithoutRecipes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, ana := f.user("ana", access.ConnectorUser)
	f.do(ana, "GET", "/api/v1/workflows", nil).want(t, 503, CodeUnavailable)
	f.do(ana, "POST", "/api/v1/workflows/validate", WorkflowDocument{Document: "x"}).want(t, 503, CodeUnavailable)
	f.do(ana, "GET", "/api/v1/orgs/1/objects", nil).want(t, 503, CodeUnavailable)
}

func TestRunNeedsAScheduler(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	f.api.opts.Runner = nil
	_, ana := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	wf := f.create(ana, leads("ana-leads", "ana"))
	f.do(ana, "POST", "/api/v1/workflows/"+itoa(wf.ID)+"/run", nil).want(t, 503, CodeUnavailable)
}

// TestWorkflowsUnderTheRestrictedList: with the list on, only connector
// users on it create, edit, enable and run; admins still see and disable.
func TestWorkflowsUnderTheRestrictedList(t *testing.T) {
	t.Parallel()
	f := setupWF(t)
	_, root := f.person("root", sfemutest.Admin, access.SystemAdmin)
	_, ana := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	_, bob := f.person("bob", sfemutest.User, access.ConnectorUser)
	wf := f.create(ana, leads("ana-leads", "ana"))
	on := true
	f.do(root, "PUT", "/api/v1/access/restricted", RestrictedToggle{On: &on}).want(t, 200, "")
	id := itoa(wf.ID)
	for _, tc := range []struct {
		name, method, path string
		who                caller
		body               any
		status             int
		code               Code
	}{
		{"a connector user off the list may not create", "POST", "/api/v1/workflows", bob, WorkflowDocument{Document: leads("bob-leads", "bob")}, 403, "access.restricted_list"},
		{"an admin without the connector user role may not create", "POST", "/api/v1/workflows", root, WorkflowDocument{Document: leads("root-leads", "root")}, 403, "access.connector_user_required"},
		{"the owner, on the list since they own a workflow, runs it", "POST", "/api/v1/workflows/" + id + "/run", ana, nil, 200, ""},
		{"an admin still disables it", "POST", "/api/v1/workflows/" + id + "/disable", root, nil, 200, ""},
		{"the owner enables it again", "POST", "/api/v1/workflows/" + id + "/enable", ana, nil, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.do(tc.who, tc.method, tc.path, tc.body).want(t, tc.status, tc.code)
		})
	}
	// Taken off the list, the owner's workflow is disabled, and they may no
	// longer enable it.
	f.do(root, "DELETE", "/api/v1/access/restricted/members/"+itoa(wf.OwnerID), nil).want(t, 200, "")
	var d WorkflowDetail
	r := f.do(ana, "GET", "/api/v1/workflows/"+id, nil)
	r.want(t, 200, "")
	r.decode(t, &d)
	if d.Enabled || d.Can.Enable || d.Can.Run || !d.Can.Disable {
		t.Errorf("after removal from the list: enabled %v, rights %+v", d.Enabled, d.Can)
	}
	f.do(ana, "POST", "/api/v1/workflows/"+id+"/enable", nil).want(t, 403, "access.restricted_list")
}

// TestOrgChangesReschedule checks that an org registered in the console, or
// given a new polling frequency, is (re)scheduled at once: without it, the
// org would wait for the server's next start to be polled.
func TestOrgChangesReschedule(t *testing.T) {
	f := setupWF(t)
	_, admin := f.person("root@example.com", "", access.SystemAdmin)
	o := f.registerOrg(admin, RegisterOrgRequest{Name: "Beta", Login: "sandbox", ClientID: "k"})
	f.do(admin, "PUT", "/api/v1/orgs/"+itoa(o.ID)+"/polling", PollingRequest{PollSeconds: 600}).want(t, 200, "")
	f.runner.mu.Lock()
	defer f.runner.mu.Unlock()
	if want := []int64{o.ID, o.ID}; !slices.Equal(f.runner.rescheduled, want) {
		t.Fatalf("rescheduled orgs %v, want %v (once when registered, once when its polling changed)", f.runner.rescheduled, want)
	}
}
