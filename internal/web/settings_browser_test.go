package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// TestBrowserSettingsRoles drives the settings page in chromium: an admin
// opens search to the connector users by ticking the role, the page shows
// the role ticked after saving, a connector user then finds search in the
// navigation and a connector admin does not.
func TestBrowserSettingsRoles(t *testing.T) {
	ctx := tab(t)
	s := setupSF(t)
	s.person("root@example.com", "", access.SystemAdmin)
	s.person("carl@example.com", sfemutest.Admin, access.ConnectorUser)
	s.person("eve@example.com", sfemutest.User, access.ConnectorAdmin)
	base := s.serve()
	signIn(t, ctx, base, "root@example.com")

	const form = `form[data-feature="search"] `
	do(t, ctx, "opening search to the connector users",
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(form+`input[name=roles][value=connector_user]`)),
		chromedp.Click(chromedp.CSS(form+`input[name=everyone][value=false]`)),
		chromedp.Click(chromedp.CSS(form+`input[name=roles][value=connector_user]`)),
		chromedp.Click(chromedp.CSS(form+`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		loaded(),
	)
	checked := `[...document.querySelectorAll('form[data-feature="%s"] input[name=roles]:checked')].map(e => e.value).join(",")`
	for feature, want := range map[string]string{"search": "connector_user", "activity": ""} {
		js := fmt.Sprintf(checked, feature)
		if got := read(t, ctx, "reading the roles ticked for "+feature, chromedp.Evaluate[string](js)); got != want {
			t.Errorf("%s: roles ticked after saving = %q, want %q", feature, got, want)
		}
	}
	signOut(t, ctx)

	for login, want := range map[string]bool{"carl@example.com": true, "eve@example.com": false} {
		signIn(t, ctx, base, login)
		if got := read(t, ctx, "looking for the search link", chromedp.Evaluate[bool](`!!document.querySelector('nav a[href="/search"]')`)); got != want {
			t.Errorf("%s sees the search link: %v, want %v", login, got, want)
		}
		signOut(t, ctx)
	}
}
