package web

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// wfConsole is the console over an API whose workflows live in the
// emulator's demo org, registered as "demo"; people are linked to
// Salesforce users in the test.
type wfConsole struct {
	*fixture
	emu     *sfemutest.Org
	org     store.Org
	runs    chan int64 // the workflows asked to run
	mu      sync.Mutex
	clients map[int64]*salesforce.Client
}

// runQueue is an api.Runner that reports the runs asked; a run asked while
// another waits in the queue is "already queued".
type runQueue chan int64

func (r runQueue) RunNow(_ context.Context, id int64) (bool, error) {
	queued := len(r) == 0
	r <- id
	return queued, nil
}

func (r runQueue) Reschedule(context.Context, int64) error { return nil }

func setupWF(t testing.TB) *wfConsole {
	t.Helper()
	w := &wfConsole{emu: sfemutest.Start(t, sfemu.Options{Seed: "demo"}), runs: make(chan int64, 10), clients: map[int64]*salesforce.Client{}}
	f := &fixture{t: t, db: testDB(t), now: time.Now().UTC().Truncate(time.Second)}
	f.store = api.NewStore(f.db)
	rc := &recipe.Recipes{Store: f.db, Client: func(_ context.Context, _ store.Org, u store.User) (*salesforce.Client, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if c, ok := w.clients[u.ID]; ok {
			return c, nil
		}
		return nil, fmt.Errorf("user %s: %w", u.Login, store.ErrNotFound)
	}}
	apiSrv, err := api.New(api.Options{Store: f.store, Password: cheapPasswords, Now: f.clock, Logger: slog.New(slog.DiscardHandler),
		Recipes: rc, Runner: runQueue(w.runs), Sheets: f.db})
	if err != nil {
		t.Fatal(err)
	}
	if f.handler, err = New(Options{API: apiSrv, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	w.fixture = f
	if w.org, err = f.db.Orgs().Create(context.Background(), store.Org{Name: "demo", LoginURL: w.emu.URL, ClientID: "test"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// person creates a person with roles, linked to the Salesforce user sfUser
// ("" for none).
func (w *wfConsole) person(login, sfUser string, roles ...access.Role) api.User {
	w.t.Helper()
	u := w.user(login, roles...)
	if sfUser != "" {
		cl := w.emu.Connect(w.t, sfUser)
		w.mu.Lock()
		w.clients[u.ID] = cl
		w.mu.Unlock()
	}
	return u
}

// twoWayLeads is a two-way Lead workflow owned by owner.
func twoWayLeads(name, owner string) string {
	return fmt.Sprintf(`version: 1
name: %s
org: demo
owner: %s
enabled: true
object: Lead
sheet: %s
direction: both
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Company, column: company }
outbound:
  operation: create
`, name, owner, strings.ReplaceAll(name, "-", "_"))
}

// workflow stores a workflow as its owner would, through the API, and
// returns its id.
func (w *wfConsole) workflow(ownerLogin, doc string) int64 {
	w.t.Helper()
	owner, err := w.db.Users().ByLogin(context.Background(), ownerLogin)
	if err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	client := w.clients[owner.ID]
	w.mu.Unlock()
	rc := &recipe.Recipes{Store: w.db, Client: func(context.Context, store.Org, store.User) (*salesforce.Client, error) { return client, nil }}
	c, ve, err := rc.Check(context.Background(), "test", []byte(doc))
	if err != nil || ve != nil {
		w.t.Fatalf("checking the test workflow: %v %v", ve, err)
	}
	applied, err := rc.Apply(context.Background(), c, recipe.Change{ActorID: owner.ID, Via: "test"})
	if err != nil {
		w.t.Fatal(err)
	}
	return applied.Workflow.ID
}

// people creates the people of the workflow tests, and ana's workflow.
func (w *wfConsole) people() int64 {
	w.t.Helper()
	w.person("root@example.com", sfemutest.Admin, access.SystemAdmin)
	w.person("ana@example.com", sfemutest.Admin, access.ConnectorUser)
	w.person("bob@example.com", sfemutest.User, access.ConnectorUser)
	return w.workflow("ana@example.com", twoWayLeads("ana-leads", "ana@example.com"))
}

func TestWorkflowPagesGolden(t *testing.T) {
	for _, tc := range []struct{ name, lang, login, path string }{
		{"workflows-admin-en", "en", "root@example.com", "/workflows"},
		{"workflows-owner-fr", "fr", "ana@example.com", "/workflows"},
		{"workflows-other-user-en", "en", "bob@example.com", "/workflows"},
		{"workflows-detail-owner-en", "en", "ana@example.com", "/workflows/{id}"},
		{"workflows-detail-admin-fr", "fr", "root@example.com", "/workflows/{id}"},
		{"workflows-new-fr", "fr", "ana@example.com", "/workflows/new?object=Lead"},
		{"workflows-new-pick-en", "en", "bob@example.com", "/workflows/new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := setupWF(t)
			id := w.people()
			b := w.signedIn(tc.login)
			b.header.Set("Accept-Language", tc.lang)
			r := b.get(strings.Replace(tc.path, "{id}", fmt.Sprint(id), 1))
			if r.status != http.StatusOK {
				t.Fatalf("%s: status %d\n%s", tc.path, r.status, r.body)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), r.body)
		})
	}
}

// workflowButtons returns the data-action of every workflow button on a page.
func workflowButtons(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-action="([a-z]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestWorkflowPagesFollowTheMatrix(t *testing.T) {
	t.Parallel()
	w := setupWF(t)
	id := w.people()
	page := fmt.Sprintf("/workflows/%d", id)

	bob := w.signedIn("bob@example.com")
	r := bob.get("/workflows")
	r.lacks(t, "ana-leads")
	if r = bob.get(page); r.status != http.StatusForbidden {
		t.Errorf("another connector user opened %s: %d", page, r.status)
	}
	if r = bob.post(page+"/disable", url.Values{"back": {"/workflows"}}); r.status != http.StatusForbidden {
		t.Errorf("another connector user disabled it: %d", r.status)
	}

	root := w.signedIn("root@example.com")
	r = root.get("/workflows")
	r.has(t, "ana-leads", `href="/sheets/ana_leads"`)
	if got := fmt.Sprint(workflowButtons(r.body)); got != "[disable]" {
		t.Errorf("an admin sees the buttons %s on another's enabled workflow, want [disable]", got)
	}
	r = root.post(page+"/disable", url.Values{"back": {"/workflows"}})
	if r.status != http.StatusOK || r.path != "/workflows?done=workflow_disabled" {
		t.Fatalf("disabling as an admin ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "The workflow is disabled")
	if got := fmt.Sprint(workflowButtons(r.body)); got != "[]" {
		t.Errorf("an admin sees the buttons %s on another's disabled workflow, want none", got)
	}
	if r = root.post(page+"/enable", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("an admin enabled another's workflow: %d", r.status)
	}

	ana := w.signedIn("ana@example.com")
	r = ana.get(page)
	if got := fmt.Sprint(workflowButtons(r.body)); got != "[enable]" {
		t.Errorf("the owner sees %s on their disabled workflow, want [enable]", got)
	}
	r = ana.post(page+"/enable", url.Values{"back": {page}})
	if r.path != page+"?done=workflow_enabled" {
		t.Fatalf("enabling ended at %s (%d)", r.path, r.status)
	}
	if got := fmt.Sprint(workflowButtons(r.body)); got != "[run disable]" {
		t.Errorf("the owner sees %s on their enabled workflow, want [run disable]", got)
	}
	ana.post(page+"/run", url.Values{"back": {page}}).has(t, "The workflow is queued")
	ana.post(page+"/run", url.Values{"back": {page}}).has(t, "The workflow is already queued or running")
	for range 2 {
		if got := <-w.runs; got != id {
			t.Errorf("ran workflow %d, want %d", got, id)
		}
	}
	if r := ana.post(page+"/explode", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("an unknown change answered %d", r.status)
	}

	// The YAML export is the stored document.
	r = ana.get(page + "/yaml")
	if r.body != twoWayLeads("ana-leads", "ana@example.com") || !strings.HasPrefix(r.header.Get("Content-Type"), "application/yaml") {
		t.Errorf("export %q (%s)", r.body, r.header.Get("Content-Type"))
	}
}

func TestWorkflowBuilderForms(t *testing.T) {
	t.Parallel()
	w := setupWF(t)
	w.people()
	ana := w.signedIn("ana@example.com")
	org := fmt.Sprint(w.org.ID)

	// The first view of an object proposes the fields Salesforce requires
	// on create.
	r := ana.get("/workflows/new?org=" + org + "&object=Lead")
	for _, f := range []string{"LastName", "Company"} {
		if !regexp.MustCompile(`name="map" value="` + f + `" id="m-` + f + `" checked`).MatchString(r.body) {
			t.Errorf("the builder does not propose %s", f)
		}
	}
	form := url.Values{"org": {org}, "object": {"Lead"}, "name": {"web-leads"}, "direction": {"outbound"},
		"operation": {"create"}, "conflicts": {"salesforce_wins"}, "map": {"Email", "Company"},
		"col.Email": {"email"}, "tr.Email": {"lower"}, "col.Company": {"company"},
		"cond_field": {"", "", ""}, "cond_op": {"=", "=", "="}, "cond_value": {"", "", ""}}

	// LastName is required and not mapped: flagged, and every problem is
	// shown at its line.
	form.Set("action", "validate")
	r = ana.post("/workflows/new", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("validating an incomplete workflow answered %d", r.status)
	}
	r.has(t, `data-field="LastName" data-required="true" class="wf-required-missing"`, "workflow.required_field_unmapped", `transform: [lower]`)

	// Both ways, with a condition: valid, then a dry run, then saved.
	form.Set("direction", "both")
	form["map"] = []string{"LastName", "Company", "Email"}
	form["cond_field"] = []string{"Rating", "", ""}
	form["cond_value"] = []string{"Hot", "", ""}
	r = ana.post("/workflows/new", form)
	// lower has no inverse: the field may only flow one way.
	r.has(t, "fields[2].transform[0]", "workflow.one_way_transform")
	form.Set("dir.Email", "outbound")
	r = ana.post("/workflows/new", form)
	r.has(t, "No problem found", "direction: both", `- { field: Rating, op: &#34;=&#34;, value: &#34;Hot&#34; }`, "direction: outbound, transform: [lower]")
	form.Set("action", "dryrun")
	r = ana.post("/workflows/new", form)
	r.has(t, "Lead records match and would be synced into sheet", "data-testid=\"dry-run\"")
	form.Set("action", "save")
	r = ana.post("/workflows/new", form)
	if !regexp.MustCompile(`^/workflows/\d+\?done=workflow_created$`).MatchString(r.path) {
		t.Fatalf("saving ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "web-leads", "The workflow is saved.")
	page := strings.TrimSuffix(r.path, "?done=workflow_created")

	// The second door: the YAML edited and saved as a new version; a
	// broken one is refused with its problems.
	doc := regexp.MustCompile(`(?s)<textarea id="f-document" name="document"[^>]*>(.*?)</textarea>`).FindStringSubmatch(r.body)
	if doc == nil {
		t.Fatalf("%s shows no document", page)
	}
	edited := strings.Replace(html.UnescapeString(doc[1]), "conflicts: salesforce_wins", "conflicts: newest_wins", 1)
	r = ana.post(page, url.Values{"document": {edited}, "version": {"1"}, "action": {"save"}})
	if r.path != page+"?done=workflow_saved" {
		t.Fatalf("saving a new version ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "conflicts: newest_wins")
	r = ana.post(page, url.Values{"document": {strings.Replace(edited, "LastName", "LastNme", 1)}, "version": {"2"}, "action": {"save"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("a broken document answered %d", r.status)
	}
	r.has(t, "LastNme", `did you mean &#34;LastName&#34;?`)

	// Someone else's document is not saved through the builder either.
	r = ana.post("/workflows/new", url.Values{"action": {"yaml_save"}, "document": {twoWayLeads("bob-leads", "bob@example.com")}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("saving a document owned by someone else answered %d", r.status)
	}
}

// TestWorkflowEditPagesGolden pins the builder opened on a stored
// workflow, and the workflow page a document the builder cannot show
// opens instead.
func TestWorkflowEditPagesGolden(t *testing.T) {
	for _, tc := range []struct{ name, lang, doc string }{
		{"workflows-edit-owner-en", "en", ""},
		{"workflows-edit-not-buildable-fr", "fr", strings.Replace(twoWayLeads("scheduled", "ana@example.com"),
			"fields:", "schedule: { poll_every: 5m }\nfields:\n  - { salesforce: Owner.Name, column: owner, direction: inbound }", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := setupWF(t)
			id := w.people()
			if tc.doc != "" {
				id = w.workflow("ana@example.com", tc.doc)
			}
			b := w.signedIn("ana@example.com")
			b.header.Set("Accept-Language", tc.lang)
			r := b.get(fmt.Sprintf("/workflows/%d/builder", id))
			if r.status != http.StatusOK {
				t.Fatalf("status %d\n%s", r.status, r.body)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), r.body)
		})
	}
}

// builderForm is the builder's form as a browser posts it, unchanged,
// from a page the builder rendered: the named inputs and the checked
// boxes, selected options and radios.
func builderForm(t *testing.T, body string) url.Values {
	t.Helper()
	m := regexp.MustCompile(`(?s)<form method="post" action="[^"]*/builder" id="wf-builder".*?</form>`).FindString(body)
	if m == "" {
		t.Fatalf("no builder form in\n%s", body)
	}
	form := url.Values{}
	attr := func(tag, name string) (string, bool) {
		a := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if a == nil {
			return "", false
		}
		return html.UnescapeString(a[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input [^>]*>`).FindAllString(m, -1) {
		name, _ := attr(tag, "name")
		value, _ := attr(tag, "value")
		typ, _ := attr(tag, "type")
		if name == "" || ((typ == "checkbox" || typ == "radio") && !strings.Contains(tag, " checked")) {
			continue
		}
		form.Add(name, value)
	}
	for _, sel := range regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(m, -1) {
		opts := regexp.MustCompile(`<option value="([^"]*)"( selected)?`).FindAllStringSubmatch(sel[2], -1)
		value := opts[0][1]
		for _, o := range opts {
			if o[2] != "" {
				value = o[1]
			}
		}
		form.Add(html.UnescapeString(sel[1]), html.UnescapeString(value))
	}
	return form
}

func TestWorkflowEditInBuilder(t *testing.T) {
	t.Parallel()
	w := setupWF(t)
	anaLeads := w.people()
	ana := w.signedIn("ana@example.com")
	ctx := context.Background()

	// Only the owner sees the button and opens the builder on it.
	ana.get(fmt.Sprintf("/workflows/%d", anaLeads)).has(t, `data-testid="edit-in-builder"`)
	for _, login := range []string{"root@example.com", "bob@example.com"} {
		other := w.signedIn(login)
		if login == "root@example.com" {
			other.get(fmt.Sprintf("/workflows/%d", anaLeads)).lacks(t, "edit-in-builder")
		}
		if r := other.get(fmt.Sprintf("/workflows/%d/builder", anaLeads)); r.status != http.StatusForbidden {
			t.Errorf("%s opened ana's workflow in the builder: %d", login, r.status)
		}
		if r := other.post(fmt.Sprintf("/workflows/%d/builder", anaLeads), url.Values{"action": {"save"}}); r.status != http.StatusForbidden {
			t.Errorf("%s saved ana's workflow from the builder: %d", login, r.status)
		}
	}

	// A workflow the builder wrote, opened and saved as it is: nothing new
	// is stored.
	page := fmt.Sprintf("/workflows/%d/builder", anaLeads)
	r := ana.get(page)
	form := builderForm(t, r.body)
	form.Set("action", "save")
	r = ana.post(page, form)
	if r.path != fmt.Sprintf("/workflows/%d?done=workflow_saved", anaLeads) {
		t.Fatalf("saving from the builder ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	saved, err := w.db.Workflows().Get(ctx, anaLeads)
	if err != nil || saved.Version != 2 {
		t.Fatalf("the hand-written workflow saved from the builder: version %d, %v; want 2 (now in the builder's words)", saved.Version, err)
	}
	r = ana.get(page)
	form = builderForm(t, r.body)
	if got := form.Get("version"); got != "2" {
		t.Errorf("the builder opened version %q, want 2", got)
	}
	form.Set("action", "save")
	ana.post(page, form)
	if again, _ := w.db.Workflows().Get(ctx, anaLeads); again.Version != 2 || again.Document != saved.Document {
		t.Errorf("saving a builder-made workflow unchanged stored version %d:\n%s", again.Version, again.Document)
	}

	// A field added, checked, dry-run and saved: version 3, the stored
	// fields kept in their order with the new one after.
	form.Add("map", "Email")
	form.Set("dir.Email", "outbound")
	form.Set("tr.Email", "lower")
	form.Set("action", "validate")
	ana.post(page, form).has(t, "No problem found", "salesforce: Email, column: email, direction: outbound, transform: [lower]")
	form.Set("action", "dryrun")
	ana.post(page, form).has(t, `data-testid="dry-run"`)
	form.Set("action", "save")
	r = ana.post(page, form)
	if r.path != fmt.Sprintf("/workflows/%d?done=workflow_saved", anaLeads) {
		t.Fatalf("saving the edit ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	edited, err := w.db.Workflows().Get(ctx, anaLeads)
	if err != nil || edited.Version != 3 || !regexp.MustCompile(`(?s)last_name.*company.*email`).MatchString(edited.Document) {
		t.Fatalf("after the edit: version %d, %v:\n%s", edited.Version, err, edited.Document)
	}

	// The same form again, from version 2: someone saved since.
	r = ana.post(page, form)
	if r.status != http.StatusConflict {
		t.Errorf("saving from a stale version answered %d", r.status)
	}
	if now, _ := w.db.Workflows().Get(ctx, anaLeads); now.Version != 3 {
		t.Errorf("a stale save stored version %d", now.Version)
	}

	// A document in another order than the object's keeps its order.
	swapped := w.workflow("ana@example.com", strings.Replace(twoWayLeads("swapped", "ana@example.com"),
		"  - { salesforce: LastName, column: last_name }\n  - { salesforce: Company, column: company }",
		"  - { salesforce: Company, column: company }\n  - { salesforce: LastName, column: last_name }", 1))
	spage := fmt.Sprintf("/workflows/%d/builder", swapped)
	form = builderForm(t, ana.get(spage).body)
	form.Set("action", "save")
	ana.post(spage, form)
	if wf, _ := w.db.Workflows().Get(ctx, swapped); !regexp.MustCompile(`(?s)Company.*LastName`).MatchString(wf.Document) {
		t.Errorf("the builder reordered the fields:\n%s", wf.Document)
	}

	// What the builder cannot show opens as YAML, saying why.
	for _, tc := range []struct{ name, from, to, want string }{
		{"commented", "object: Lead", "object: Lead # the leads", "comments (the first at line 6), which the builder would drop"},
		{"described", "object: Lead", "description: hot ones\nobject: Lead", "description, which the builder has no control for"},
		{"relationship", "fields:", "fields:\n  - { salesforce: Owner.Name, column: owner, direction: inbound }", "field Owner.Name, which is not in the builder"},
	} {
		doc := strings.Replace(twoWayLeads(tc.name, "ana@example.com"), tc.from, tc.to, 1)
		id := w.workflow("ana@example.com", doc)
		r := ana.get(fmt.Sprintf("/workflows/%d/builder", id))
		if r.status != http.StatusOK || strings.Contains(r.body, `id="wf-builder"`) {
			t.Errorf("%s: answered %d with the builder", tc.name, r.status)
		}
		r.has(t, `data-testid="not-buildable"`, html.EscapeString(tc.want), "autofocus>"+html.EscapeString(doc))
	}
}
