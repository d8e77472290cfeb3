package cli_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call sends a JSON request (body nil for none) with the session cookie,
// if any, and decodes the answer into out (nil to skip). It returns the
// response, whose body is closed.
func call(t *testing.T, method, url string, cookie *http.Cookie, body, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, url, data, err)
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return resp
	}
	t.Logf("%s %s -> %d %.200s", method, url, resp.StatusCode, bytes.TrimSpace(data))
	return resp
}

// me is the part of /api/v1/me the tests check.
type me struct {
	Login string   `json:"login"`
	Roles []string `json:"roles"`
}

// signIn signs in through POST /api/v1/session and returns the session
// cookie. The cookie is Secure, which Go's cookie jar keeps from plain
// HTTP, so the tests carry it themselves (browsers send it to loopback).
func signIn(t *testing.T, base, login, password string) *http.Cookie {
	t.Helper()
	var who me
	resp := call(t, http.MethodPost, base+"/api/v1/session", nil, map[string]string{"login": login, "password": password}, &who)
	if resp.StatusCode != http.StatusOK || who.Login != login {
		t.Fatalf("signing in as %s: %d, %+v", login, resp.StatusCode, who)
	}
	return sessionCookie(t, resp)
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "sfbridge_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header.Values("Set-Cookie"))
	return nil
}

// checkAdmin checks that the cookie's session is a system admin's.
func checkAdmin(t *testing.T, base string, cookie *http.Cookie, login string) {
	t.Helper()
	var who me
	if resp := call(t, http.MethodGet, base+"/api/v1/me", cookie, nil, &who); resp.StatusCode != http.StatusOK ||
		who.Login != login || !slices.Contains(who.Roles, "system_admin") {
		t.Errorf("GET /api/v1/me: %d %+v, want %s as system_admin", resp.StatusCode, who, login)
	}
}

func TestServeConsoleAndAPI(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, nil, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	line, _ := p.waitLine(t, "console: ")
	m := regexp.MustCompile(`^console: (http://127\.0\.0\.1:[1-9][0-9]*)/  API: http://\S+/api/v1$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("console line %q does not name the console and the API", line)
	}
	base := m[1]

	for _, path := range []string{"/healthz", "/readyz"} {
		var h struct{ Status string }
		if resp := call(t, http.MethodGet, base+path, nil, nil, &h); resp.StatusCode != http.StatusOK || h.Status != "ok" {
			t.Errorf("GET %s: %d %+v", path, resp.StatusCode, h)
		}
	}
	// A fresh data directory: the first visitor goes to setup.
	if resp := call(t, http.MethodGet, base+"/", nil, nil, nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
		t.Errorf("GET / on a fresh server: %d to %q, want 303 to /setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := call(t, http.MethodGet, base+"/setup", nil, nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /setup: %d", resp.StatusCode)
	}

	const login, password = "ada@example.com", "a long enough passphrase"
	setup := map[string]string{"login": login, "display_name": "Ada", "password": password}
	resp := call(t, http.MethodPost, base+"/api/v1/setup", nil, setup, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/setup: %d, want 201", resp.StatusCode)
	}
	checkAdmin(t, base, sessionCookie(t, resp), login)
	if resp := call(t, http.MethodPost, base+"/api/v1/setup", nil, setup, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("a second POST /api/v1/setup: %d, want 409", resp.StatusCode)
	}
	if resp := call(t, http.MethodPost, base+"/api/v1/session", nil, map[string]string{"login": login, "password": "wrong password!"}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signing in with a wrong password: %d, want 401", resp.StatusCode)
	}
	cookie := signIn(t, base, login, password)
	checkAdmin(t, base, cookie, login)
	// Setup done, a signed-in visitor gets the console's home page.
	if resp := call(t, http.MethodGet, base+"/", cookie, nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("GET / signed in: %d, want 200", resp.StatusCode)
	}

	mresp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if mresp.StatusCode != http.StatusOK || !strings.Contains(string(metrics), `sfbridge_http_requests_total{code="201",route="POST /api/v1/setup"} 1`) {
		t.Errorf("GET /metrics: %d, without the setup request counted:\n%.2000s", mresp.StatusCode, metrics)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestServeTrustsTheConfiguredOrigins(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sfbridge.yaml", `data_dir: data
listen: 127.0.0.1:0
trusted_origins: [https://sfbridge.example.com]
`)
	p := start(t, dir, nil, "serve", "--config", "sfbridge.yaml")
	line, _ := p.waitLine(t, "console: ")
	base := strings.Fields(line)[1]
	base = strings.TrimSuffix(base, "/")
	tests := []struct {
		origin string
		want   int
	}{
		{"https://sfbridge.example.com", http.StatusCreated}, // trusted: setup runs
		{"https://elsewhere.example.com", http.StatusForbidden},
	}
	for _, tt := range tests {
		if got := setupFrom(t, base, tt.origin); got != tt.want {
			t.Errorf("POST /api/v1/setup from %s: %d, want %d", tt.origin, got, tt.want)
		}
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// setupFrom posts first-run setup (ada@example.com) as a page of another
// site, origin, would, and returns the status.
func setupFrom(t *testing.T, base, origin string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": "ada@example.com", "display_name": "Ada", "password": "a long enough passphrase"})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/setup", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeWarnsWhenRemote(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, nil, "serve", "--listen", "0.0.0.0:0", "--allow-remote", "--data", filepath.Join(dir, "data"))
	p.waitLine(t, "console: ")
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if !strings.Contains(p.stderrText(), "reachable from other machines") {
		t.Errorf("no warning about the remote listen address; stderr:\n%s", p.stderrText())
	}
}

var (
	consoleLine = regexp.MustCompile(`^Console\s+(http://127\.0\.0\.1:[1-9][0-9]*)/$`)
	signInLine  = regexp.MustCompile(`^\s+sign in as\s+(\S+), password (\S+) `)
)

// demoConsole reads the console's URL and the admin's credentials from
// the demo's summary lines; the password is "" when the summary prints none.
func demoConsole(t *testing.T, lines []string) (base, login, password string) {
	t.Helper()
	for _, l := range lines {
		if m := consoleLine.FindStringSubmatch(l); m != nil {
			base = m[1]
		}
		if m := signInLine.FindStringSubmatch(l); m != nil {
			login, password = m[1], m[2]
		}
	}
	if base == "" {
		t.Fatalf("the summary names no console URL:\n%s", strings.Join(lines, "\n"))
	}
	return base, login, password
}

// checkDemoConsole checks that the demo's console answers with its
// sign-in page and that the credentials sign in as a system admin.
func checkDemoConsole(t *testing.T, base, login, password string) {
	t.Helper()
	if password == "" {
		t.Fatalf("no credentials for the console at %s", base)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/signin" {
		t.Errorf("GET %s/: %d at %s, want the sign-in page", base, resp.StatusCode, resp.Request.URL)
	}
	checkAdmin(t, base, signIn(t, base, login, password), login)
}
