package api

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// cheapPasswords keeps tests fast; the hash format does not depend on costs.
var cheapPasswords = access.PasswordParams{Memory: 64, Time: 1, Threads: 1}

const testPassword = "correct horse battery"

// fixture is a server over a fresh SQLite database, served over TLS so that
// the Secure session cookie is real.
type fixture struct {
	t     *testing.T
	db    *store.Store
	store Store
	api   *Server
	srv   *httptest.Server
	mu    sync.Mutex
	now   time.Time
}

func setup(t *testing.T, opts ...func(*Options)) *fixture {
	t.Helper()
	db := testDB(t)
	f := &fixture{t: t, db: db, store: NewStore(db), now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	o := Options{Store: f.store, Password: cheapPasswords, Now: f.clock, SessionTTL: time.Hour,
		Logger: slog.New(slog.DiscardHandler)}
	for _, fn := range opts {
		fn(&o)
	}
	api, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.api = api
	f.srv = httptest.NewTLSServer(api)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// column returns the text values of the one column query selects, read
// straight from the database.
func (f *fixture) column(query string) []string {
	f.t.Helper()
	var values []string
	err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			values = append(values, v)
		}
		return rows.Err()
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return values
}

// caller is how a request authenticates: a session cookie, a bearer token,
// or nothing.
type caller struct {
	cookie string
	token  string
}

var anonymous = caller{}

// user creates a person with roles directly in the store and returns them
// with a signed-in session.
func (f *fixture) user(login string, roles ...access.Role) (User, caller) {
	f.t.Helper()
	hash, err := cheapPasswords.HashPassword(testPassword)
	if err != nil {
		f.t.Fatal(err)
	}
	u, err := f.store.CreateUser(context.Background(), NewUser{Login: login, DisplayName: login, PasswordHash: hash, Roles: access.RolesOf(roles...)},
		AuditEntry{Action: "test.user", Subject: "user " + login, At: f.clock()})
	if err != nil {
		f.t.Fatal(err)
	}
	secret, _ := access.NewSecret("")
	now := f.clock()
	if err := f.store.CreateSession(context.Background(), Session{Hash: access.HashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		f.t.Fatal(err)
	}
	return u, caller{cookie: secret}
}

// response is an answer, with its body read.
type response struct {
	*http.Response
	body []byte
}

// errorBody decodes the body as an Error.
func (r response) errorBody(t *testing.T) Error {
	t.Helper()
	var e Error
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("body %s is not an Error: %v", r.body, err)
	}
	return e
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// do sends a request; body is marshalled unless it is a string (sent as is).
// header adds headers ("Sec-Fetch-Site", "cross-site").
func (f *fixture) do(c caller, method, path string, body any, header ...string) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: c.cookie})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{resp, raw}
}

// want checks the status and, for an error, the code.
func (r response) want(t *testing.T, status int, code Code) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	if code != "" {
		if got := r.errorBody(t).Code; got != code {
			t.Fatalf("%s %s: code %q, want %q; body %s", r.Request.Method, r.Request.URL.Path, got, code, r.body)
		}
	}
}

func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %v", SessionCookie, r.Header["Set-Cookie"])
	return nil
}

func TestSetup(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var st SetupStatus
	f.do(anonymous, "GET", "/api/v1/setup", nil).decode(t, &st)
	if !st.Needed {
		t.Fatal("setup not needed on an empty store")
	}

	r := f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "", Password: "short"})
	r.want(t, 400, CodeInvalidInput)
	fields := r.errorBody(t).Details.Fields
	if len(fields) != 2 || fields[0].Field != "login" || fields[1].Field != "password" {
		t.Errorf("fields = %+v, want login and password", fields)
	}

	r = f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "ada@example.com", Password: testPassword})
	r.want(t, 201, "")
	var me Me
	r.decode(t, &me)
	if me.Login != "ada@example.com" || me.DisplayName != "ada@example.com" || !cmp.Equal(me.Roles, []access.Role{access.SystemAdmin}) {
		t.Errorf("me = %+v", me)
	}
	if me.AuthenticatedBy != "session" {
		t.Errorf("authenticated_by = %q, want session", me.AuthenticatedBy)
	}
	if audit := auditLog(t, f.db); len(audit) != 1 || audit[0].Action != "setup" || audit[0].ActorID != 0 {
		t.Errorf("audit = %+v, want one setup entry", audit)
	}
	ck := sessionCookie(t, r)
	if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/", ck)
	}
	f.do(caller{cookie: ck.Value}, "GET", "/api/v1/me", nil).want(t, 200, "")

	f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "eve@example.com", Password: testPassword}).
		want(t, 409, CodeSetupDone)
	f.do(anonymous, "GET", "/api/v1/setup", nil).decode(t, &st)
	if st.Needed {
		t.Error("setup still needed after it was done")
	}
}

// Two setups racing create one admin: CreateFirstUser is atomic.
func TestSetupRace(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = f.do(anonymous, "POST", "/api/v1/setup",
				SetupRequest{Login: "admin" + string(rune('a'+i)), Password: testPassword}).StatusCode
		})
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == 201 {
			created++
		}
	}
	if users, _ := f.store.Users(context.Background()); created != 1 || len(users) != 1 {
		t.Fatalf("%d setups succeeded, %d users exist; want 1 and 1 (statuses %v)", created, len(users), statuses)
	}
}

func TestLoginLogout(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.user("ada@example.com", access.ConnectorUser)

	for _, in := range []LoginRequest{
		{Login: "ada@example.com", Password: "wrong password!"},
		{Login: "nobody@example.com", Password: testPassword},
	} {
		f.do(anonymous, "POST", "/api/v1/session", in).want(t, 401, CodeInvalidCredentials)
	}
	r := f.do(anonymous, "POST", "/api/v1/session", LoginRequest{Login: " ADA@example.com ", Password: testPassword})
	r.want(t, 200, "")
	me := caller{cookie: sessionCookie(t, r).Value}
	var got Me
	f.do(me, "GET", "/api/v1/me", nil).decode(t, &got)
	if got.Login != "ada@example.com" || got.AuthenticatedBy != "session" || !got.CanCreateWorkflows {
		t.Errorf("me = %+v", got)
	}
	r = f.do(me, "DELETE", "/api/v1/session", nil)
	r.want(t, 204, "")
	if ck := sessionCookie(t, r); ck.MaxAge >= 0 {
		t.Errorf("logout cookie %+v does not clear the cookie", ck)
	}
	f.do(me, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, ada := f.user("ada", access.SystemAdmin)

	r := f.do(anonymous, "GET", "/api/v1/me", nil)
	r.want(t, 401, CodeAuthRequired)
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	for _, c := range []caller{
		{cookie: "not-a-session"},
		{token: "sfbp_unknown"},
		{token: "not-our-token-format"},
	} {
		f.do(c, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)
	}
	// A bad token is not rescued by a good cookie.
	f.do(caller{cookie: ada.cookie, token: "sfbp_unknown"}, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)

	f.do(ada, "GET", "/api/v1/me", nil).want(t, 200, "")
	f.advance(time.Hour)
	f.do(ada, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)
	if hashes := f.column("SELECT hash FROM sessions"); len(hashes) != 0 {
		t.Error("the expired session was not deleted")
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, ada := f.user("ada", access.SystemAdmin)
	var tok NewToken
	f.do(ada, "POST", "/api/v1/me/tokens", TokenRequest{Name: "cli"}).decode(t, &tok)
	on := RestrictedToggle{On: new(true)}

	tests := []struct {
		name   string
		c      caller
		method string
		path   string
		body   any
		header []string
		status int
		code   Code
	}{
		{"cookie, cross-site PUT", ada, "PUT", "/api/v1/access/restricted", on, []string{"Sec-Fetch-Site", "cross-site"}, 403, CodeCrossOrigin},
		{"cookie, foreign Origin", ada, "POST", "/api/v1/me/tokens", TokenRequest{Name: "x"}, []string{"Origin", "https://evil.example"}, 403, CodeCrossOrigin},
		{"cookie, cross-site DELETE", ada, "DELETE", "/api/v1/session", nil, []string{"Sec-Fetch-Site", "cross-site"}, 403, CodeCrossOrigin},
		{"login from another site", anonymous, "POST", "/api/v1/session", LoginRequest{Login: "ada", Password: testPassword}, []string{"Sec-Fetch-Site", "cross-site"}, 403, CodeCrossOrigin},
		{"cookie, cross-site GET is safe", ada, "GET", "/api/v1/me", nil, []string{"Sec-Fetch-Site", "cross-site"}, 200, ""},
		{"cookie, same-origin PUT", ada, "PUT", "/api/v1/access/restricted", on, []string{"Sec-Fetch-Site", "same-origin"}, 200, ""},
		{"token, cross-site PUT", caller{token: tok.Token}, "PUT", "/api/v1/access/restricted", on, []string{"Sec-Fetch-Site", "cross-site"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.do(tt.c, tt.method, tt.path, tt.body, tt.header...).want(t, tt.status, tt.code)
		})
	}
}

func TestTrustedOrigin(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *Options) { o.TrustedOrigins = []string{"https://console.example.com"} })
	_, ada := f.user("ada", access.SystemAdmin)
	f.do(ada, "POST", "/api/v1/me/tokens", TokenRequest{Name: "x"}, "Origin", "https://console.example.com", "Sec-Fetch-Site", "cross-site").
		want(t, 201, "")
	if _, err := New(Options{Store: NewStore(testDB(t)), TrustedOrigins: []string{"not an origin"}}); err == nil {
		t.Error("New accepted a malformed trusted origin")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ada, adaSession := f.user("ada", access.ConnectorAdmin)
	_, bob := f.user("bob", access.ConnectorUser)

	f.do(adaSession, "POST", "/api/v1/me/tokens", TokenRequest{Name: " ", ExpiresInDays: -1}).want(t, 400, CodeInvalidInput)
	r := f.do(adaSession, "POST", "/api/v1/me/tokens", TokenRequest{Name: "laptop", ExpiresInDays: 30})
	r.want(t, 201, "")
	var tok NewToken
	r.decode(t, &tok)
	if !strings.HasPrefix(tok.Token, access.TokenPrefix) || !strings.HasPrefix(tok.ID, "tok_") ||
		tok.Hint != "…"+tok.Token[len(tok.Token)-4:] || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(f.clock().AddDate(0, 0, 30)) {
		t.Fatalf("new token = %+v", tok)
	}
	for _, hash := range f.column("SELECT hash FROM api_tokens") {
		if hash != access.HashSecret(tok.Token) || strings.Contains(hash, tok.Token) {
			t.Fatal("the store holds something else than the secret's hash")
		}
	}

	r = f.do(adaSession, "GET", "/api/v1/me/tokens", nil)
	r.want(t, 200, "")
	if bytes.Contains(r.body, []byte(tok.Token)) || !bytes.Contains(r.body, []byte(tok.ID)) {
		t.Fatalf("token list %s: want the id, never the secret", r.body)
	}

	// The token acts as its owner, with the owner's current roles.
	adaToken := caller{token: tok.Token}
	var me Me
	f.do(adaToken, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.ID != ada.ID || me.AuthenticatedBy != "token" {
		t.Errorf("me by token = %+v", me)
	}
	f.do(adaToken, "GET", "/api/v1/users", nil).want(t, 200, "")
	if err := f.store.SetRoles(context.Background(), ada.ID, access.RolesOf(access.ConnectorUser), AuditEntry{Action: "test.roles"}); err != nil {
		t.Fatal(err)
	}
	f.do(adaToken, "GET", "/api/v1/users", nil).want(t, 403, Code(access.ReasonNotAdmin))

	// Nobody revokes another's token: it is not found among theirs.
	f.do(bob, "DELETE", "/api/v1/me/tokens/"+tok.ID, nil).want(t, 404, CodeNotFound)
	f.do(adaToken, "DELETE", "/api/v1/me/tokens/"+tok.ID, nil).want(t, 204, "")
	f.do(adaToken, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)
	f.do(adaSession, "DELETE", "/api/v1/me/tokens/"+tok.ID, nil).want(t, 404, CodeNotFound)

	// An expired token is refused.
	f.do(bob, "POST", "/api/v1/me/tokens", TokenRequest{Name: "ci", ExpiresInDays: 1}).decode(t, &tok)
	f.do(caller{token: tok.Token}, "GET", "/api/v1/me", nil).want(t, 200, "")
	f.advance(24 * time.Hour)
	f.do(caller{token: tok.Token}, "GET", "/api/v1/me", nil).want(t, 401, CodeAuthRequired)
}

// TestRouteMatrix walks, over HTTP, the cells of the role matrix that this
// part's routes cover: making someone a connector user or connector admin,
// turning on the restricted-access list and adding people to it.
func TestRouteMatrix(t *testing.T) {
	t.Parallel()
	type req struct {
		method, path string
		body         any
	}
	makeUser := func(id int64) req {
		return req{"PUT", "/api/v1/users/" + itoa(id) + "/roles", RolesRequest{Roles: []access.Role{access.ConnectorUser}}}
	}
	makeAdmin := func(id int64) req {
		return req{"PUT", "/api/v1/users/" + itoa(id) + "/roles", RolesRequest{Roles: []access.Role{access.ConnectorAdmin}}}
	}
	turnOn := func(int64) req { return req{"PUT", "/api/v1/access/restricted", RestrictedToggle{On: new(true)}} }
	addPerson := func(id int64) req { return req{"PUT", "/api/v1/access/restricted/members/" + itoa(id), nil} }
	listUsers := func(int64) req { return req{"GET", "/api/v1/users", nil} }

	tests := []struct {
		name   string
		roles  []access.Role
		listOn bool
		req    func(target int64) req
		status int
		code   Code
	}{
		{"system admin makes a connector user", []access.Role{access.SystemAdmin}, false, makeUser, 200, ""},
		{"connector admin makes a connector user", []access.Role{access.ConnectorAdmin}, false, makeUser, 200, ""},
		{"connector user may not make a connector user", []access.Role{access.ConnectorUser}, false, makeUser, 403, Code(access.ReasonNotAdmin)},
		{"system admin makes a connector admin", []access.Role{access.SystemAdmin}, false, makeAdmin, 200, ""},
		{"connector admin may not make a connector admin", []access.Role{access.ConnectorAdmin}, false, makeAdmin, 403, Code(access.ReasonNotSystemAdmin)},
		{"connector user may not make a connector admin", []access.Role{access.ConnectorUser}, false, makeAdmin, 403, Code(access.ReasonNotAdmin)},
		{"system admin turns the list on", []access.Role{access.SystemAdmin}, false, turnOn, 200, ""},
		{"connector admin turns the list on", []access.Role{access.ConnectorAdmin}, false, turnOn, 200, ""},
		{"connector user may not turn the list on", []access.Role{access.ConnectorUser}, false, turnOn, 403, Code(access.ReasonNotAdmin)},
		{"system admin adds a person", []access.Role{access.SystemAdmin}, true, addPerson, 204, ""},
		{"connector admin adds a person", []access.Role{access.ConnectorAdmin}, true, addPerson, 204, ""},
		{"connector user on the list may not add a person", []access.Role{access.ConnectorUser}, true, addPerson, 403, Code(access.ReasonNotAdmin)},
		{"admins list people", []access.Role{access.ConnectorAdmin}, false, listUsers, 200, ""},
		{"users may not list people", []access.Role{access.ConnectorUser}, false, listUsers, 403, Code(access.ReasonNotAdmin)},
		{"no role: nothing but themselves", nil, false, listUsers, 403, Code(access.ReasonNotAdmin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.user("root", access.SystemAdmin) // so that no change removes the last system admin
			actor, c := f.user("actor", tt.roles...)
			target, _ := f.user("target")
			if tt.listOn {
				ctx := context.Background()
				if _, err := f.store.SetRestrictedOn(ctx, true, AuditEntry{Action: "test.list"}); err != nil {
					t.Fatal(err)
				}
				if err := f.store.AddRestricted(ctx, actor.ID, AuditEntry{Action: "test.list"}); err != nil {
					t.Fatal(err)
				}
			}
			rq := tt.req(target.ID)
			r := f.do(c, rq.method, rq.path, rq.body)
			r.want(t, tt.status, tt.code)
			if tt.code != "" && r.errorBody(t).Details.Action == "" {
				t.Errorf("refusal %s does not name the action", r.body)
			}
		})
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
