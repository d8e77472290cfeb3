package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

func TestRestrictedList(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, admin := f.user("admin", access.ConnectorAdmin)
	owner, ownerSession := f.user("owner", access.ConnectorUser)
	other, otherSession := f.user("other", access.ConnectorUser)
	w1, w2 := addWorkflow(t, f.db, owner.ID, true), addWorkflow(t, f.db, owner.ID, true)
	w3 := addWorkflow(t, f.db, owner.ID, false)

	// Members are edited only while the list is on.
	f.do(admin, "PUT", "/api/v1/access/restricted/members/"+itoa(other.ID), nil).want(t, 409, CodeRestrictedOff)
	f.do(admin, "PUT", "/api/v1/access/restricted", `{}`).want(t, 400, CodeInvalidInput)

	// Turning it on adds everyone who owns workflows.
	var list RestrictedList
	f.do(admin, "PUT", "/api/v1/access/restricted", RestrictedToggle{On: new(true)}).decode(t, &list)
	if !list.On || !cmp.Equal(list.Added, []int64{owner.ID}) || len(list.Members) != 1 || list.Members[0].ID != owner.ID {
		t.Fatalf("list after turning on = %+v", list)
	}
	var me Me
	f.do(otherSession, "GET", "/api/v1/me", nil).decode(t, &me)
	if !me.RestrictedListOn || me.OnRestrictedList || me.CanCreateWorkflows {
		t.Errorf("other's me = %+v: off the list, may not create workflows", me)
	}

	f.do(admin, "PUT", "/api/v1/access/restricted/members/999", nil).want(t, 404, CodeNotFound)
	f.do(admin, "PUT", "/api/v1/access/restricted/members/"+itoa(other.ID), nil).want(t, 204, "")
	f.do(otherSession, "GET", "/api/v1/me", nil).decode(t, &me)
	if !me.OnRestrictedList || !me.CanCreateWorkflows {
		t.Errorf("other's me = %+v: on the list, may create workflows", me)
	}
	list = RestrictedList{}
	f.do(admin, "GET", "/api/v1/access/restricted", nil).decode(t, &list)
	if len(list.Members) != 2 || list.Added != nil {
		t.Errorf("list = %+v", list)
	}

	// Removing someone disables their workflows at once, and says so in the
	// audit log.
	auditBefore := len(auditLog(t, f.db))
	var removed RemovedMember
	r := f.do(admin, "DELETE", "/api/v1/access/restricted/members/"+itoa(owner.ID), nil)
	r.want(t, 200, "")
	r.decode(t, &removed)
	if want := []int64{w1, w2}; !cmp.Equal(removed.DisabledWorkflows, want) {
		t.Errorf("disabled = %v, want %v", removed.DisabledWorkflows, want)
	}
	if workflowEnabled(t, f.db, w1) || workflowEnabled(t, f.db, w2) || workflowEnabled(t, f.db, w3) {
		t.Error("workflows still enabled")
	}
	var actions []string
	for _, e := range auditLog(t, f.db)[auditBefore:] {
		actions = append(actions, e.Action+" "+e.Subject)
	}
	if want := []string{"restricted.remove user " + itoa(owner.ID), "workflow.disable workflow " + itoa(w1), "workflow.disable workflow " + itoa(w2)}; !cmp.Equal(actions, want) {
		t.Errorf("audit = %q, want %q", actions, want)
	}
	f.do(ownerSession, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.CanCreateWorkflows {
		t.Error("removed owner may still create workflows")
	}
	f.do(admin, "DELETE", "/api/v1/access/restricted/members/"+itoa(owner.ID), nil).want(t, 404, CodeNotFound)

	// Turning it off keeps the members.
	list = RestrictedList{}
	f.do(admin, "PUT", "/api/v1/access/restricted", RestrictedToggle{On: new(false)}).decode(t, &list)
	if list.On || len(list.Members) != 1 {
		t.Errorf("list after turning off = %+v", list)
	}
}

func TestSetRoles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root, rootSession := f.user("root", access.SystemAdmin)
	_, cadmin := f.user("cadmin", access.ConnectorAdmin)
	target, _ := f.user("target", access.ConnectorUser)
	path := "/api/v1/users/" + itoa(target.ID) + "/roles"

	tests := []struct {
		name   string
		c      caller
		path   string
		body   any
		status int
		code   Code
		field  string
	}{
		{"unknown role", rootSession, path, RolesRequest{Roles: []access.Role{"connector_user", "admin"}}, 400, CodeInvalidInput, "roles[1]"},
		{"roles missing", rootSession, path, `{}`, 400, CodeInvalidInput, "roles"},
		{"roles of the wrong type", rootSession, path, `{"roles":"connector_user"}`, 400, CodeInvalidInput, "roles"},
		{"unknown field", rootSession, path, `{"roles":[],"role":"x"}`, 400, CodeInvalidInput, "role"},
		{"not JSON", rootSession, path, `{"roles":`, 400, CodeInvalidInput, "body"},
		{"two values", rootSession, path, `{"roles":[]}{}`, 400, CodeInvalidInput, "body"},
		{"empty body", rootSession, path, ``, 400, CodeInvalidInput, "body"},
		{"body not an object", rootSession, path, `[]`, 400, CodeInvalidInput, "body"},
		{"body too large", rootSession, path, `{"roles":["` + strings.Repeat("x", maxBody) + `"]}`, 400, CodeInvalidInput, "body"},
		{"bad id", rootSession, "/api/v1/users/abc/roles", RolesRequest{Roles: []access.Role{}}, 400, CodeInvalidInput, "id"},
		{"zero id", rootSession, "/api/v1/users/0/roles", RolesRequest{Roles: []access.Role{}}, 400, CodeInvalidInput, "id"},
		{"unknown user", rootSession, "/api/v1/users/999/roles", RolesRequest{Roles: []access.Role{}}, 404, CodeNotFound, ""},
		{"connector admin may not add connector admin", cadmin, path, RolesRequest{Roles: []access.Role{"connector_user", "connector_admin"}}, 403, Code(access.ReasonNotSystemAdmin), ""},
		{"connector admin may not add system admin", cadmin, path, RolesRequest{Roles: []access.Role{"system_admin"}}, 403, Code(access.ReasonNotSystemAdmin), ""},
		{"unchanged roles need no right beyond the gate", cadmin, path, RolesRequest{Roles: []access.Role{"connector_user"}}, 200, "", ""},
		{"connector admin takes the user role", cadmin, path, RolesRequest{Roles: []access.Role{}}, 200, "", ""},
		{"last system admin keeps the role", rootSession, "/api/v1/users/" + itoa(root.ID) + "/roles", RolesRequest{Roles: []access.Role{"connector_user"}}, 409, CodeLastSystemAdmin, ""},
		{"system admin gives every role", rootSession, path, RolesRequest{Roles: []access.Role{"connector_user", "system_admin", "connector_admin", "connector_user"}}, 200, "", ""},
	}
	for _, tt := range tests {
		r := f.do(tt.c, "PUT", tt.path, tt.body)
		t.Run(tt.name, func(t *testing.T) {
			r.want(t, tt.status, tt.code)
			if tt.field != "" {
				if fields := r.errorBody(t).Details.Fields; len(fields) != 1 || fields[0].Field != tt.field {
					t.Errorf("fields = %+v, want %q", fields, tt.field)
				}
			}
		})
	}
	got, _ := f.store.User(context.Background(), target.ID)
	if got.Roles != access.RolesOf(access.AllRoles...) {
		t.Errorf("target roles = %s, want all three", got.Roles)
	}
	audit := auditLog(t, f.db)
	last := audit[len(audit)-1]
	if last.ActorID != root.ID || last.Detail != "roles none -> system_admin, connector_admin, connector_user" {
		t.Errorf("last audit entry = %+v", last)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, cadmin := f.user("cadmin", access.ConnectorAdmin)

	f.do(cadmin, "POST", "/api/v1/users", CreateUserRequest{Login: "bob", Password: testPassword, Roles: []access.Role{"connector_admin"}}).
		want(t, 403, Code(access.ReasonNotSystemAdmin))
	r := f.do(cadmin, "POST", "/api/v1/users", CreateUserRequest{Login: "bob", DisplayName: "Bob", Password: testPassword, Roles: []access.Role{"connector_user"}})
	r.want(t, 201, "")
	var u UserInfo
	r.decode(t, &u)
	if u.Login != "bob" || u.DisplayName != "Bob" || !cmp.Equal(u.Roles, []access.Role{access.ConnectorUser}) {
		t.Errorf("created %+v", u)
	}
	audit := auditLog(t, f.db)
	if last := audit[len(audit)-1]; last.Action != "user.create" || last.ActorID != 1 || last.Detail != "created with roles connector_user" {
		t.Errorf("last audit entry = %+v", last)
	}
	r = f.do(cadmin, "POST", "/api/v1/users", CreateUserRequest{Login: "BOB", Password: testPassword})
	r.want(t, 400, CodeInvalidInput)
	if fields := r.errorBody(t).Details.Fields; fields[0].Field != "login" {
		t.Errorf("fields = %+v", fields)
	}
	// bob signs in with the password given.
	f.do(anonymous, "POST", "/api/v1/session", LoginRequest{Login: "bob", Password: testPassword}).want(t, 200, "")
}

func TestNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.do(anonymous, "GET", "/api/v1/nope", nil).want(t, 404, CodeNotFound)
	f.do(anonymous, "GET", "/", nil).want(t, 404, CodeNotFound)
	r := f.do(anonymous, "PATCH", "/api/v1/me/tokens", nil)
	r.want(t, 405, CodeMethodNotAllowed)
	if got := r.Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow = %q, want GET, POST", got)
	}
}

func TestInternalErrorIsNotShown(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, ada := f.user("ada", access.SystemAdmin)
	// Break the database under the server: reading a user now fails.
	if err := f.db.Write(t.Context(), func(tx *store.Tx) error {
		_, err := tx.Exec(t.Context(), `DROP TABLE user_roles`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r := f.do(ada, "GET", "/api/v1/me", nil)
	r.want(t, 500, CodeInternal)
	if bytes.Contains(r.body, []byte("user_roles")) {
		t.Errorf("internal error leaked: %s", r.body)
	}
}

// endAfterRead ends the request (cancels its context) once the server has
// read the user or the users from the store, so that the request ends while
// it waits for a hash slot, not before; the store itself stays real.
type endAfterRead struct {
	Store
	cancel context.CancelFunc // nil: end nothing
}

func (e *endAfterRead) end() {
	if e.cancel != nil {
		e.cancel()
	}
}

func (e *endAfterRead) UserByLogin(ctx context.Context, login string) (User, error) {
	defer e.end()
	return e.Store.UserByLogin(ctx, login)
}

func (e *endAfterRead) Users(ctx context.Context) ([]User, error) {
	defer e.end()
	return e.Store.Users(ctx)
}

// TestErrorBodies pins the JSON of representative errors.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var out bytes.Buffer
	// On the empty store first: setup validates its input.
	r := f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "a b", Password: "pw"})
	fmt.Fprintf(&out, "POST /api/v1/setup -> %d\n%s\n", r.StatusCode, r.body)
	f.user("root", access.SystemAdmin) // setup ends once a system admin has a password
	_, user := f.user("user", access.ConnectorUser)
	for _, rq := range []struct {
		c            caller
		method, path string
		body         any
	}{
		{anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "a b", Password: "pw"}},
		{anonymous, "GET", "/api/v1/me", nil},
		{user, "GET", "/api/v1/users", nil},
		{user, "PUT", "/api/v1/users/1/roles", nil},
		{user, "POST", "/api/v1/me/tokens", `{"name": 3}`},
		{anonymous, "POST", "/api/v1/session", LoginRequest{Login: "user", Password: "nope"}},
		{user, "PUT", "/api/v1/access/restricted", nil},
		{anonymous, "DELETE", "/api/v1/openapi.json", nil},
	} {
		r := f.do(rq.c, rq.method, rq.path, rq.body)
		fmt.Fprintf(&out, "%s %s -> %d\n%s\n", rq.method, rq.path, r.StatusCode, r.body)
	}
	golden(t, "errors.golden", out.Bytes())
}

// TestCodeRegistry pins every error code and its HTTP status.
func TestCodeRegistry(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	for _, c := range Codes() {
		fmt.Fprintf(&out, "%-32s %d  %s\n", c, c.Status(), codes[c].about)
		if strings.HasPrefix(string(c), "access.") && c.Status() != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", c, c.Status())
		}
	}
	for _, r := range access.Reasons() {
		if _, ok := codes[Code(r)]; !ok {
			t.Errorf("access reason %s is not registered", r)
		}
	}
	if Code("nope").Status() != 500 {
		t.Error("an unregistered code is not a 500")
	}
	golden(t, "codes.golden", out.Bytes())
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	f := setup(t)
	doc, err := json.MarshalIndent(f.api.OpenAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "openapi.golden.json", append(doc, '\n'))

	r := f.do(anonymous, "GET", "/api/v1/openapi.json", nil)
	r.want(t, 200, "")
	var served, built map[string]any
	r.decode(t, &served)
	response{body: doc}.decode(t, &built)
	if !cmp.Equal(served, built) {
		t.Error("the served document differs from OpenAPI()")
	}
	paths := built["paths"].(map[string]any)
	for _, rt := range f.api.routes {
		op, ok := paths[rt.path].(map[string]any)[strings.ToLower(rt.method)].(map[string]any)
		if !ok {
			t.Errorf("%s is not in the document", rt.pattern())
			continue
		}
		if got, _ := op["x-sfbridge-action"].(string); got != string(rt.action) {
			t.Errorf("%s: x-sfbridge-action %q, want %q", rt.pattern(), got, rt.action)
		}
	}
}

// TestEveryRouteHasAnAccessRule checks the table: guarded routes name a
// known action, and the public ones are exactly those meant to be.
func TestEveryRouteHasAnAccessRule(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var public []string
	for _, rt := range f.api.routes {
		if rt.action == "" {
			public = append(public, rt.pattern())
		} else if !rt.action.Known() {
			t.Errorf("%s: action %q has no rule", rt.pattern(), rt.action)
		}
	}
	want := []string{"GET /api/v1/setup", "POST /api/v1/setup", "POST /api/v1/session", "GET /api/v1/openapi.json",
		"GET /healthz", "GET /readyz", "GET /metrics"}
	slices.Sort(public)
	slices.Sort(want)
	if !cmp.Equal(public, want) {
		t.Errorf("public routes = %q, want %q", public, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("guarded accepted an action without a rule")
		}
	}()
	guarded("GET", "/x", access.Action("x.unknown"), "", nil)
}

type fakeStats struct {
	st  Stats
	err error
}

func (s fakeStats) Stats(context.Context) (Stats, error) { return s.st, s.err }

func TestMetrics(t *testing.T) {
	t.Parallel()
	stats := fakeStats{st: Stats{
		Orgs:      []OrgStats{{Org: "acme", APICalls: 42, APIUsed: 1200, APILimit: 15000}},
		Workflows: []WorkflowStats{{Workflow: "accounts", Org: "acme", Lag: 90 * time.Second, RowsIn: 10, RowsOut: 3, Errors: 1, Conflicts: 2, OutboxDepth: 5}},
	}}
	f := setup(t, func(o *Options) { o.Stats = stats })
	f.do(anonymous, "GET", "/healthz", nil).want(t, 200, "")
	r := f.do(anonymous, "GET", "/metrics", nil)
	r.want(t, 200, "")
	for _, line := range []string{
		`sfbridge_stats_up 1`,
		`sfbridge_salesforce_api_calls_total{org="acme"} 42`,
		`sfbridge_salesforce_api_used{org="acme"} 1200`,
		`sfbridge_salesforce_api_limit{org="acme"} 15000`,
		`sfbridge_sync_lag_seconds{org="acme",workflow="accounts"} 90`,
		`sfbridge_rows_synced_total{direction="inbound",org="acme",workflow="accounts"} 10`,
		`sfbridge_rows_synced_total{direction="outbound",org="acme",workflow="accounts"} 3`,
		`sfbridge_sync_errors_total{org="acme",workflow="accounts"} 1`,
		`sfbridge_sync_conflicts_total{org="acme",workflow="accounts"} 2`,
		`sfbridge_outbox_depth{org="acme",workflow="accounts"} 5`,
		`sfbridge_http_requests_total{code="200",route="GET /healthz"} 1`,
	} {
		if !bytes.Contains(r.body, []byte(line+"\n")) {
			t.Errorf("/metrics lacks %q", line)
		}
	}

	failing := setup(t, func(o *Options) { o.Stats = fakeStats{err: errors.New("store down")} })
	r = failing.do(anonymous, "GET", "/metrics", nil)
	r.want(t, 200, "")
	if !bytes.Contains(r.body, []byte("sfbridge_stats_up 0\n")) {
		t.Error("a failing StatsSource does not show as sfbridge_stats_up 0")
	}
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	var storeErr error
	f := setup(t, func(o *Options) {
		o.Checks = []Check{
			{Name: "store", Check: func(context.Context) error { return storeErr }},
			{Name: "jobs", Check: func(context.Context) error { return nil }},
		}
	})
	var h Health
	f.do(anonymous, "GET", "/readyz", nil).decode(t, &h)
	if h.Status != "ok" || len(h.Checks) != 2 {
		t.Errorf("readyz = %+v", h)
	}
	storeErr = errors.New("database is locked")
	r := f.do(anonymous, "GET", "/readyz", nil)
	r.want(t, 503, CodeNotReady)
	if msg := r.errorBody(t).Message; msg != "Not ready: store: database is locked." {
		t.Errorf("message = %q", msg)
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// Password hashes beyond MaxConcurrentHashes wait for a slot; a request that
// ends while waiting computes nothing and answers busy.
func TestHashSlots(t *testing.T) {
	t.Parallel()
	ending := &endAfterRead{}
	f := setup(t, func(o *Options) {
		o.MaxConcurrentHashes = 1
		ending.Store = o.Store
		o.Store = ending
	})
	f.user("ada", access.SystemAdmin)
	f.api.hashSlots <- struct{}{} // another sign-in holds the only slot
	for _, rq := range []struct {
		path, body string
		status     int
		code       Code
	}{
		{"/api/v1/session", `{"login":"ada","password":"correct horse battery"}`, 503, CodeBusy},
		// Setup after setup is refused before any hashing.
		{"/api/v1/setup", `{"login":"eve","password":"correct horse battery"}`, 409, CodeSetupDone},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		ending.cancel = cancel
		req := httptest.NewRequestWithContext(ctx, "POST", rq.path, strings.NewReader(rq.body))
		w := httptest.NewRecorder()
		f.api.ServeHTTP(w, req)
		cancel()
		resp := w.Result()
		resp.Request = req
		response{Response: resp, body: w.Body.Bytes()}.want(t, rq.status, rq.code)
	}
	ending.cancel = nil
	<-f.api.hashSlots
	f.do(anonymous, "POST", "/api/v1/session", LoginRequest{Login: "ada", Password: testPassword}).want(t, 200, "")
	if n := len(f.api.hashSlots); n != 0 {
		t.Errorf("%d hash slots still held after the requests", n)
	}
}
