package web

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sfbridge/sfbridge/internal/access"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite docs/screenshots/*.png from a real browser")

// chromiumPath returns the browser the tests drive: $SFBRIDGE_TEST_CHROMIUM,
// else chromium on the PATH. Without one the test is skipped, except in CI
// (CI set), where a missing browser fails it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SFBRIDGE_TEST_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	const how = "install it with `apt-get install -y chromium`, or set SFBRIDGE_TEST_CHROMIUM to its path"
	if os.Getenv("CI") != "" {
		t.Fatalf("browser tests: no chromium at %q; %s", path, how)
	}
	t.Skipf("browser tests skipped: no chromium found (%s)", how)
	return ""
}

// tab starts a fresh headless chromium (its own profile directory) and
// returns a tab in it, closed when the test ends.
func tab(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// serve serves the fixture's console over plain HTTP on localhost, where
// browsers keep Secure cookies.
func (f *fixture) serve() string {
	srv := httptest.NewServer(f.handler)
	f.t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
}

// do runs browser steps, failing the test on the first error. The deadline
// only stops a hung browser; it asserts nothing about speed.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs one browser action that returns a value.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	return strings.TrimSpace(read(t, ctx, "reading "+css, chromedp.Text(chromedp.CSS(css))))
}

// loaded waits until the page has loaded, so that the next navigation
// does not cut the last one short.
func loaded() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](`document.readyState === "complete"`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// signIn signs in through the form, opening it unless the browser is on it.
func signIn(t *testing.T, ctx context.Context, base, login string) {
	t.Helper()
	onForm := read(t, ctx, "looking for the sign-in form", chromedp.Evaluate[bool](`!!document.querySelector('form[action="/signin"]')`))
	if !onForm {
		do(t, ctx, "opening the sign-in page", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"]`)))
	}
	do(t, ctx, "signing in as "+login,
		chromedp.SetValue(chromedp.CSS(`#f-login`), login),
		chromedp.SetValue(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)),
		loaded(),
	)
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "signing out",
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"]`)),
		loaded(),
	)
}

// TestBrowser drives the console in chromium as people would: first-run
// setup, signing out and in, switching to French, an admin promoting a
// person, and a connector user who does not see the People page.
func TestBrowser(t *testing.T) {
	ctx := tab(t)
	f := setup(t)
	base := f.serve()

	// First run: any page leads to setup, which signs the admin in.
	do(t, ctx, "opening a fresh server",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-password_confirm`)),
	)
	if loc := read(t, ctx, "location", chromedp.Location()); loc != base+"/setup" {
		t.Fatalf("a fresh server showed %s, want /setup", loc)
	}
	do(t, ctx, "filling the setup form",
		chromedp.SendKeys(chromedp.CSS(`#f-login`), "root@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-display_name`), "Rosa Root"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.SendKeys(chromedp.CSS(`#f-password_confirm`), password),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)),
	)
	if h1 := text(t, ctx, "h1"); h1 != "Hello, Rosa Root" {
		t.Errorf("after setup the page says %q, want the greeting", h1)
	}
	if roles := text(t, ctx, ".who-roles"); roles != "System admin" {
		t.Errorf("header roles %q, want System admin", roles)
	}

	// Sign out and in again.
	signOut(t, ctx)
	if notice := text(t, ctx, ".notice"); notice != "You are signed out." {
		t.Errorf("after signing out: %q", notice)
	}
	do(t, ctx, "a wrong password",
		chromedp.SendKeys(chromedp.CSS(`#f-login`), "root@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "not the password"),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert`)),
		loaded(),
	)
	if alert := text(t, ctx, ".alert"); alert != "The login or the password is wrong." {
		t.Errorf("wrong password shows %q", alert)
	}
	signIn(t, ctx, base, "root@example.com")

	// Switch to French; the choice sticks across pages.
	do(t, ctx, "switching to French",
		chromedp.Click(chromedp.CSS(`.lang button[value=fr]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] [data-testid=who]`)),
	)
	if h1 := text(t, ctx, "h1"); h1 != "Bonjour, Rosa Root" {
		t.Errorf("in French the page says %q", h1)
	}
	do(t, ctx, "opening People in French",
		chromedp.Click(chromedp.CSS(`nav a[href="/people"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.people`)),
	)
	if h1 := text(t, ctx, "h1"); h1 != "Personnes" {
		t.Errorf("People in French is titled %q", h1)
	}
	do(t, ctx, "back to English",
		chromedp.Click(chromedp.CSS(`.lang button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] table.people`)),
	)

	// The admin makes Bob a connector user.
	bob := f.user("bob@example.com")
	row := `tr[data-login="bob@example.com"]`
	do(t, ctx, "promoting Bob",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+` input[value=connector_user]`)),
		chromedp.Click(chromedp.CSS(row+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if notice := text(t, ctx, ".notice"); notice != "Roles saved." {
		t.Errorf("after saving roles: %q", notice)
	}
	if got := f.roles(bob.ID); got != access.RolesOf(access.ConnectorUser) {
		t.Fatalf("Bob has %s, want connector_user", got)
	}
	checked := read(t, ctx, "reading Bob's box", chromedp.Evaluate[bool](
		`document.querySelector('`+row+` input[value=connector_user]').checked`))
	if !checked {
		t.Error("Bob's connector user box is not ticked after saving")
	}

	// Bob, a connector user, has no People link, and the page refuses him.
	signOut(t, ctx)
	signIn(t, ctx, base, "bob@example.com")
	links := read(t, ctx, "reading the navigation", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('nav a')].map(a => a.getAttribute('href'))`))
	if strings.Join(links, " ") != "/ /orgs /workflows /sheets /search /activities /tokens" {
		t.Errorf("Bob's navigation links %q, want home, orgs, workflows, sheets, search, activities (open to everyone by default) and tokens only", links)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(base+"/people"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusForbidden {
		t.Errorf("Bob opening /people: %d, want 403", resp.Status)
	}
	if alert := text(t, ctx, ".alert"); !strings.Contains(alert, "Only a system admin or a connector admin") {
		t.Errorf("Bob's refusal says %q", alert)
	}
}

// TestScreenshots writes docs/screenshots/*.png from chromium, for the docs
// and for reviewing the design. Regenerate with:
//
//	go test ./internal/web -run Screenshots -update-screenshots
func TestScreenshots(t *testing.T) {
	if !*updateScreenshots {
		t.Skip("screenshots are rewritten only with -update-screenshots")
	}
	ctx := tab(t)
	f := setup(t, func(o *Options) { o.Usage = demoUsage })
	base := f.serve()
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		t.Helper()
		png := read(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "setup page", chromedp.Navigate(base+"/setup"), chromedp.WaitVisible(chromedp.CSS(`#f-login`)))
	shot("setup")

	f.user("rosa@example.com", access.SystemAdmin)
	f.user("camille@example.com", access.ConnectorAdmin, access.ConnectorUser)
	f.user("bob@example.com", access.ConnectorUser)
	f.user("dana@example.com")
	do(t, ctx, "sign-in page", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`#f-login`)))
	shot("signin")
	signIn(t, ctx, base, "rosa@example.com")
	shot("home")
	do(t, ctx, "people page", chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.CSS(`table.people`)),
		chromedp.Click(chromedp.CSS(`form[action="/people/restricted"] button`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	shot("people")
	do(t, ctx, "tokens page", chromedp.Navigate(base+"/tokens"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "CI"),
		chromedp.Click(chromedp.CSS(`form[action="/tokens"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=new-token]`)))
	shot("tokens")
	do(t, ctx, "French", chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.CSS(`table.people`)),
		chromedp.Click(chromedp.CSS(`.lang button[value=fr]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang=fr] table.people`)))
	shot("people-fr")
	do(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)))
	shot("home-phone-fr")
	do(t, ctx, "phone width people", chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.CSS(`table.people`)))
	shot("people-phone-fr")
}

// demoUsage is two weeks of made-up API calls for the screenshots.
func demoUsage(*http.Request) ([]DailyUsage, error) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	calls := []int64{1820, 2140, 1960, 2480, 2210, 640, 410, 2050, 2630, 2890, 2420, 2760, 720, 380}
	days := make([]DailyUsage, len(calls))
	for i, c := range calls {
		days[i] = DailyUsage{Day: start.AddDate(0, 0, i), Calls: c}
	}
	return days, nil
}
