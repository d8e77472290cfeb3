package web

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sfbridge/sfbridge/internal/access"
)

// TestPagesGolden pins the HTML of pages whose content does not depend on
// time or random secrets, in both languages; -update rewrites
// testdata/pages/*.html.
func TestPagesGolden(t *testing.T) {
	for _, tc := range []struct {
		name, lang, login string // login "": signed out
		users             bool   // people exist (else a fresh server)
		post              url.Values
		path              string
	}{
		{name: "setup-errors-fr", lang: "fr", path: "/setup",
			post: url.Values{"login": {"a b"}, "display_name": {"Ada <b>"}, "password": {"short"}, "password_confirm": {"short"}}},
		{name: "signin-en", lang: "en", users: true, path: "/signin?next=/people"},
		{name: "people-connector-admin-en", lang: "en", users: true, login: "cadmin@example.com", path: "/people"},
		{name: "people-system-admin-fr", lang: "fr", users: true, login: "root@example.com", path: "/people"},
		{name: "home-no-role-en", lang: "en", users: true, login: "norole@example.com", path: "/"},
		{name: "refused-connector-user-fr", lang: "fr", users: true, login: "cu@example.com", path: "/people"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			if tc.users {
				f.user("root@example.com", access.SystemAdmin)
				f.user("cadmin@example.com", access.ConnectorAdmin)
				f.user("cu@example.com", access.ConnectorUser)
				f.user("norole@example.com")
			}
			b := f.browser()
			if tc.login != "" {
				b = f.signedIn(tc.login)
			}
			b.header.Set("Accept-Language", tc.lang)
			var r response
			if tc.post != nil {
				r = b.post(tc.path, tc.post)
			} else {
				r = b.get(tc.path)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), r.body)
		})
	}
}
