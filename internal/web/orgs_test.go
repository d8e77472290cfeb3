package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// orgFixture adds the people of the org pages' tests and one org, Acme,
// with two connections: root's, connected, and cu's, which Salesforce
// stopped accepting.
func orgFixture(t *testing.T) (*fixture, store.Org) {
	t.Helper()
	f := setup(t)
	root := f.user("root@example.com", access.SystemAdmin)
	f.user("cadmin@example.com", access.ConnectorAdmin)
	cu := f.user("cu@example.com", access.ConnectorUser)
	f.user("norole@example.com")
	ctx := context.Background()
	o, err := f.db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://acme.my.salesforce.com", ClientID: "3MVG9acme",
		ClientSecret: secret.New("consumer-secret-xyz"), PollInterval: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []store.Connection{
		{OrgID: o.ID, UserID: root.ID, SalesforceUserID: "005000000000001AAA", Username: "root@acme.com", RefreshToken: secret.New("r1")},
		{OrgID: o.ID, UserID: cu.ID, SalesforceUserID: "005000000000002AAA", Username: "cu@acme.com", RefreshToken: secret.New("r2")},
	} {
		conn, err := f.db.Connections().Save(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if c.UserID == cu.ID {
			if err := f.db.Connections().SetState(ctx, conn.ID, store.StateNeedsReauth, "expired access/refresh token"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.db.Orgs().RecordAPIUsage(ctx, o.ID, 1234, 15000); err != nil {
		t.Fatal(err)
	}
	return f, o
}

// mainOf returns the page's <main> element, with what changes from run to
// run (the test server's port) replaced, so that it can be a golden file.
// The layout around it has its own golden pages (TestPagesGolden).
func mainOf(t *testing.T, b *browser, body string) string {
	t.Helper()
	start, end := strings.Index(body, "<main"), strings.LastIndex(body, "</main>")
	if start < 0 || end < start {
		t.Fatalf("the page has no <main> element:\n%s", body)
	}
	return strings.ReplaceAll(body[start:end+len("</main>")], strings.TrimPrefix(b.srv.URL, "https://"), "console.test") + "\n"
}

// TestOrgsPagesGolden pins the content of the org pages and the audit log
// page in both languages, as an admin and as a connector user; -update
// rewrites them.
func TestOrgsPagesGolden(t *testing.T) {
	for _, tc := range []struct {
		name, lang, login, path string
		post                    url.Values
	}{
		{name: "orgs-admin-en", lang: "en", login: "root@example.com", path: "/orgs"},
		{name: "orgs-user-fr", lang: "fr", login: "cu@example.com", path: "/orgs"},
		{name: "orgs-register-errors-fr", lang: "fr", login: "cadmin@example.com", path: "/orgs",
			post: url.Values{"name": {"acme"}, "login": {"my_domain"}, "my_domain": {"http://acme.example.com"}, "client_id": {""}, "client_secret": {"typed-secret"}, "polling_frequency_seconds": {"30"}}},
		{name: "orgs-detail-admin-fr", lang: "fr", login: "root@example.com", path: "/orgs/1"},
		{name: "orgs-detail-user-en", lang: "en", login: "cu@example.com", path: "/orgs/1"},
		{name: "orgs-detail-poll-error-en", lang: "en", login: "cadmin@example.com", path: "/orgs/1/polling",
			post: url.Values{"polling_frequency_seconds": {"86401"}}},
		{name: "audit-admin-en", lang: "en", login: "cadmin@example.com", path: "/audit?action=org"},
		{name: "audit-admin-fr", lang: "fr", login: "root@example.com", path: "/audit?action=org"},
		{name: "audit-bad-actor-en", lang: "en", login: "root@example.com", path: "/audit?actor=nobody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, o := orgFixture(t)
			// Entries at a fixed time, for the audit pages.
			at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
			for _, e := range []store.AuditEntry{
				{ActorID: 1, Action: "org.register", Subject: "org Acme", Detail: `registered org "Acme", login https://acme.my.salesforce.com`,
					After: json.RawMessage(`{"client_id":"3MVG9acme","has_client_secret":true,"name":"Acme"}`), At: at},
				{ActorID: 2, Action: "org.set_polling_frequency", Subject: "org 1", Detail: `polling frequency of org "Acme" 300s -> 600s`,
					Before: json.RawMessage(`{"polling_frequency_seconds":300}`), After: json.RawMessage(`{"polling_frequency_seconds":600}`), At: at.Add(time.Minute)},
			} {
				if _, err := f.db.Audit().Append(context.Background(), e); err != nil {
					t.Fatal(err)
				}
			}
			if o.ID != 1 {
				t.Fatalf("the org has id %d, the paths say 1", o.ID)
			}
			b := f.signedIn(tc.login)
			b.header.Set("Accept-Language", tc.lang)
			var r response
			if tc.post != nil {
				r = b.post(tc.path, tc.post)
			} else {
				r = b.get(tc.path)
			}
			if strings.Contains(r.body, "consumer-secret-xyz") || strings.Contains(r.body, "typed-secret") {
				t.Errorf("%s shows a consumer secret", tc.path)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), mainOf(t, b, r.body))
		})
	}
}

// TestOrgsPageAccess: who may open and use each org page.
func TestOrgsPageAccess(t *testing.T) {
	f, _ := orgFixture(t)
	for _, tc := range []struct {
		login, method, path string
		form                url.Values
		status              int
	}{
		{"norole@example.com", "GET", "/orgs", nil, 403},
		{"cu@example.com", "GET", "/orgs", nil, 200},
		{"norole@example.com", "GET", "/orgs/1", nil, 403},
		{"cu@example.com", "GET", "/orgs/1", nil, 200},
		{"cu@example.com", "GET", "/orgs/2", nil, 404},
		{"cu@example.com", "GET", "/orgs/x", nil, 404},
		{"cu@example.com", "POST", "/orgs", url.Values{"name": {"x"}}, 403},
		{"cu@example.com", "POST", "/orgs/1/polling", url.Values{"polling_frequency_seconds": {"600"}}, 403},
		{"cu@example.com", "POST", "/orgs/1/app", url.Values{"client_id": {"x"}}, 403},
		{"norole@example.com", "GET", "/orgs/1/connect", nil, 403},
		{"cu@example.com", "GET", "/audit", nil, 403},
		{"cadmin@example.com", "GET", "/audit", nil, 200},
		{"norole@example.com", "GET", "/oauth/callback?state=x&code=y", nil, 403},
		{"cu@example.com", "GET", "/oauth/callback?state=x&code=y", nil, 409},
	} {
		b := f.signedIn(tc.login)
		var r response
		if tc.method == "POST" {
			r = b.post(tc.path, tc.form)
		} else {
			r = b.get(tc.path)
		}
		if r.status != tc.status {
			t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, tc.login, r.status, tc.status)
		}
	}
	// The connector user's page: their own connection, Reconnect, no forms.
	r := f.signedIn("cu@example.com").get("/orgs/1")
	r.has(t, "Your connection", `data-testid="needs-reauth"`, "expired access/refresh token", ">Reconnect<", `href="/orgs/1/usage"`)
	r.lacks(t, "root@acme.com", `action="/orgs/1/polling"`, `action="/orgs/1/app"`)
	// An admin sees everyone's connections and the forms.
	r = f.signedIn("cadmin@example.com").get("/orgs/1")
	r.has(t, "Everyone&#39;s connections", "root@acme.com", "cu@acme.com", `action="/orgs/1/polling"`, `action="/orgs/1/app"`, ">Connect<")
}

// TestOrgsForms: an admin registers an org, sets its polling frequency and
// replaces its connected app through the forms.
func TestOrgsForms(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	b := f.signedIn("root@example.com")
	r := b.get("/orgs")
	r.has(t, "No org is registered yet.", `data-testid="callback-url">`+b.srv.URL+"/oauth/callback<")

	r = b.post("/orgs", url.Values{"name": {"Prod"}, "login": {"sandbox"}, "client_id": {"key1"}, "client_secret": {"secret1"},
		"polling_frequency_seconds": {"120"}})
	if r.path != "/orgs/1?done=org_registered" {
		t.Fatalf("registering ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "The org is registered.", "Sandbox", "https://test.salesforce.com", "Every 120 s", "Not connected yet", "consumer secret stored")
	r = b.post("/orgs", url.Values{"name": {"prod"}, "login": {"production"}, "client_id": {"k"}, "polling_frequency_seconds": {"x"}})
	if r.status != 400 {
		t.Errorf("a polling frequency that is no number: %d, want 400", r.status)
	}
	r.has(t, "Poll every 60 to 86400 seconds")
	r = b.post("/orgs", url.Values{"name": {"prod"}, "login": {"production"}, "client_id": {"k"}, "polling_frequency_seconds": {""}})
	r.has(t, "Give the org a name of 1 to 80 characters that no other org has.")

	r = b.post("/orgs/1/polling", url.Values{"polling_frequency_seconds": {"3600"}})
	if r.path != "/orgs/1?done=polling_saved" {
		t.Fatalf("saving the frequency ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "The polling frequency is saved.", "Every 3600 s")
	r = b.post("/orgs/1/polling", url.Values{"polling_frequency_seconds": {""}})
	if r.status != 400 {
		t.Errorf("an empty frequency: %d, want 400", r.status)
	}

	r = b.post("/orgs/1/app", url.Values{"client_id": {"key2"}, "client_secret": {""}})
	if r.path != "/orgs/1?done=app_saved" {
		t.Fatalf("saving the app ended at %s (%d)", r.path, r.status)
	}
	o, err := f.db.Orgs().Get(context.Background(), 1)
	if err != nil || o.ClientID != "key2" || o.ClientSecret.Reveal() != "secret1" || o.PollInterval != time.Hour {
		t.Errorf("stored %+v, %v; want key2, the first secret kept and an hour", o, err)
	}
	r = b.get("/audit")
	r.has(t, "org.register", "org.set_polling_frequency", "org.set_connected_app", "root@example.com")
	r.lacks(t, "secret1")
}

// emulatorApp starts the emulator with a connected app whose callback is
// the console at base.
func emulatorApp(t *testing.T, base string) *sfemutest.Org {
	t.Helper()
	emu := sfemutest.Start(t, sfemu.Options{})
	raw, err := json.Marshal(auth.ConnectedApp{Name: "sfbridge console", ConsumerKey: "console-key", ConsumerSecret: "console-secret",
		CallbackURLs: []string{base + api.CallbackPath}, Scopes: []string{"api", "refresh_token"},
		PreAuthorizedProfiles: []string{"System Administrator", "Standard User"}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(emu.URL+sfemu.AdminPrefix+"apps", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("registering the connected app: %s", resp.Status)
	}
	return emu
}

// TestConnectThroughConsole runs the browser login with a plain HTTP
// client: Connect, the emulator's login form, the callback, the org page.
func TestConnectThroughConsole(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	f.user("cu@example.com", access.ConnectorUser)
	b := f.signedIn("cu@example.com")
	emu := emulatorApp(t, b.srv.URL)
	if _, err := f.db.Orgs().Create(context.Background(), store.Org{Name: "Emulator", LoginURL: emu.URL, ClientID: "console-key",
		ClientSecret: secret.New("console-secret")}); err != nil {
		t.Fatal(err)
	}
	r := b.get("/orgs/1")
	r.has(t, ">Connect<", "You have not linked your Salesforce identity")

	r = b.get("/orgs/1/connect")
	loginPage, err := url.Parse(r.path)
	if err != nil || loginPage.Path != "/services/oauth2/authorize" || !strings.Contains(r.body, `id="username"`) {
		t.Fatalf("Connect ended at %s (%d), not the emulator's login page", r.path, r.status)
	}
	form := loginPage.Query()
	form.Set("action", "login")
	form.Set("username", sfemutest.User)
	form.Set("password", sfemutest.Password)
	req, err := http.NewRequest(http.MethodPost, emu.URL+"/services/oauth2/authorize", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = b.do(req)
	if r.path != "/orgs/1?done=connected" {
		t.Fatalf("the login ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r.has(t, "Your Salesforce identity is linked.", `data-testid="connected-as">Connected as `+sfemutest.User+".<", ">Reconnect<")

	// The same callback again is refused clearly.
	r = b.get(api.CallbackPath + "?state=" + url.QueryEscape(form.Get("state")) + "&code=spent")
	if r.status != http.StatusConflict {
		t.Errorf("a spent callback: %d, want 409", r.status)
	}
	r.has(t, "This Salesforce login is unknown, was already used")
	// Salesforce saying no is shown with its reason.
	r = b.get("/orgs/1/connect")
	state := mustQuery(t, r.path).Get("state")
	r = b.get(api.CallbackPath + "?state=" + url.QueryEscape(state) + "&error=access_denied&error_description=end-user+denied+authorization")
	if r.status != http.StatusBadGateway {
		t.Errorf("a refused login: %d, want 502", r.status)
	}
	r.has(t, "Salesforce refused the login.", "access_denied")
}

func mustQuery(t *testing.T, uri string) url.Values {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestBrowserConnectOrg drives chromium through the first run, registering
// the emulator's org, and linking the admin's Salesforce identity through
// the emulator's login page.
func TestBrowserConnectOrg(t *testing.T) {
	ctx := tab(t)
	f := setup(t)
	base := f.serve()
	emu := emulatorApp(t, base)

	do(t, ctx, "first-run setup",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-password_confirm`)),
		chromedp.SendKeys(chromedp.CSS(`#f-login`), "root@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-display_name`), "Rosa Root"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.SendKeys(chromedp.CSS(`#f-password_confirm`), password),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)),
		loaded(),
	)
	do(t, ctx, "registering the emulator's org",
		chromedp.Click(chromedp.CSS(`nav a[href="/orgs"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/orgs"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Emulator"),
		chromedp.SetValue(chromedp.CSS(`#f-login`), "my_domain"),
		chromedp.SendKeys(chromedp.CSS(`#f-my_domain`), emu.URL),
		chromedp.SendKeys(chromedp.CSS(`#f-client_id`), "console-key"),
		chromedp.SendKeys(chromedp.CSS(`#f-client_secret`), "console-secret"),
		chromedp.Click(chromedp.CSS(`form[action="/orgs"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connect]`)),
		loaded(),
	)
	if cb := text(t, ctx, `[data-testid=callback-url]`); cb != base+api.CallbackPath {
		t.Errorf("the org page shows the callback %q, want %q", cb, base+api.CallbackPath)
	}
	do(t, ctx, "connecting through the emulator's login page",
		chromedp.Click(chromedp.CSS(`[data-testid=connect]`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SetValue(chromedp.CSS(`#username`), sfemutest.Admin),
		chromedp.SetValue(chromedp.CSS(`#password`), sfemutest.Password),
		chromedp.Click(chromedp.CSS(`#Login`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connected-as]`)),
		loaded(),
	)
	if loc := read(t, ctx, "location", chromedp.Location()); loc != base+"/orgs/1?done=connected" {
		t.Errorf("after the login the browser is at %s", loc)
	}
	if got := text(t, ctx, `[data-testid=connected-as]`); got != "Connected as "+sfemutest.Admin+"." {
		t.Errorf("the org page says %q", got)
	}
	if got := text(t, ctx, `[data-testid=org-state]`); got != "Connected" {
		t.Errorf("the org's state shows %q, want Connected", got)
	}
	conn, err := f.db.Connections().ForUser(context.Background(), 1, 1)
	if err != nil || conn.Username != sfemutest.Admin || conn.RefreshToken.IsZero() {
		t.Errorf("stored connection %+v, %v", conn, err)
	}
}
