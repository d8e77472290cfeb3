package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

const (
	testClientSecret = "s3cr3t-consumer-secret-value"
	testAppKey       = "sfbridge-console-test"
)

// registerOrg registers an org through the API as c and returns it.
func (f *fixture) registerOrg(c caller, in RegisterOrgRequest) OrgInfo {
	f.t.Helper()
	r := f.do(c, "POST", "/api/v1/orgs", in)
	r.want(f.t, 201, "")
	var o OrgInfo
	r.decode(f.t, &o)
	return o
}

// TestOrgRoutesAccess calls every org, connection and audit route with a
// caller the role matrix allows and one it refuses.
func TestOrgRoutesAccess(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, root := f.user("root", access.SystemAdmin)
	_, cadmin := f.user("cadmin", access.ConnectorAdmin)
	_, cu := f.user("cu", access.ConnectorUser)
	_, norole := f.user("norole")
	o := f.registerOrg(root, RegisterOrgRequest{Name: "Acme", Login: "production", ClientID: "3MVG9"})
	org := "/api/v1/orgs/" + itoa(o.ID)
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		allowed      caller
		status       int
		refused      caller
		reason       access.Reason
	}{
		{"list orgs", "GET", "/api/v1/orgs", nil, cu, 200, norole, access.ReasonNoRole},
		{"register an org", "POST", "/api/v1/orgs", RegisterOrgRequest{Name: "Beta", Login: "sandbox", ClientID: "k"}, cadmin, 201, cu, access.ReasonNotAdmin},
		{"read an org", "GET", org, nil, cu, 200, norole, access.ReasonNoRole},
		{"set the polling frequency", "PUT", org + "/polling", PollingRequest{PollSeconds: 600}, cadmin, 200, cu, access.ReasonNotAdmin},
		{"replace the connected app", "PUT", org + "/app", ConnectedAppRequest{ClientID: "3MVG9new"}, root, 200, cu, access.ReasonNotAdmin},
		{"list connections", "GET", org + "/connections", nil, cu, 200, norole, access.ReasonNoRole},
		{"start a login", "POST", org + "/connect", nil, cu, 200, norole, access.ReasonNoRole},
		{"read the audit log", "GET", "/api/v1/audit", nil, cadmin, 200, cu, access.ReasonNotAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.do(tc.allowed, tc.method, tc.path, tc.body).want(t, tc.status, "")
			r := f.do(tc.refused, tc.method, tc.path, tc.body)
			r.want(t, 403, Code(tc.reason))
			f.do(anonymous, tc.method, tc.path, tc.body).want(t, 401, CodeAuthRequired)
		})
	}
	// The callback is refused to people without a role, and tells others
	// a state it does not know.
	cb := OAuthCallback{State: "nothing-started-this", Code: "x"}
	f.do(norole, "POST", "/api/v1/oauth/callback", cb).want(t, 403, Code(access.ReasonNoRole))
	f.do(cu, "POST", "/api/v1/oauth/callback", cb).want(t, 409, CodeLoginUnknown)
}

func TestRegisterOrg(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, admin := f.user("admin", access.ConnectorAdmin)
	o := f.registerOrg(admin, RegisterOrgRequest{Name: " Acme ", Login: "https://acme.my.salesforce.com/", ClientID: "3MVG9",
		ClientSecret: testClientSecret})
	want := OrgInfo{ID: o.ID, Name: "Acme", LoginURL: "https://acme.my.salesforce.com", LoginKind: "my_domain", ClientID: "3MVG9",
		HasClientSecret: true, State: StateNotConnected, WhatToDo: whatToDo[StateNotConnected], PollSeconds: DefaultPollSeconds,
		CallbackURL: f.srv.URL + CallbackPath, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if o != want {
		t.Errorf("registered %+v\nwant %+v", o, want)
	}
	for _, tc := range []struct {
		login, kind string
	}{{"production", "production"}, {"sandbox", "sandbox"}, {"http://127.0.0.1:8383", "my_domain"}} {
		got := f.registerOrg(admin, RegisterOrgRequest{Name: tc.login, Login: tc.login, ClientID: "k", PollSeconds: 60})
		if got.LoginKind != tc.kind || got.PollSeconds != 60 {
			t.Errorf("login %q: kind %q, polling %d; want %q and 60", tc.login, got.LoginKind, got.PollSeconds, tc.kind)
		}
	}

	for _, tc := range []struct {
		name   string
		in     RegisterOrgRequest
		fields []string
	}{
		{"nothing", RegisterOrgRequest{}, []string{"name", "client_id"}},
		{"http off loopback", RegisterOrgRequest{Name: "x", Login: "http://acme.example.com", ClientID: "k"}, []string{"login"}},
		{"a path", RegisterOrgRequest{Name: "x", Login: "https://acme.my.salesforce.com/services", ClientID: "k"}, []string{"login"}},
		{"not a URL", RegisterOrgRequest{Name: "x", Login: "acme", ClientID: "k"}, []string{"login"}},
		{"polling too often", RegisterOrgRequest{Name: "x", Login: "production", ClientID: "k", PollSeconds: 59}, []string{"polling_frequency_seconds"}},
		{"polling too rarely", RegisterOrgRequest{Name: "x", Login: "production", ClientID: "k", PollSeconds: MaxPollSeconds + 1}, []string{"polling_frequency_seconds"}},
		{"name too long", RegisterOrgRequest{Name: strings.Repeat("é", maxOrgName+1), Login: "production", ClientID: "k"}, []string{"name"}},
		{"name taken", RegisterOrgRequest{Name: "ACME", Login: "production", ClientID: "k"}, []string{"name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(admin, "POST", "/api/v1/orgs", tc.in)
			r.want(t, 400, CodeInvalidInput)
			var got []string
			for _, fe := range r.errorBody(t).Details.Fields {
				got = append(got, fe.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("invalid fields %v, want %v (%s)", got, tc.fields, r.body)
			}
		})
	}

	// The secret is write-only: never answered, never in the audit log,
	// sealed in the database.
	for _, path := range []string{"/api/v1/orgs", "/api/v1/orgs/" + itoa(o.ID), "/api/v1/audit"} {
		if r := f.do(admin, "GET", path, nil); bytes.Contains(r.body, []byte(testClientSecret)) {
			t.Errorf("GET %s shows the consumer secret: %s", path, r.body)
		}
	}
	for _, q := range []string{`SELECT coalesce(before, '') || coalesce(after, '') || detail FROM audit_log`, `SELECT hex(client_secret) FROM orgs WHERE client_secret IS NOT NULL`} {
		for _, v := range f.column(q) {
			if strings.Contains(v, testClientSecret) || strings.Contains(strings.ToUpper(v), strings.ToUpper(hexOf(testClientSecret))) {
				t.Errorf("%s holds the consumer secret in clear: %s", q, v)
			}
		}
	}
	var regs AuditPage
	f.do(admin, "GET", "/api/v1/audit?action=org.register", nil).decode(t, &regs)
	entry := regs.Entries[len(regs.Entries)-1]
	if entry.Subject != "org Acme" || entry.Before != nil || !strings.Contains(string(entry.After), `"has_client_secret":true`) {
		t.Errorf("the registration's audit entry = %+v", entry)
	}
}

func hexOf(s string) string {
	const digits = "0123456789ABCDEF"
	var b strings.Builder
	for _, c := range []byte(s) {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	return b.String()
}

// lastAudit returns the newest audit entry of action, read through the API.
func (f *fixture) lastAudit(admin caller, action string) AuditInfo {
	f.t.Helper()
	var page AuditPage
	f.do(admin, "GET", "/api/v1/audit?limit=1&action="+url.QueryEscape(action), nil).decode(f.t, &page)
	if len(page.Entries) != 1 || page.Entries[0].Action != action {
		f.t.Fatalf("no %s entry in the audit log: %+v", action, page)
	}
	return page.Entries[0]
}

func TestSetPolling(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, admin := f.user("admin", access.SystemAdmin)
	o := f.registerOrg(admin, RegisterOrgRequest{Name: "Acme", Login: "production", ClientID: "k"})
	path := "/api/v1/orgs/" + itoa(o.ID) + "/polling"
	for _, tc := range []struct {
		seconds int64
		status  int
	}{{MinPollSeconds - 1, 400}, {0, 400}, {-60, 400}, {MinPollSeconds, 200}, {MaxPollSeconds, 200}, {MaxPollSeconds + 1, 400}, {900, 200}} {
		r := f.do(admin, "PUT", path, PollingRequest{PollSeconds: tc.seconds})
		if r.StatusCode != tc.status {
			t.Errorf("%d s: status %d, want %d: %s", tc.seconds, r.StatusCode, tc.status, r.body)
		}
	}
	var got OrgInfo
	f.do(admin, "GET", "/api/v1/orgs/"+itoa(o.ID), nil).decode(t, &got)
	if got.PollSeconds != 900 {
		t.Errorf("polling frequency %d s, want the last one saved, 900", got.PollSeconds)
	}
	entry := f.lastAudit(admin, "org.set_polling_frequency")
	if !strings.Contains(string(entry.Before), `"polling_frequency_seconds":86400`) || !strings.Contains(string(entry.After), `"polling_frequency_seconds":900`) {
		t.Errorf("audit entry before %s after %s, want 86400 -> 900", entry.Before, entry.After)
	}
	// An org polling outside the bounds (the demo's, every 10 s) may be sent
	// back unchanged, but not changed to another value outside them.
	demo, err := f.db.Orgs().Create(t.Context(), store.Org{Name: "demo", LoginURL: "https://login.salesforce.com", ClientID: "k", PollInterval: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.do(admin, "PUT", "/api/v1/orgs/"+itoa(demo.ID)+"/polling", PollingRequest{PollSeconds: 10}).want(t, 200, "")
	f.do(admin, "PUT", "/api/v1/orgs/"+itoa(demo.ID)+"/polling", PollingRequest{PollSeconds: 20}).want(t, 400, CodeInvalidInput)
	f.do(admin, "PUT", "/api/v1/orgs/999/polling", PollingRequest{PollSeconds: 600}).want(t, 404, CodeNotFound)
	f.do(admin, "PUT", "/api/v1/orgs/x/polling", PollingRequest{PollSeconds: 600}).want(t, 400, CodeInvalidInput)
}

func TestSetConnectedApp(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, admin := f.user("admin", access.ConnectorAdmin)
	o := f.registerOrg(admin, RegisterOrgRequest{Name: "Acme", Login: "production", ClientID: "old", ClientSecret: "old-secret"})
	path := "/api/v1/orgs/" + itoa(o.ID) + "/app"
	f.do(admin, "PUT", path, ConnectedAppRequest{}).want(t, 400, CodeInvalidInput)

	var got OrgInfo
	r := f.do(admin, "PUT", path, ConnectedAppRequest{ClientID: "new"})
	r.want(t, 200, "")
	r.decode(t, &got)
	stored, err := f.db.Orgs().Get(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClientID != "new" || !got.HasClientSecret || stored.ClientSecret.Reveal() != "old-secret" {
		t.Errorf("with no secret: %+v, stored secret %q; want the key replaced and the secret kept", got, stored.ClientSecret.Reveal())
	}
	f.do(admin, "PUT", path, ConnectedAppRequest{ClientID: "newer", ClientSecret: testClientSecret}).want(t, 200, "")
	if stored, _ = f.db.Orgs().Get(context.Background(), o.ID); stored.ClientSecret.Reveal() != testClientSecret || stored.ClientID != "newer" {
		t.Errorf("stored %q / %q, want the new key and secret", stored.ClientID, stored.ClientSecret.Reveal())
	}
	entry := f.lastAudit(admin, "org.set_connected_app")
	if !strings.Contains(string(entry.Before), `"client_id":"new"`) || !strings.Contains(string(entry.After), `"client_id":"newer"`) ||
		strings.Contains(string(entry.Before)+string(entry.After)+entry.Detail, testClientSecret) {
		t.Errorf("audit entry %+v: want the key before and after and never the secret", entry)
	}
}

// emulatorOrg starts an emulator with a connected app that allows the
// fixture's callback URL, and registers it as an org.
func (f *fixture) emulatorOrg(admin caller) (*sfemutest.Org, OrgInfo) {
	f.t.Helper()
	emu := sfemutest.Start(f.t, sfemu.Options{})
	registerApp(f.t, emu.URL, auth.ConnectedApp{Name: "sfbridge console", ConsumerKey: testAppKey, ConsumerSecret: testClientSecret,
		CallbackURLs: []string{f.srv.URL + CallbackPath}, Scopes: []string{"api", "refresh_token"},
		PreAuthorizedProfiles: []string{"System Administrator", "Standard User"}})
	return emu, f.registerOrg(admin, RegisterOrgRequest{Name: "Emulator", Login: emu.URL, ClientID: testAppKey, ClientSecret: testClientSecret})
}

// registerApp adds a connected app to the emulator through its admin API.
func registerApp(t testing.TB, emuURL string, app auth.ConnectedApp) {
	t.Helper()
	raw, err := json.Marshal(app)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(emuURL+sfemu.AdminPrefix+"apps", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("registering the connected app: %s", resp.Status)
	}
}

// salesforceLogin logs username in on the emulator's login page that
// authorizeURL opens, as a browser would, and returns the query Salesforce
// sends to the callback.
func salesforceLogin(t *testing.T, authorizeURL, username string) url.Values {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	form := u.Query()
	form.Set("action", "login")
	form.Set("username", username)
	form.Set("password", sfemutest.Password)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var callback *url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Path == CallbackPath {
			callback = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	u.RawQuery = ""
	resp, err := browser.PostForm(u.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if callback == nil {
		t.Fatalf("the login ended at %s (%s), not at the callback", resp.Request.URL, resp.Status)
	}
	return callback.Query()
}

// connect runs the whole browser login for c as username and returns the
// connection.
func (f *fixture) connect(c caller, orgID int64, username string) ConnectionInfo {
	f.t.Helper()
	var start ConnectStart
	f.do(c, "POST", "/api/v1/orgs/"+itoa(orgID)+"/connect", nil).decode(f.t, &start)
	q := salesforceLogin(f.t, start.AuthorizeURL, username)
	r := f.do(c, "POST", "/api/v1/oauth/callback", OAuthCallback{State: q.Get("state"), Code: q.Get("code")})
	r.want(f.t, 200, "")
	var conn ConnectionInfo
	r.decode(f.t, &conn)
	return conn
}

func TestConnect(t *testing.T) {
	t.Parallel()
	var (
		mu        sync.Mutex
		forgotten []int64
	)
	f := setup(t, func(o *Options) {
		o.Forget = func(id int64) {
			mu.Lock()
			defer mu.Unlock()
			forgotten = append(forgotten, id)
		}
	})
	adminUser, admin := f.user("admin", access.ConnectorAdmin)
	cuUser, cu := f.user("cu", access.ConnectorUser)
	_, other := f.user("other", access.ConnectorUser)
	_, o := f.emulatorOrg(admin)

	var start ConnectStart
	f.do(cu, "POST", "/api/v1/orgs/"+itoa(o.ID)+"/connect", nil).decode(t, &start)
	authz, err := url.Parse(start.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := authz.Query()
	if authz.Path != "/services/oauth2/authorize" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("redirect_uri") != f.srv.URL+CallbackPath || q.Get("client_id") != testAppKey ||
		start.CallbackURL != f.srv.URL+CallbackPath || !start.ExpiresAt.Equal(f.clock().Add(loginTTL)) {
		t.Fatalf("start = %+v", start)
	}
	if states := f.column(`SELECT state_hash FROM oauth_logins`); len(states) != 1 || states[0] == q.Get("state") {
		t.Errorf("pending logins %v: want one, keeping the state's hash only", states)
	}

	cb := salesforceLogin(t, start.AuthorizeURL, sfemutest.User)
	// Someone else cannot finish this login, and trying spends it.
	f.do(other, "POST", "/api/v1/oauth/callback", OAuthCallback{State: cb.Get("state"), Code: cb.Get("code")}).want(t, 409, CodeLoginUnknown)
	f.do(cu, "POST", "/api/v1/oauth/callback", OAuthCallback{State: cb.Get("state"), Code: cb.Get("code")}).want(t, 409, CodeLoginUnknown)

	conn := f.connect(cu, o.ID, sfemutest.User)
	if conn.UserID != cuUser.ID || conn.Username != sfemutest.User || conn.State != "connected" || conn.Renewal != "refresh_token" ||
		!strings.HasPrefix(conn.SalesforceUserID, "005") {
		t.Errorf("connection = %+v", conn)
	}
	mu.Lock()
	if len(forgotten) == 0 || forgotten[len(forgotten)-1] != o.ID {
		t.Errorf("forgotten orgs %v: the connector's cached clients of org %d were kept", forgotten, o.ID)
	}
	mu.Unlock()
	var got OrgInfo
	f.do(cu, "GET", "/api/v1/orgs/"+itoa(o.ID), nil).decode(t, &got)
	if got.State != "connected" || got.Connections != 1 || !strings.HasPrefix(got.SalesforceOrgID, "00D") || got.InstanceURL == "" {
		t.Errorf("org after connecting: %+v", got)
	}
	entry := f.lastAudit(admin, "org.connect")
	if entry.ActorID != cuUser.ID || !strings.Contains(string(entry.After), sfemutest.User) || entry.Before != nil {
		t.Errorf("audit entry %+v", entry)
	}
	tokens := f.column(`SELECT coalesce(hex(access_token), '') || coalesce(hex(refresh_token), '') FROM connections`)
	stored, err := f.db.Connections().ForUser(context.Background(), o.ID, cuUser.ID)
	if err != nil || stored.AccessToken.IsZero() || len(tokens) != 1 || strings.Contains(tokens[0], hexOf(stored.AccessToken.Reveal())) {
		t.Errorf("stored connection %+v, %v: want sealed tokens", stored, err)
	}
	for _, v := range f.column(`SELECT coalesce(before, '') || coalesce(after, '') || detail FROM audit_log`) {
		if strings.Contains(v, stored.AccessToken.Reveal()) || strings.Contains(v, stored.RefreshToken.Reveal()) {
			t.Errorf("the audit log holds a token: %s", v)
		}
	}

	// Reconnecting replaces the connection; the entry keeps the one before.
	f.connect(cu, o.ID, sfemutest.User)
	if entry := f.lastAudit(admin, "org.connect"); entry.Before == nil {
		t.Errorf("a reconnection's entry has no before: %+v", entry)
	}
	adminConn := f.connect(admin, o.ID, sfemutest.Admin)

	var mine, all ConnectionList
	f.do(cu, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/connections", nil).decode(t, &mine)
	f.do(admin, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/connections", nil).decode(t, &all)
	if len(mine.Connections) != 1 || mine.Connections[0].UserID != cuUser.ID || mine.Connections[0].UserLogin != "cu" {
		t.Errorf("a connector user sees %+v, want their own connection only", mine.Connections)
	}
	if len(all.Connections) != 2 || all.Connections[1].UserID != adminUser.ID || all.Connections[1].ID != adminConn.ID {
		t.Errorf("an admin sees %+v, want everyone's", all.Connections)
	}
	var none ConnectionList
	f.do(other, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/connections", nil).decode(t, &none)
	if none.Connections == nil || len(none.Connections) != 0 {
		t.Errorf("someone without a connection sees %s, want an empty list", mustJSON(t, none))
	}

	// A connection Salesforce stopped accepting says what to do.
	if err := f.db.Connections().SetState(context.Background(), stored.ID, store.StateNeedsReauth, "refresh token revoked"); err != nil {
		t.Fatal(err)
	}
	f.do(cu, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/connections", nil).decode(t, &mine)
	if c := mine.Connections[0]; c.State != "needs_reauth" || c.StateReason != "refresh token revoked" || c.WhatToDo == "" {
		t.Errorf("a revoked connection shows %+v", c)
	}
	var list OrgList
	f.do(admin, "GET", "/api/v1/orgs", nil).decode(t, &list)
	if len(list.Orgs) != 1 || list.Orgs[0].Connections != 2 || list.Orgs[0].NeedsReauth != 1 {
		t.Errorf("the org list shows %+v, want 2 connections, 1 needing re-authorisation", list.Orgs)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConnectFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, admin := f.user("admin", access.ConnectorAdmin)
	_, o := f.emulatorOrg(admin)
	start := func() url.Values {
		var s ConnectStart
		f.do(admin, "POST", "/api/v1/orgs/"+itoa(o.ID)+"/connect", nil).decode(t, &s)
		u, err := url.Parse(s.AuthorizeURL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query()
	}
	callback := func(in OAuthCallback) response { return f.do(admin, "POST", "/api/v1/oauth/callback", in) }

	callback(OAuthCallback{}).want(t, 400, CodeInvalidInput)
	callback(OAuthCallback{State: start().Get("state"), Error: "access_denied", ErrorDescription: "end-user denied authorization"}).
		want(t, 502, CodeLoginRefused)
	callback(OAuthCallback{State: start().Get("state")}).want(t, 400, CodeInvalidInput)
	callback(OAuthCallback{State: start().Get("state"), Code: "not-a-code"}).want(t, 502, CodeLoginRefused)

	q := start()
	f.advance(loginTTL)
	callback(OAuthCallback{State: q.Get("state"), Code: "whatever"}).want(t, 409, CodeLoginExpired)
	// Starting a login sweeps the expired ones.
	start()
	if n := len(f.column(`SELECT state_hash FROM oauth_logins`)); n != 1 {
		t.Errorf("%d pending logins after a sweep, want only the new one", n)
	}

	// A login to another org than the one first connected is refused.
	if _, err := f.db.Orgs().Update(context.Background(), func() store.Org {
		so, err := f.db.Orgs().Get(context.Background(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		so.SalesforceOrgID = "00D000000000001AAA"
		return so
	}()); err != nil {
		t.Fatal(err)
	}
	var s ConnectStart
	f.do(admin, "POST", "/api/v1/orgs/"+itoa(o.ID)+"/connect", nil).decode(t, &s)
	cb := salesforceLogin(t, s.AuthorizeURL, sfemutest.Admin)
	callback(OAuthCallback{State: cb.Get("state"), Code: cb.Get("code")}).want(t, 409, CodeWrongOrg)
	f.do(admin, "POST", "/api/v1/orgs/999/connect", nil).want(t, 404, CodeNotFound)
}

// TestSetupAdoptsCLIUser: a user the CLI made without a password (sfbridge
// org connect --as LOGIN, before anyone set up the console) leaves setup
// open, and setting up with their login adopts them with their connection.
func TestSetupAdoptsCLIUser(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cli, err := f.db.Users().Create(ctx, store.User{Login: "ada@example.com", DisplayName: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Connections().Save(ctx, store.Connection{OrgID: org.ID, UserID: cli.ID, Username: "ada@acme.com"}); err != nil {
		t.Fatal(err)
	}
	var st SetupStatus
	f.do(anonymous, "GET", "/api/v1/setup", nil).decode(t, &st)
	if !st.Needed {
		t.Fatal("a passwordless user from the CLI ended setup")
	}
	f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "ada@example.com", Password: "short"}).want(t, 400, CodeInvalidInput)

	r := f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "ADA@example.com", DisplayName: "Ada", Password: testPassword})
	r.want(t, 201, "")
	var me Me
	r.decode(t, &me)
	if me.ID != cli.ID || me.Login != "ada@example.com" || me.DisplayName != "Ada" || len(me.Roles) != 1 || me.Roles[0] != access.SystemAdmin {
		t.Errorf("setup made %+v, want user %d adopted as the system admin", me, cli.ID)
	}
	if conn, err := f.db.Connections().ForUser(ctx, org.ID, cli.ID); err != nil || conn.Username != "ada@acme.com" {
		t.Errorf("the adopted user's connection: %+v, %v", conn, err)
	}
	audit := auditLog(t, f.db)
	if len(audit) != 1 || audit[0].Action != "setup" {
		t.Errorf("audit = %+v", audit)
	}
	if e := f.lastAudit(caller{cookie: sessionCookie(t, r).Value}, "setup"); !strings.Contains(string(e.Before), `"roles":[]`) ||
		!strings.Contains(string(e.After), `"system_admin"`) {
		t.Errorf("the setup entry: before %s after %s, want the passwordless user then the admin", e.Before, e.After)
	}
	f.do(anonymous, "GET", "/api/v1/setup", nil).decode(t, &st)
	if st.Needed {
		t.Error("setup still open once a system admin has a password")
	}
	f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "eve@example.com", Password: testPassword}).want(t, 409, CodeSetupDone)
	if users, _ := f.store.Users(ctx); len(users) != 1 {
		t.Errorf("%d users, want the adopted one only", len(users))
	}
}

// TestSetupBesideCLIUsers: setting up with another login creates the admin
// and leaves the CLI's users as they are.
func TestSetupBesideCLIUsers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.db.Users().Create(ctx, store.User{Login: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	f.do(anonymous, "POST", "/api/v1/setup", SetupRequest{Login: "root@example.com", Password: testPassword}).want(t, 201, "")
	users, err := f.store.Users(ctx)
	if err != nil || len(users) != 2 || users[0].Login != "bob@example.com" || users[0].PasswordHash != "" || users[0].Roles != 0 {
		t.Errorf("users = %+v, %v; want bob untouched beside the new admin", users, err)
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rootUser, root := f.user("root", access.SystemAdmin)
	_, cadmin := f.user("cadmin", access.ConnectorAdmin)
	for _, name := range []string{"a", "b", "c"} {
		f.registerOrg(root, RegisterOrgRequest{Name: name, Login: "production", ClientID: "k"})
	}
	o := f.registerOrg(cadmin, RegisterOrgRequest{Name: "d", Login: "production", ClientID: "k"})
	f.advance(time.Minute)
	f.do(cadmin, "PUT", "/api/v1/orgs/"+itoa(o.ID)+"/polling", PollingRequest{PollSeconds: 120}).want(t, 200, "")

	var page AuditPage
	f.do(cadmin, "GET", "/api/v1/audit?limit=2", nil).decode(t, &page)
	if len(page.Entries) != 2 || page.Next == 0 || page.Entries[0].Action != "org.set_polling_frequency" ||
		page.Entries[0].ActorLogin != "cadmin" || !page.Entries[0].At.Equal(f.clock()) || page.Entries[1].Subject != "org d" {
		t.Fatalf("first page = %s", mustJSON(t, page))
	}
	var older AuditPage
	f.do(cadmin, "GET", "/api/v1/audit?limit=2&before="+itoa(page.Next), nil).decode(t, &older)
	if len(older.Entries) != 2 || older.Entries[0].ID >= page.Entries[1].ID {
		t.Errorf("second page = %s", mustJSON(t, older))
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"actor=root", 3},
		{"actor=" + itoa(rootUser.ID), 3},
		{"actor=CADMIN&action=org", 2},
		{"action=org.register", 4},
		{"action=org.set_polling_frequency", 1},
		{"action=test", 2}, // the fixture's test.user entries
		{"action=org.reg", 0},
	} {
		var got AuditPage
		f.do(root, "GET", "/api/v1/audit?"+tc.query, nil).decode(t, &got)
		if len(got.Entries) != tc.want {
			t.Errorf("%s: %d entries, want %d", tc.query, len(got.Entries), tc.want)
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=x", "limit"},
		{"before=-1", "before"}, {"actor=nobody", "actor"}, {"actor=-3", "actor"},
	} {
		r := f.do(root, "GET", "/api/v1/audit?"+tc.query, nil)
		r.want(t, 400, CodeInvalidInput)
		if got := r.errorBody(t).Details.Fields[0].Field; got != tc.field {
			t.Errorf("%s: invalid field %q, want %q", tc.query, got, tc.field)
		}
	}
}

// benchServer is a server over a fresh database with an admin's API token,
// for benchmarks that call routes through the handler without the network.
func benchServer(b *testing.B) (*Server, *store.Store, string) {
	b.Helper()
	db := testDB(b)
	st := NewStore(db)
	srv, err := New(Options{Store: st, Password: cheapPasswords})
	if err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(b.Context(), NewUser{Login: "ada", Roles: access.RolesOf(access.ConnectorAdmin)}, AuditEntry{Action: "user.create"})
	if err != nil {
		b.Fatal(err)
	}
	secret, _ := access.NewSecret(access.TokenPrefix)
	if err := st.CreateToken(b.Context(), Token{ID: "tok_1", UserID: u.ID, Hash: access.HashSecret(secret)}, AuditEntry{Action: "token.create"}); err != nil {
		b.Fatal(err)
	}
	return srv, db, secret
}

func benchGet(b *testing.B, srv *Server, secret, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkAuditPage reads the newest page of 50 org entries from a log of
// 2,000 entries of two kinds.
func BenchmarkAuditPage(b *testing.B) {
	srv, db, secret := benchServer(b)
	for i := range 2000 {
		action := "roles.set"
		if i%2 == 0 {
			action = "org.set_polling_frequency"
		}
		if _, err := db.Audit().Append(b.Context(), store.AuditEntry{ActorID: 1, Action: action, Subject: "org 1",
			Before: json.RawMessage(`{"polling_frequency_seconds":300}`), After: json.RawMessage(`{"polling_frequency_seconds":600}`)}); err != nil {
			b.Fatal(err)
		}
	}
	benchGet(b, srv, secret, "/api/v1/audit?action=org&limit=50")
}

// BenchmarkOrgList lists 20 orgs of 5 connections each.
func BenchmarkOrgList(b *testing.B) {
	srv, db, token := benchServer(b)
	ctx := b.Context()
	var users []int64
	for i := range 5 {
		u, err := db.Users().Create(ctx, store.User{Login: "user" + itoa(int64(i))})
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for i := range 20 {
		o, err := db.Orgs().Create(ctx, store.Org{Name: "org" + itoa(int64(i)), LoginURL: "https://login.salesforce.com", ClientID: "k",
			ClientSecret: secret.New("s")})
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range users {
			if _, err := db.Connections().Save(ctx, store.Connection{OrgID: o.ID, UserID: u, Username: "u", RefreshToken: secret.New("r")}); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchGet(b, srv, token, "/api/v1/orgs")
}
