package web

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// chosenRoles returns, per feature form of a settings page, the roles
// whose checkbox is checked.
func chosenRoles(t *testing.T, r response) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	forms := regexp.MustCompile(`(?s)data-feature="(\w+)">(.*?)</form>`).FindAllStringSubmatch(r.body, -1)
	if len(forms) != len(access.AllFeatures) {
		t.Fatalf("%s shows %d feature forms, want %d:\n%s", r.path, len(forms), len(access.AllFeatures), r.body)
	}
	box := regexp.MustCompile(`<input type="checkbox" name="roles" value="(\w+)"( checked)?>`)
	for _, form := range forms {
		boxes := box.FindAllStringSubmatch(form[2], -1)
		if len(boxes) != len(access.AllRoles) {
			t.Errorf("the %s form has %d role checkboxes, want one per role", form[1], len(boxes))
		}
		got[form[1]] = []string{}
		for _, b := range boxes {
			if b[2] != "" {
				got[form[1]] = append(got[form[1]], b[1])
			}
		}
	}
	return got
}

// TestSettingsPageRoles: the settings page offers every role beside the
// people, saves the roles chosen, shows them checked again, and a
// connector user then finds search in the navigation while a connector
// admin does not. An unknown role sent by hand is refused.
func TestSettingsPageRoles(t *testing.T) {
	t.Parallel()
	s := setupSF(t)
	s.person("root@example.com", "", access.SystemAdmin)
	s.person("carl@example.com", sfemutest.Admin, access.ConnectorUser)
	s.person("eve@example.com", sfemutest.User, access.ConnectorAdmin)
	b := s.signedIn("root@example.com")

	r := b.get("/settings")
	r.has(t, "Roles", "Connector user", "Everyone who holds a chosen role may use it")
	for feature, roles := range chosenRoles(t, r) {
		if len(roles) != 0 {
			t.Errorf("%s: roles %v checked by default, want none", feature, roles)
		}
	}

	r = b.post("/settings/features/search", url.Values{"everyone": {"false"}, "roles": {"connector_user", "connector_admin"}})
	if r.path != "/settings?done=feature_saved" {
		t.Fatalf("saving the roles ended at %s (%d):\n%s", r.path, r.status, r.body)
	}
	r = b.post("/settings/features/search", url.Values{"everyone": {"false"}, "roles": {"connector_user"}})
	got := chosenRoles(t, r)
	if len(got["activity"]) != 0 || len(got["search"]) != 1 || got["search"][0] != "connector_user" {
		t.Errorf("roles checked after saving = %v, want connector_user for search only", got)
	}

	s.signedIn("carl@example.com").get("/").has(t, `href="/search"`, `action="/search"`)
	eve := s.signedIn("eve@example.com")
	eve.get("/").lacks(t, `href="/search"`)
	if r := eve.get("/search?q=acme"); r.status != http.StatusForbidden {
		t.Errorf("GET /search by a connector admin without the role granted: %d, want 403", r.status)
	}

	r = b.post("/settings/features/search", url.Values{"everyone": {"false"}, "roles": {"sales_team"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("an unknown role: status %d, want 400", r.status)
	}
	if got := chosenRoles(t, b.get("/settings")); len(got["search"]) != 1 || got["search"][0] != "connector_user" {
		t.Errorf("a refused change changed the roles: %v", got)
	}
}
