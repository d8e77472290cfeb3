package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests of this package drive the built binary's console in
// chromium (docs/adr/0202-console-browser-tests.md): the helpers below are
// shared by all of them.

// chromiumTab starts a headless chromium ($SFBRIDGE_TEST_CHROMIUM, else
// chromium on the PATH; skipped without one, except in CI) with a 1280x800
// window, and returns a tab, closed when the test ends.
func chromiumTab(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("SFBRIDGE_TEST_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if _, err := os.Stat(path); path == "" || err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests: no chromium at %q; install it or set SFBRIDGE_TEST_CHROMIUM", path)
		}
		t.Skipf("browser tests skipped: no chromium (set SFBRIDGE_TEST_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser now, on the tab's context: one started by a step's
	// shorter context would end with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// run runs browser steps; the deadline only stops a hung browser.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// until waits until the expression is true in the page.
func until(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr)(ctx, t)
		return chromedp.Void{}, err
	}
}

// loaded waits until the page has loaded, so that the next step does not
// cut a navigation short.
func loaded() chromedp.Action[chromedp.Void] { return until(`document.readyState === "complete"`) }

// submit clicks what sends a form or follows a link, and waits until the
// next page has loaded.
func submit(css string) chromedp.Action[chromedp.Void] {
	return navigating(chromedp.Click(chromedp.CSS(css)))
}

// navigating runs a step that leaves the page (a click, a choice that
// sends its form), and waits until the next page has loaded: a page that
// is not the one left (which a mark left on it tells), and not one of the
// redirects in between.
func navigating(step chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(until(`(window.leftBehind = true)`), step, nextPage)
}

// nextPage waits for a page without the mark submit leaves. While the
// browser navigates, evaluating fails (the page it ran in went away): it
// tries again until the step's deadline.
func nextPage(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	for {
		there, err := chromedp.Evaluate[bool](`window.leftBehind === undefined && document.readyState === "complete"`)(ctx, t)
		if err == nil && there {
			return chromedp.Void{}, nil
		}
		select {
		case <-ctx.Done():
			return chromedp.Void{}, fmt.Errorf("waiting for the next page (last answer %v, %v): %w", there, err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// evaluate runs one JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func readText(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, hang)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("reading %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// emulatorToken opens a session on the emulator through its admin API.
func emulatorToken(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("no session from %s: %v", url, err)
	}
	return out.AccessToken
}
