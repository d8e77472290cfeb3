package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// TestBrowserActivitiesAndSearch drives the pages in chromium against the
// emulator: an email share logged with a suggested recipient becomes a Task
// on that contact; a search from the header box shows the record grouped
// under its object with its Salesforce link; a list view picked shows its
// rows.
func TestBrowserActivitiesAndSearch(t *testing.T) {
	ctx := tab(t)
	s := setupSF(t)
	s.person("root@example.com", "", access.SystemAdmin) // setup is done
	s.person("ana@example.com", sfemutest.Admin, access.ConnectorUser)
	base := s.serve()
	contact := s.values("SELECT Id FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Id")[0]
	email := s.values("SELECT Email FROM Contact WHERE Id = '"+contact+"'", "Email")[0]
	signIn(t, ctx, base, "ana@example.com")

	typed := email[:len(email)-4]
	pick := `#recipient-suggestions li[data-email="` + email + `"]`
	do(t, ctx, "logging an email share with a suggested recipient",
		chromedp.Navigate(base+"/activities"),
		chromedp.WaitVisible(chromedp.CSS(`#f-recipients`)),
		chromedp.SendKeys(chromedp.CSS(`#f-recipients`), typed),
		chromedp.WaitVisible(chromedp.CSS(pick)),
		chromedp.Click(chromedp.CSS(pick)),
		chromedp.SendKeys(chromedp.CSS(`#f-subject`), "Browser deck sfb-9"),
		chromedp.Click(chromedp.CSS(`form[action="/activities"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		loaded(),
	)
	if got := read(t, ctx, "reading the recipients sent", chromedp.Evaluate[string](`document.querySelector("table.activities tbody td:nth-child(3)").textContent`)); !strings.Contains(got, email) {
		t.Errorf("the logged activity's recipients %q do not show %s", got, email)
	}
	if who := s.values("SELECT WhoId FROM Task WHERE Subject = 'Browser deck sfb-9'", "WhoId"); len(who) != 1 || who[0] != contact {
		t.Errorf("Tasks in Salesforce with the subject have WhoId %v, want exactly [%s]", who, contact)
	}

	name := s.values("SELECT Name FROM Account ORDER BY Name LIMIT 1", "Name")[0]
	id := s.values("SELECT Id FROM Account ORDER BY Name LIMIT 1", "Id")[0]
	link := `[data-object="Account"] a[data-id="` + id + `"]`
	do(t, ctx, "searching from the header box",
		chromedp.SendKeys(chromedp.CSS(`#top-q`), name+"\n"),
		chromedp.WaitVisible(chromedp.CSS(link)),
	)
	href := read(t, ctx, "reading the record's link", chromedp.Evaluate[string](`document.querySelector('`+link+`').href`))
	if !strings.HasSuffix(href, "/lightning/r/Account/"+id+"/view") {
		t.Errorf("the account's link is %q, want its Salesforce record page", href)
	}

	do(t, ctx, "picking a list view",
		chromedp.Navigate(base+"/search/listviews?object=Account"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=ids]`)),
		chromedp.Click(chromedp.CSS(`input[name=ids]`)),
		chromedp.Click(chromedp.CSS(`form[method=post] button[type=submit]`)),
	)
	// The answer is a new page: wait for its rows rather than for a table
	// the page before the submit may show too.
	rows := read(t, ctx, "waiting for the list view's rows", chromedp.Poll[int](
		`(() => { const n = document.querySelectorAll(".listview-rows tbody tr").length; return document.readyState === "complete" && n > 0 ? n : 0 })()`))
	if rows == 0 {
		t.Error("the list view picked shows no rows")
	}
}
