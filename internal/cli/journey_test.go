package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

var updateScreenshots = flag.Bool("update-screenshots", false,
	"rewrite the console journey's pages in docs/screenshots/ (see docs/screenshots/README.md)")

// journey is the console journey's world: the emulator and sfbridge
// running as processes of the built binary, and two people, each in their
// own browser (a browser context of one chromium: their own cookies).
type journey struct {
	t       *testing.T
	base    string // the console, on localhost (where browsers keep Secure cookies)
	emu     string // the emulator, as sfbridge's org logs in to it
	rest    string // the emulator's REST API, ".../services/data/vNN.N/"
	token   string // an emulator session of its admin user, for checking records
	admin   context.Context
	shotDir string // "" unless -update-screenshots
}

const (
	journeyPassword = "a long enough passphrase"
	adminLogin      = "rosa@example.com"
	userLogin       = "bob@example.com"
)

// TestConsoleJourney is issue 5's browser journey through the built
// binary: `sfbridge emulator` (demo seed) and `sfbridge serve` (a fresh data
// directory) run as processes, and chromium does what people do. The first
// run creates the system admin, who registers the emulator's org, connects
// it through the emulator's OAuth login page, builds a two-way Lead workflow
// in the builder, enables and runs it, sees the rows arrive in the sheet's
// grid, edits a cell and finds the change in the emulator, and sees a change
// made in the emulator reach the row. The admin then adds a connector user,
// who connects their own Salesforce identity, builds their own workflow and
// does not see the admin's; the admin disables the connector user's
// workflow, and the connector user sees it disabled. No request of either
// browser may get a server error.
//
// With -update-screenshots it also rewrites the pages of
// docs/screenshots/README.md it owns.
func TestConsoleJourney(t *testing.T) {
	j := startJourney(t)
	admin := j.admin

	j.firstRun("Rosa Root")
	orgID := j.registerAndConnect()

	// A two-way Lead workflow, built in the builder, then enabled and run.
	wfID := j.buildWorkflow(admin, recipe{name: "hot-leads", object: "Lead", direction: "both",
		fields: []string{"Email", "Title"}, when: [2]string{"Rating", "Hot"}})
	run(t, admin, "enabling hot-leads", submit(`[data-action=enable]`))
	j.wantNotice(admin, "The workflow is enabled")
	if got := readText(t, admin, `[data-testid=state]`); got != "Enabled" {
		t.Fatalf("after Enable the workflow's state shows %q:\n%s", got, readText(t, admin, "main"))
	}
	j.runNow(wfID)

	// The rows arrive in the grid.
	sheet := j.base + "/sheets/hot_leads"
	j.reloadUntil(admin, sheet, `document.querySelectorAll('table.grid tbody tr').length > 0`, func() string {
		return "no row in the hot_leads sheet after a run; the workflow says: " + j.workflowState(wfID)
	})
	row := evaluate[string](t, admin, `document.querySelector('table.grid tbody tr').dataset.row`)
	leadID := evaluate[string](t, admin, `document.querySelector('table.grid tbody tr[data-row="`+row+`"] td:last-child a').textContent.trim()`)
	if !regexp.MustCompile(`^00Q[0-9A-Za-z]{15}$`).MatchString(leadID) {
		t.Fatalf("row %s links to %q, not a Lead's Salesforce ID", row, leadID)
	}
	lastName := evaluate[string](t, admin, `document.querySelector('tr[data-row="`+row+`"] td[data-column="last_name"] input[name=value]').value`)

	// A cell edited in the grid reaches the emulator.
	cell := `tr[data-row="` + row + `"] td[data-column="title"] input[name=value]`
	badge := `[data-testid="status-` + row + `"]`
	run(t, admin, "editing the title of row "+row,
		chromedp.WaitVisible(chromedp.CSS(cell)),
		until(`(window.notReloaded = true) && (document.querySelector('`+cell+`').value = "") === ""`),
		chromedp.SendKeys(chromedp.CSS(cell), "Edited in the browser\r"),
		until(`window.notReloaded === true && document.querySelector('`+badge+`').classList.contains("status-synced") &&
			document.querySelector('`+cell+`').defaultValue === "Edited in the browser"`),
	)
	j.shot("sheet-grid", "", "")
	j.waitLeadTitle(leadID, "Edited in the browser")

	// A change made in the emulator reaches the row at the next run.
	j.patchLead(leadID, `{"Title":"Changed in Salesforce"}`)
	j.runNow(wfID)
	j.reloadUntil(admin, sheet, `document.querySelector('`+cell+`').value === "Changed in Salesforce"`, func() string {
		return fmt.Sprintf("row %s's title is %q after a run, want the emulator's change; the workflow says: %s",
			row, evaluate[string](t, admin, `document.querySelector('`+cell+`')?.value ?? "(no such cell)"`), j.workflowState(wfID))
	})

	// A second person, a connector user, with their own connection and
	// workflow, in their own browser.
	j.addConnectorUser(userLogin, "Bob Builder")
	bob := j.secondBrowser()
	j.signIn(bob, userLogin)
	j.connect(bob, orgID, "user@example.com")
	bobWF := j.buildWorkflow(bob, recipe{name: "bob-accounts", object: "Account", direction: "inbound", enabled: true})
	run(t, bob, "opening Bob's workflow list", chromedp.Navigate(j.base+"/workflows"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-workflow="bob-accounts"]`)), loaded())
	if names := evaluate[[]string](t, bob, `[...document.querySelectorAll('tr[data-workflow]')].map(r => r.dataset.workflow)`); strings.Join(names, ",") != "bob-accounts" {
		t.Errorf("Bob's workflow list shows %q, want only his own bob-accounts", names)
	}
	if got := readText(t, bob, `tr[data-workflow="bob-accounts"] [data-testid=state]`); got != "Enabled" {
		t.Errorf("Bob's new workflow shows %q, want Enabled", got)
	}
	if status := j.status(bob, fmt.Sprintf("/workflows/%d", wfID)); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("Bob opening the admin's workflow: %d, want 403 or 404", status)
	}

	// The admin sees both workflows, and may only disable Bob's.
	bobRow := `tr[data-workflow="bob-accounts"]`
	run(t, admin, "opening the admin's workflow list", chromedp.Navigate(j.base+"/workflows"),
		chromedp.WaitVisible(chromedp.CSS(bobRow)), loaded())
	if names := evaluate[[]string](t, admin, `[...document.querySelectorAll('tr[data-workflow]')].map(r => r.dataset.workflow).sort()`); strings.Join(names, ",") != "bob-accounts,hot-leads" {
		t.Errorf("the admin's workflow list shows %q, want everyone's", names)
	}
	if actions := evaluate[[]string](t, admin, `[...document.querySelectorAll('`+bobRow+` button')].map(b => b.dataset.action)`); strings.Join(actions, ",") != "disable" {
		t.Errorf("on Bob's workflow the admin has the buttons %q, want only disable", actions)
	}
	run(t, admin, "disabling Bob's workflow",
		until(`(window.confirm = () => true) && true`),
		submit(bobRow+` button[data-action=disable]`))
	j.wantNotice(admin, "The workflow is disabled")
	if got := readText(t, admin, bobRow+` [data-testid=state]`); got != "Disabled" {
		t.Errorf("after the admin disabled it, Bob's workflow shows %q", got)
	}

	// Bob sees his workflow disabled, and may enable it again.
	run(t, bob, "Bob reloading his workflow list", chromedp.Navigate(j.base+"/workflows"),
		chromedp.WaitVisible(chromedp.CSS(bobRow)), loaded())
	if got := readText(t, bob, bobRow+` [data-testid=state]`); got != "Disabled" {
		t.Errorf("Bob's workflow shows %q after the admin disabled it", got)
	}
	if actions := evaluate[[]string](t, bob, `[...document.querySelectorAll('`+bobRow+` button')].map(b => b.dataset.action)`); strings.Join(actions, ",") != "enable" {
		t.Errorf("on his disabled workflow Bob has the buttons %q, want enable", actions)
	}
	run(t, bob, "Bob opening his workflow", chromedp.Navigate(fmt.Sprintf("%s/workflows/%d", j.base, bobWF)),
		chromedp.WaitVisible(chromedp.CSS(`.wf-facts`)), loaded())
	if got := readText(t, bob, `.wf-facts [data-testid=state]`); got != "Disabled" {
		t.Errorf("Bob's workflow page shows %q after the admin disabled it", got)
	}

	// The audit log says who disabled it.
	run(t, admin, "opening the audit log", chromedp.Navigate(j.base+"/audit?action=workflow.disable"),
		chromedp.WaitVisible(chromedp.CSS(`table.audit`)), loaded())
	if got := readText(t, admin, `table.audit tbody`); !strings.Contains(got, adminLogin) || !strings.Contains(got, "bob-accounts") {
		t.Errorf("the audit log of workflow.disable says %q, want the admin disabling bob-accounts", got)
	}
	j.otherShots(sheet, lastName)
}

// startJourney starts the emulator and sfbridge, and a browser for the
// admin.
func startJourney(t *testing.T) *journey {
	admin := chromiumTab(t)
	emu := start(t, t.TempDir(), nil, "emulator", "--listen", "127.0.0.1:0")
	ready, _ := emu.waitLine(t, "emulator ready: ")
	restLine, _ := emu.waitLine(t, "  REST API:")
	loginLine, _ := emu.waitLine(t, "  admin API:")
	dir := t.TempDir()
	srv := start(t, dir, nil, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	console, _ := srv.waitLine(t, "console: ")

	// The window's viewport, whatever room the headless browser's frame takes.
	run(t, admin, "sizing the window", chromedp.EmulateViewport(1280, 800))
	rest := regexp.MustCompile(`REST API:\s+(http://\S+/)$`).FindStringSubmatch(restLine)
	adm := regexp.MustCompile(`admin API:\s+(http://\S+/_emulator/)state `).FindStringSubmatch(loginLine)
	base := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(console)
	if rest == nil || adm == nil || base == "" {
		t.Fatalf("the emulator's or the server's start lines changed: %q %q %q", restLine, loginLine, console)
	}
	j := &journey{t: t, admin: admin, emu: strings.TrimPrefix(ready, "emulator ready: "), rest: rest[1],
		base: strings.Replace(base, "127.0.0.1", "localhost", 1)}
	j.token = emulatorToken(t, adm[1]+"login", `{"username":"admin@example.com"}`)
	j.watchServerErrors(admin)
	if *updateScreenshots {
		j.shotDir = filepath.Join("..", "..", "docs", "screenshots")
	}
	return j
}

// secondBrowser returns a tab in a browser context of its own: another
// person's browser, with its own cookies, in the same chromium.
func (j *journey) secondBrowser() context.Context {
	ctx, cancel := chromedp.NewContext(j.admin, chromedp.WithNewBrowserContext())
	j.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		j.t.Fatalf("opening a second browser context: %v", err)
	}
	j.watchServerErrors(ctx)
	return ctx
}

// watchServerErrors fails the test, at its end, if sfbridge answered any
// request of the tab (a page, or a fetch of its scripts) with a server
// error: a page may show its layout, and the journey go on, over one.
func (j *journey) watchServerErrors(tab context.Context) {
	ctx, cancel := context.WithCancel(tab)
	events := chromedp.Events(ctx, network.ResponseReceived)
	var failed []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range events {
			if err != nil {
				return // the tab or the watch ended
			}
			if r := ev.Response; r != nil && r.Status >= 500 && strings.HasPrefix(r.URL, j.base) {
				failed = append(failed, fmt.Sprintf("%d %s", r.Status, strings.TrimPrefix(r.URL, j.base)))
			}
		}
	}()
	j.t.Cleanup(func() {
		cancel()
		<-done
		if len(failed) > 0 {
			j.t.Errorf("sfbridge answered %d requests with a server error (its log above says why):\n%s", len(failed), strings.Join(failed, "\n"))
		}
	})
}

// firstRun creates the system admin through first-run setup.
func (j *journey) firstRun(name string) {
	t, ctx := j.t, j.admin
	run(t, ctx, "opening a fresh server",
		chromedp.Navigate(j.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-password_confirm`)), loaded())
	if loc := evaluate[string](t, ctx, `location.pathname`); loc != "/setup" {
		t.Fatalf("a fresh server showed %s, want /setup", loc)
	}
	run(t, ctx, "filling the setup form",
		chromedp.SendKeys(chromedp.CSS(`#f-login`), adminLogin),
		chromedp.SendKeys(chromedp.CSS(`#f-display_name`), name),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), journeyPassword),
		chromedp.SendKeys(chromedp.CSS(`#f-password_confirm`), journeyPassword),
		submit(`main button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)))
	if roles := readText(t, ctx, ".who-roles"); roles != "System admin" {
		t.Errorf("after setup the header shows the roles %q, want System admin", roles)
	}
	// Sign out and in again: the account works beyond the setup's session.
	run(t, ctx, "signing out",
		submit(`form[action="/signout"] button`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"]`)))
	j.signIn(ctx, adminLogin)
}

func (j *journey) signIn(ctx context.Context, login string) {
	run(j.t, ctx, "signing in as "+login,
		chromedp.Navigate(j.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#f-login`)),
		chromedp.SetValue(chromedp.CSS(`#f-login`), login),
		chromedp.SetValue(chromedp.CSS(`#f-password`), journeyPassword),
		submit(`main button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)))
}

// registerAndConnect registers the emulator's org on /orgs with the
// emulator's development connected app, and connects the admin's
// Salesforce identity through the emulator's login page. It returns the
// org's ID.
func (j *journey) registerAndConnect() int64 {
	t, ctx := j.t, j.admin
	run(t, ctx, "registering the emulator's org",
		submit(`nav a[href="/orgs"]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/orgs"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Emulator"),
		chromedp.SetValue(chromedp.CSS(`#f-login`), "my_domain"),
		chromedp.SendKeys(chromedp.CSS(`#f-my_domain`), j.emu),
		chromedp.SendKeys(chromedp.CSS(`#f-client_id`), "sfbridge-dev"),
		chromedp.SendKeys(chromedp.CSS(`#f-client_secret`), "sfbridge-dev-secret"),
		submit(`form[action="/orgs"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connect]`)))
	if cb := readText(t, ctx, `[data-testid=callback-url]`); cb != j.base+"/oauth/callback" {
		t.Errorf("the org page shows the callback %q, want %q", cb, j.base+"/oauth/callback")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(evaluate[string](t, ctx, `location.pathname`), "/orgs/"), 10, 64)
	if err != nil {
		t.Fatalf("registering the org led to %s, not the org's page", evaluate[string](t, ctx, `location.href`))
	}
	j.connect(ctx, id, "admin@example.com")
	if got := readText(t, ctx, `[data-testid=org-state]`); got != "Connected" {
		t.Errorf("the org's state shows %q, want Connected", got)
	}
	j.shot("org-detail", "", "")
	return id
}

// connect links the signed-in person's Salesforce identity to the org,
// logging in on the emulator's login page as username.
func (j *journey) connect(ctx context.Context, orgID int64, username string) {
	t := j.t
	run(t, ctx, "connecting as "+username+" through the emulator's login page",
		chromedp.Navigate(fmt.Sprintf("%s/orgs/%d", j.base, orgID)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connect]`)), loaded(),
		submit(`[data-testid=connect]`),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SetValue(chromedp.CSS(`#username`), username),
		chromedp.SetValue(chromedp.CSS(`#password`), "sfbridge"),
		submit(`#Login`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connected-as]`)))
	if got := readText(t, ctx, `[data-testid=connected-as]`); got != "Connected as "+username+"." {
		t.Errorf("after the login the org page says %q, want connected as %s", got, username)
	}
}

// recipe is what a person chooses in the workflow builder.
type recipe struct {
	name, object, direction string
	fields                  []string  // mapped besides those Salesforce requires, which the builder proposes
	when                    [2]string // a condition: field = value, if any
	enabled                 bool
}

// buildWorkflow builds a workflow in the builder, on the only org, and
// saves it. It returns its ID.
func (j *journey) buildWorkflow(ctx context.Context, r recipe) int64 {
	t, name := j.t, r.name
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(j.base + "/workflows"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-workflow]`)), loaded(),
		submit(`[data-testid=new-workflow]`),
		chromedp.WaitVisible(chromedp.CSS(`#f-object`)),
		// Choosing the object loads its fields (the builder's script sends
		// the form).
		navigating(chromedp.SetValue(chromedp.CSS(`#f-object`), r.object)),
		chromedp.WaitVisible(chromedp.CSS(`#wf-builder`)),
		chromedp.SetValue(chromedp.CSS(`#f-name`), name),
		chromedp.Click(chromedp.CSS(`input[name=direction][value=` + r.direction + `]`)),
	}
	for _, f := range r.fields {
		steps = append(steps, chromedp.Click(chromedp.CSS(`#m-`+f)))
	}
	if r.enabled {
		steps = append(steps, chromedp.Click(chromedp.CSS(`#wf-builder input[name=enabled]`)))
	}
	if r.when[0] != "" {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(`#f-cf0`), r.when[0]), chromedp.SetValue(chromedp.CSS(`#f-cv0`), r.when[1]))
	}
	steps = append(steps, submit(`[data-testid=validate]`))
	run(t, ctx, "building "+name+" in the builder and validating it", steps...)
	if missing := evaluate[[]string](t, ctx, `[...document.querySelectorAll('tr.wf-required-missing')].map(r => r.dataset.field)`); len(missing) > 0 {
		t.Fatalf("the builder flags required fields as not mapped: %q", missing)
	}
	if !evaluate[bool](t, ctx, `!!document.querySelector('[data-testid=valid]')`) {
		t.Fatalf("the builder does not find %s valid:\n%s", name, readText(t, ctx, "main"))
	}
	run(t, ctx, "saving "+name, submit(`[data-testid=save]`))
	if h1 := readText(t, ctx, "main h1"); h1 != name {
		t.Fatalf("saving %s led to the page %q:\n%s", name, h1, readText(t, ctx, "main"))
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(evaluate[string](t, ctx, `location.pathname`), "/workflows/"), 10, 64)
	if err != nil {
		t.Fatalf("saving %s led to %s, not the workflow's page", name, evaluate[string](t, ctx, `location.href`))
	}
	return id
}

// runNow waits until the admin's workflow is not running, then clicks its
// Run now button.
func (j *journey) runNow(id int64) {
	page := fmt.Sprintf("%s/workflows/%d", j.base, id)
	j.reloadUntil(j.admin, page, `!document.querySelector('.wf-status-running')`, func() string {
		return "the workflow keeps running: " + j.workflowState(id)
	})
	run(j.t, j.admin, "clicking Run now", submit(`[data-action=run]`))
	j.wantNotice(j.admin, "The workflow is queued")
}

// wantNotice checks the message the page shows after a button: its notice,
// or else the alert that says what went wrong.
func (j *journey) wantNotice(ctx context.Context, want string) {
	j.t.Helper()
	got := evaluate[string](j.t, ctx, `(document.querySelector('.notice') || document.querySelector('.alert') || {textContent: "(no message)"}).textContent.trim()`)
	if !strings.HasPrefix(got, want) {
		j.t.Fatalf("the page says %q, want %q", got, want)
	}
}

// workflowState describes the admin's workflow as its page shows it, for
// a failure's message.
func (j *journey) workflowState(id int64) string {
	run(j.t, j.admin, "opening the workflow", chromedp.Navigate(fmt.Sprintf("%s/workflows/%d", j.base, id)),
		chromedp.WaitVisible(chromedp.CSS(`.wf-facts`)), loaded())
	return readText(j.t, j.admin, `.wf-facts`) + "\nruns: " + readText(j.t, j.admin, `[aria-labelledby=wf-runs]`)
}

// reloadUntil opens page, and reloads it until the expression is true in
// the page; at the deadline, the test fails with what explain says.
func (j *journey) reloadUntil(ctx context.Context, page, expr string, explain func() string) {
	j.t.Helper()
	for deadline := time.Now().Add(hang); ; {
		run(j.t, ctx, "opening "+page, chromedp.Navigate(page), loaded())
		if evaluate[bool](j.t, ctx, "!!("+expr+")") {
			return
		}
		if time.Now().After(deadline) {
			j.t.Fatal(explain())
		}
		time.Sleep(250 * time.Millisecond) // between reloads; the deadline decides
	}
}

// status opens path and returns the HTTP status of the page.
func (j *journey) status(ctx context.Context, path string) int64 {
	ctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(j.base+path))
	if err != nil {
		j.t.Fatalf("opening %s: %v", path, err)
	}
	return resp.Status
}

// addConnectorUser adds a person with the connector user role on the
// People page.
func (j *journey) addConnectorUser(login, name string) {
	t, ctx := j.t, j.admin
	add := `form[action="/people"] `
	run(t, ctx, "adding "+login+" as a connector user",
		submit(`nav a[href="/people"]`),
		chromedp.WaitVisible(chromedp.CSS(add+`#f-login`)),
		chromedp.SendKeys(chromedp.CSS(add+`#f-login`), login),
		chromedp.SendKeys(chromedp.CSS(add+`#f-display_name`), name),
		chromedp.SendKeys(chromedp.CSS(add+`#f-password`), journeyPassword),
		chromedp.Click(chromedp.CSS(add+`input[name=roles][value=connector_user]`)),
		submit(add+`button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-login="`+login+`"]`)))
	checked := evaluate[bool](t, ctx, `document.querySelector('tr[data-login="`+login+`"] input[value=connector_user]').checked`)
	if !checked {
		t.Fatalf("%s was added without the connector user role", login)
	}
}

// waitLeadTitle waits until the emulator's Lead has the title.
func (j *journey) waitLeadTitle(id, want string) {
	var got string
	for deadline := time.Now().Add(hang); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var lead struct{ Title string }
		if j.lead(http.MethodGet, id+"?fields=Title", "", &lead) != http.StatusOK {
			break
		}
		if got = lead.Title; got == want {
			return
		}
	}
	j.t.Fatalf("the emulator's Lead %s has the title %q, want %q", id, got, want)
}

// patchLead changes a Lead in the emulator through its REST API, as
// someone working in Salesforce would.
func (j *journey) patchLead(id, body string) {
	if status := j.lead(http.MethodPatch, id, body, nil); status != http.StatusNoContent {
		j.t.Fatalf("PATCH Lead %s: %d, want 204", id, status)
	}
}

// lead calls the emulator's REST API on a Lead as its admin user and
// decodes the answer into out, if any.
func (j *journey) lead(method, path, body string, out any) int {
	req, err := http.NewRequest(method, j.rest+"sobjects/Lead/"+path, bytes.NewBufferString(body))
	if err != nil {
		j.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+j.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		j.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			j.t.Fatalf("decoding %s %s: %v", method, req.URL, err)
		}
	}
	return resp.StatusCode
}

// shot writes docs/screenshots/journey-<name>.png, the admin's window as
// it is (1280x800), when -update-screenshots is set: the page it is on,
// or page once css shows. The workflow pages' screenshots are taken by
// internal/web's tests.
func (j *journey) shot(name, page, css string) {
	if j.shotDir == "" {
		return
	}
	if page != "" {
		run(j.t, j.admin, "opening "+page+" for its screenshot", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(css)), loaded())
	}
	run(j.t, j.admin, "leaving the focused field", until(`(document.activeElement?.blur(), true)`))
	ctx, cancel := context.WithTimeout(j.admin, hang)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		j.t.Fatalf("taking the screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(j.shotDir, "journey-"+name+".png"), png, 0o644); err != nil {
		j.t.Fatal(err)
	}
}

// otherShots takes the screenshots of pages as the journey leaves them,
// and one at phone width in French.
func (j *journey) otherShots(sheet, term string) {
	if j.shotDir == "" {
		return
	}
	j.shot("orgs", j.base+"/orgs", `table.orgs`)
	j.shot("audit", j.base+"/audit", `table.audit`)
	j.shot("search", j.base+"/search?q="+url.QueryEscape(term), `[data-testid=no-hits], .search-group`)
	j.shot("activities", j.base+"/activities", `form[action="/activities"]`)
	j.shot("settings", j.base+"/settings", `form.feature-form`)
	run(j.t, j.admin, "switching to French at phone width",
		chromedp.Navigate(sheet), chromedp.WaitVisible(chromedp.CSS(`table.grid`)), loaded(),
		submit(`.lang button[value=fr]`),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] table.grid`)),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	j.shot("sheet-grid-phone-fr", "", "")
}
