package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
)

func TestNewNeedsAPI(t *testing.T) {
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "Options.API") {
		t.Fatalf("New without an API: %v, want an error naming Options.API", err)
	}
}

func TestFirstRunSetup(t *testing.T) {
	f := setup(t)
	b := f.browser()

	r := b.get("/people")
	if r.path != "/setup" || r.status != http.StatusOK {
		t.Fatalf("a fresh server sent /people to %s (%d), want the setup page", r.path, r.status)
	}
	r.has(t, "Set up sfbridge", `name="password_confirm"`)

	r = b.post("/setup", url.Values{"login": {"root@example.com"}, "display_name": {"Root"},
		"password": {password}, "password_confirm": {"something else"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("mismatched passwords: status %d, want 400", r.status)
	}
	r.has(t, "The two passwords differ", `value="root@example.com"`)

	r = b.post("/setup", url.Values{"login": {"root @example.com"}, "password": {"short"}, "password_confirm": {"short"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("invalid setup: status %d, want 400", r.status)
	}
	r.has(t, "Give a login without spaces", "Use a password of at least 12 characters", `aria-invalid="true"`)

	r = b.post("/setup", url.Values{"login": {"root@example.com"}, "display_name": {"Root"},
		"password": {password}, "password_confirm": {password}})
	if r.path != "/?done=welcome" {
		t.Fatalf("setup ended at %s (%d), want home", r.path, r.status)
	}
	r.has(t, "Hello, Root", "sfbridge is set up", "System admin", `href="/people"`)
	u, err := f.store.UserByLogin(context.Background(), "root@example.com")
	if err != nil || u.Roles != access.RolesOf(access.SystemAdmin) {
		t.Fatalf("setup stored %+v, %v; want a system admin", u, err)
	}

	// Once done, setup is gone for everyone.
	if r := f.browser().get("/setup"); r.path != "/signin" {
		t.Errorf("GET /setup after setup ended at %s, want /signin", r.path)
	}
	if r := f.browser().post("/setup", url.Values{"login": {"evil@example.com"}, "password": {password}, "password_confirm": {password}}); r.path != "/signin" {
		t.Errorf("POST /setup after setup ended at %s, want /signin", r.path)
	}
	if _, err := f.store.UserByLogin(context.Background(), "evil@example.com"); err == nil {
		t.Error("a second setup created a user")
	}
}

func TestSignInOut(t *testing.T) {
	f := setup(t)
	f.user("ada@example.com", access.SystemAdmin)
	b := f.browser()

	r := b.get("/tokens")
	if r.path != "/signin?next=%2Ftokens" {
		t.Fatalf("signed-out /tokens ended at %s, want sign-in coming back to /tokens", r.path)
	}
	r = b.post("/signin", url.Values{"login": {"ada@example.com"}, "password": {"wrong password!"}, "next": {"/tokens"}})
	if r.status != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", r.status)
	}
	r.has(t, "The login or the password is wrong.", `value="ada@example.com"`, `name="next" value="/tokens"`)
	r.lacks(t, "wrong password!")

	r = b.post("/signin", url.Values{"login": {"ada@example.com"}, "password": {password}, "next": {"/tokens"}})
	if r.path != "/tokens" {
		t.Fatalf("signing in ended at %s, want the page asked for", r.path)
	}
	r.has(t, `data-testid="who">Ada<`)

	if r := b.get("/signin"); r.path != "/" {
		t.Errorf("a signed-in browser on /signin ended at %s, want home", r.path)
	}
	r = b.post("/signout", nil)
	if r.path != "/signin?done=signed_out" {
		t.Fatalf("signing out ended at %s", r.path)
	}
	r.has(t, "You are signed out.")
	if r := b.get("/"); r.path != "/signin" {
		t.Errorf("after signing out, / ended at %s, want /signin", r.path)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	for _, next := range []string{"https://evil.example", "//evil.example", `/\evil.example`, "javascript:alert(1)"} {
		if got := localPath(next, "/"); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", next, got)
		}
	}
	if got := localPath("/people?x=1", "/"); got != "/people?x=1" {
		t.Errorf("localPath kept %q, want the local path", got)
	}
}

// TestPageAccess walks every page and action as each kind of person: what
// the role matrix refuses answers 403 with the reason, and the navigation
// shows People only to those who may open it.
func TestPageAccess(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	f.user("cadmin@example.com", access.ConnectorAdmin)
	cu := f.user("cu@example.com", access.ConnectorUser)
	f.user("norole@example.com")

	for _, tc := range []struct {
		login      string
		peopleCode int
	}{
		{"root@example.com", http.StatusOK},
		{"cadmin@example.com", http.StatusOK},
		{"cu@example.com", http.StatusForbidden},
		{"norole@example.com", http.StatusForbidden},
	} {
		t.Run(tc.login, func(t *testing.T) {
			b := f.signedIn(tc.login)
			home := b.get("/")
			r := b.get("/people")
			if r.status != tc.peopleCode {
				t.Errorf("GET /people: %d, want %d", r.status, tc.peopleCode)
			}
			if tc.peopleCode == http.StatusForbidden {
				home.lacks(t, `href="/people"`)
				r.has(t, "Only a system admin or a connector admin may do this.")
				for _, post := range []string{"/people", fmt.Sprintf("/people/%d/roles", cu.ID), "/people/restricted", fmt.Sprintf("/people/%d/restricted", cu.ID)} {
					if r := b.post(post, url.Values{"roles": {"system_admin"}, "on": {"true"}, "login": {"x@example.com"}, "password": {password}}); r.status != http.StatusForbidden {
						t.Errorf("POST %s: %d, want 403", post, r.status)
					}
				}
				if got := f.roles(cu.ID); got != access.RolesOf(access.ConnectorUser) {
					t.Errorf("a refused change was applied: roles %s", got)
				}
			} else {
				home.has(t, `href="/people"`)
			}
			if r := b.get("/tokens"); r.status != http.StatusOK {
				t.Errorf("GET /tokens: %d, want 200 for everyone", r.status)
			}
		})
	}
}

func TestPromote(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	f.user("cadmin@example.com", access.ConnectorAdmin)
	bob := f.user("bob@example.com")
	rolesPath := fmt.Sprintf("/people/%d/roles", bob.ID)

	// A connector admin may make Bob a connector user, and nothing more: the
	// other boxes are disabled, and posting them anyway changes nothing.
	ca := f.signedIn("cadmin@example.com")
	r := ca.get("/people")
	row := rowOf(t, r.body, "bob@example.com")
	for role, editable := range map[access.Role]bool{access.SystemAdmin: false, access.ConnectorAdmin: false, access.ConnectorUser: true} {
		box := regexp.MustCompile(`<input type="checkbox" name="roles" value="` + string(role) + `"[^>]*>`).FindString(row)
		if box == "" || strings.Contains(box, "disabled") == editable {
			t.Errorf("connector admin's box for %s: %q, want editable=%v", role, box, editable)
		}
	}
	r = ca.post(rolesPath, url.Values{"roles": {"connector_user", "connector_admin", "system_admin"}})
	if r.path != "/people?done=roles_saved" {
		t.Fatalf("saving roles ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "Roles saved.")
	if got := f.roles(bob.ID); got != access.RolesOf(access.ConnectorUser) {
		t.Errorf("after the connector admin's change Bob has %s, want connector_user only", got)
	}

	// A system admin may make him a connector admin and take the user role.
	root := f.signedIn("root@example.com")
	root.post(rolesPath, url.Values{"roles": {"connector_admin"}})
	if got := f.roles(bob.ID); got != access.RolesOf(access.ConnectorAdmin) {
		t.Errorf("after the system admin's change Bob has %s, want connector_admin", got)
	}

	// The last system admin cannot drop their own role.
	rootUser, _ := f.store.UserByLogin(context.Background(), "root@example.com")
	r = root.post(fmt.Sprintf("/people/%d/roles", rootUser.ID), url.Values{})
	if r.status != http.StatusConflict {
		t.Errorf("removing the last system admin: %d, want 409", r.status)
	}
	r.has(t, "without a system admin")

	if r := root.post("/people/0/roles", nil); r.status != http.StatusNotFound {
		t.Errorf("roles of user 0: %d, want 404", r.status)
	}
	if r := root.post("/people/999/roles", nil); r.status != http.StatusNotFound {
		t.Errorf("roles of user 999: %d, want 404", r.status)
	}
}

func TestAddPerson(t *testing.T) {
	f := setup(t)
	f.user("cadmin@example.com", access.ConnectorAdmin)
	b := f.signedIn("cadmin@example.com")

	r := b.post("/people", url.Values{"login": {"new@example.com"}, "display_name": {"New"}, "password": {"short"},
		"roles": {"connector_user"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a short password: %d, want 400", r.status)
	}
	// The form comes back as typed, the role ticked still ticked.
	r.has(t, "Use a password of at least 12 characters", `value="new@example.com"`, `value="connector_user" checked>`)

	r = b.post("/people", url.Values{"login": {"new@example.com"}, "display_name": {"New"}, "password": {password},
		"roles": {"connector_user", "system_admin"}})
	if r.path != "/people?done=person_added" {
		t.Fatalf("adding ended at %s (%d)", r.path, r.status)
	}
	u, err := f.store.UserByLogin(context.Background(), "new@example.com")
	if err != nil || u.Roles != access.RolesOf(access.ConnectorUser) {
		t.Errorf("added %+v, %v; want a connector user (the system admin box is not the connector admin's to tick)", u, err)
	}
	r = b.post("/people", url.Values{"login": {"NEW@example.com"}, "password": {password}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a taken login: %d, want 400", r.status)
	}
}

func TestRestrictedList(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	cu := f.user("cu@example.com", access.ConnectorUser)
	b := f.signedIn("root@example.com")
	member := fmt.Sprintf("/people/%d/restricted", cu.ID)

	r := b.get("/people")
	r.has(t, "The list is off", "Turn the list on")
	r.lacks(t, member)
	if r := b.post(member, url.Values{"member": {"add"}}); r.status != http.StatusConflict {
		t.Errorf("adding while the list is off: %d, want 409", r.status)
	}

	r = b.post("/people/restricted", url.Values{"on": {"true"}})
	r.has(t, "The restricted-access list is on.", "Turn the list off", member)
	r = b.post(member, url.Values{"member": {"add"}})
	r.has(t, "Added to the restricted-access list.")
	if list, _ := f.store.Restricted(context.Background()); !list.On || len(list.Members) != 1 || list.Members[0] != cu.ID {
		t.Errorf("list = %+v, want on with user %d", list, cu.ID)
	}
	r = b.post(member, url.Values{"member": {"remove"}})
	r.has(t, "Workflows disabled: 0.")
	if list, _ := f.store.Restricted(context.Background()); len(list.Members) != 0 {
		t.Errorf("list = %+v, want no member", list)
	}
	r = b.post("/people/restricted", url.Values{"on": {"false"}})
	r.has(t, "The restricted-access list is off.")
}

func TestTokens(t *testing.T) {
	f := setup(t)
	f.user("cu@example.com", access.ConnectorUser)
	b := f.signedIn("cu@example.com")

	r := b.get("/tokens")
	r.has(t, "You have no API token.")
	if r := b.post("/tokens", url.Values{"name": {"  "}}); r.status != http.StatusBadRequest {
		t.Errorf("a token without a name: %d, want 400", r.status)
	}
	r = b.post("/tokens", url.Values{"name": {"CI <script>"}, "expires_in_days": {"30"}})
	if r.status != http.StatusCreated {
		t.Fatalf("creating a token: %d\n%s", r.status, r.body)
	}
	secret := regexp.MustCompile(`data-testid="new-token">(sfbp_[^<]+)<`).FindStringSubmatch(r.body)
	if secret == nil {
		t.Fatalf("the new token's secret is not shown:\n%s", r.body)
	}
	r.has(t, "CI &lt;script&gt;", f.now.AddDate(0, 0, 30).Format("Jan 2, 2006"))
	r.lacks(t, "CI <script>")
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("the page with the secret has Cache-Control %q, want no-store", got)
	}

	// The token is a real API token, and the list never shows it again.
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret[1])
	if resp, err := b.srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("calling the API with the new token: %v, %v", resp, err)
	}
	r = b.get("/tokens")
	r.lacks(t, secret[1])
	r.has(t, "…"+secret[1][len(secret[1])-4:])

	id := regexp.MustCompile(`action="/tokens/(tok_[0-9a-f]+)/revoke"`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatalf("no revoke button:\n%s", r.body)
	}
	r = b.post("/tokens/"+id[1]+"/revoke", nil)
	r.has(t, "Token revoked.", "You have no API token.")
	if r := b.post("/tokens/"+id[1]+"/revoke", nil); r.status != http.StatusNotFound {
		t.Errorf("revoking twice: %d, want 404", r.status)
	}
}

func TestCrossOriginFormsRefused(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	bob := f.user("bob@example.com")
	b := f.signedIn("root@example.com")
	b.header.Set("Sec-Fetch-Site", "cross-site")
	r := b.post(fmt.Sprintf("/people/%d/roles", bob.ID), url.Values{"roles": {"system_admin"}})
	if r.status != http.StatusForbidden {
		t.Errorf("a cross-site form post: %d, want 403", r.status)
	}
	r.has(t, "sent from another site")
	if got := f.roles(bob.ID); got != 0 {
		t.Errorf("the cross-site change was applied: %s", got)
	}
	// Reading pages from a link on another site is fine.
	if r := b.get("/people"); r.status != http.StatusOK {
		t.Errorf("a cross-site GET: %d, want 200", r.status)
	}
}

func TestLanguage(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)

	b := f.browser()
	b.header.Set("Accept-Language", "de-DE, fr-CA;q=0.9, en;q=0.5")
	r := b.get("/signin")
	r.has(t, `<html lang="fr">`, "Connexion", "Se connecter")
	if got := r.header.Get("Content-Language"); got != "fr" {
		t.Errorf("Content-Language %q, want fr", got)
	}

	b = f.signedIn("root@example.com")
	b.get("/").has(t, `<html lang="en">`, "Hello, Root")
	r = b.post("/lang", url.Values{"lang": {"fr"}, "back": {"/people"}})
	if r.path != "/people" {
		t.Errorf("switching language ended at %s, want back on /people", r.path)
	}
	r.has(t, `<html lang="fr">`, "Personnes et rôles", "Administrateur système")
	b.get("/").has(t, "Bonjour, Root")
	// A language we do not speak, or a page off the site, changes nothing.
	r = b.post("/lang", url.Values{"lang": {"xx"}, "back": {"https://evil.example/"}})
	if r.path != "/" {
		t.Errorf("a bad switch ended at %s, want home", r.path)
	}
	r.has(t, "Bonjour, Root")
}

func TestNotFoundAndAssets(t *testing.T) {
	f := setup(t)
	b := f.browser()
	if r := b.get("/nowhere"); r.status != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", r.status)
	}
	r := b.get("/static/app.css?v=x")
	if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET app.css: %d, %v", r.status, r.header)
	}
	if r := b.get("/api/v1/setup"); r.status != http.StatusOK || !strings.Contains(r.body, `"needed":true`) {
		t.Errorf("the API is not served through the console: %d %s", r.status, r.body)
	}
	csp := b.get("/signin").header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

// rowOf returns the People table's row of login.
func rowOf(t *testing.T, body, login string) string {
	t.Helper()
	start := strings.Index(body, `<tr data-login="`+login+`">`)
	if start < 0 {
		t.Fatalf("no row for %s in:\n%s", login, body)
	}
	end := strings.Index(body[start:], "</tr>")
	return body[start : start+end]
}

// TestTemplateActions fails when a template asks .Can about an action that
// has no access rule: Decide would refuse it, hiding the control from all.
func TestTemplateActions(t *testing.T) {
	re := regexp.MustCompile(`\.Can "([^"]+)"`)
	n := 0
	err := fs.WalkDir(assetFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
			n++
			if !access.Action(m[1]).Known() {
				t.Errorf("%s: .Can %q names no access action", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no .Can found in the templates; is the pattern stale?")
	}
}

func TestHomeUsageChart(t *testing.T) {
	f := setup(t, func(o *Options) { o.Usage = demoUsage })
	f.user("cu@example.com", access.ConnectorUser)
	b := f.signedIn("cu@example.com")
	b.get("/").has(t, `<svg xmlns="http://www.w3.org/2000/svg" class="chart"`, "Salesforce API calls per day", ">Mar 2<", "Mar 3: 2140")
	b.header.Set("Accept-Language", "fr")
	b.get("/").has(t, "Appels à l&#39;API Salesforce par jour", ">02/03<", "03/03: 2140")
	// Without a role, the orgs' usage is not one's to see (org.view).
	f.user("norole@example.com")
	f.signedIn("norole@example.com").get("/").lacks(t, "Salesforce API calls per day", `class="chart"`)

	failing := setup(t, func(o *Options) {
		o.Usage = func(*http.Request) ([]DailyUsage, error) { return nil, errors.New("the usage store is down") }
	})
	failing.user("cu@example.com", access.ConnectorUser)
	r := failing.signedIn("cu@example.com").get("/")
	if r.status != http.StatusInternalServerError {
		t.Errorf("home with a failing usage source: %d, want 500", r.status)
	}
	r.lacks(t, "the usage store is down")
}

func TestTokenExpiryNotANumber(t *testing.T) {
	f := setup(t)
	f.user("cu@example.com", access.ConnectorUser)
	r := f.signedIn("cu@example.com").post("/tokens", url.Values{"name": {"CI"}, "expires_in_days": {"soon"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("expires_in_days=soon: %d, want 400", r.status)
	}
	r.has(t, "Choose one of the lifetimes offered.")
}

func TestNoticeCountsOnly(t *testing.T) {
	f := setup(t)
	f.user("root@example.com", access.SystemAdmin)
	b := f.signedIn("root@example.com")
	b.get("/people?done=member_removed&n=3").has(t, "Workflows disabled: 3.")
	for _, query := range []string{"done=member_removed&n=" + url.QueryEscape("call +1 555 0100"), "done=member_removed", "done=no_such_notice"} {
		if r := b.get("/people?" + query); strings.Contains(r.body, `class="notice"`) {
			t.Errorf("/people?%s shows a notice", query)
		}
	}
}
