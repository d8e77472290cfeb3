package cli_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOrgConnectWebFlow logs in through the emulator's login page, as a
// browser would, while "sfbridge org connect" waits on its loopback
// callback.
func TestOrgConnectWebFlow(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", dir + "/data"}
	if r := sfbridge(t, dir, secrets, append([]string{"org", "add", "emu", "--login", url, "--client-id", "sfbridge-dev",
		"--client-secret-env", "SF_SECRET"}, data...)...); r.code != 0 || !strings.Contains(r.stdout, "sfbridge org connect emu --data") {
		t.Fatalf("org add with the web flow: exit %d, stdout %q; want the connect command suggested", r.code, r.stdout)
	}
	if r := sfbridge(t, dir, nil, append([]string{"org", "status", "emu"}, data...)...); !strings.Contains(r.stdout, "no connection yet; fix: sfbridge org connect emu") {
		t.Errorf("org status before connecting:\n%s", r.stdout)
	}

	p := start(t, dir, nil, append([]string{"org", "connect", "emu", "--callback", "http://127.0.0.1:0/callback", "--no-browser"}, data...)...)
	authorize := p.waitStderr(t, regexp.MustCompile(`visit:\n  (\S+)\n`))

	// The browser: log in on the emulator's page, follow the redirects to
	// the callback.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	u, err := neturl.Parse(authorize)
	if err != nil {
		t.Fatal(err)
	}
	form := u.Query()
	form.Set("action", "login")
	form.Set("username", "user@example.com")
	form.Set("password", "sfbridge")
	resp, err := browser.PostForm(url+"/services/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/callback" {
		t.Fatalf("the login ended at %s, not at the callback", resp.Request.URL)
	}

	line, _ := p.waitLine(t, "connected to org")
	if !strings.Contains(line, "as user@example.com for sfbridge user user@example.com") {
		t.Errorf("connected line %q", line)
	}
	if code := p.wait(); code != 0 {
		t.Errorf("org connect exit code %d", code)
	}
	r := sfbridge(t, dir, nil, append([]string{"org", "status", "emu"}, data...)...)
	if !strings.Contains(r.stdout, "user@example.com as user@example.com: connected") {
		t.Errorf("org status after connecting:\n%s", r.stdout)
	}
}

func TestOrgConnectTimesOut(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", dir + "/data"}
	sfbridge(t, dir, nil, append([]string{"org", "add", "emu", "--login", url, "--client-id", "sfbridge-dev"}, data...)...)
	r := sfbridge(t, dir, nil, append([]string{"org", "connect", "emu", "--callback", "http://127.0.0.1:0/callback", "--no-browser", "--timeout", "100ms"}, data...)...)
	if r.code != 3 || !strings.Contains(r.stderr, "no callback within 100ms") {
		t.Errorf("exit %d, stderr %q; want 3 and the timeout", r.code, r.stderr)
	}
}

// waitStderr waits for re to match stderr and returns its first group.
func (p *proc) waitStderr(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(hang)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(p.stderrText()); m != nil {
			return m[1]
		}
		select {
		case <-p.exited:
			t.Fatalf("sfbridge exited before printing %v; stderr:\n%s", re, p.stderrText())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("stderr never matched %v:\n%s", re, p.stderrText())
	return ""
}

// registerJWTApp registers (or replaces) the connected app with consumer
// key and secret, with a new key pair's certificate, pre-authorizing the
// System Administrator profile, and returns the private key's file.
func registerJWTApp(t *testing.T, url, dir, consumerKey, consumerSecret string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	app, err := json.Marshal(map[string]any{
		"name": "CI", "consumerKey": consumerKey, "consumerSecret": consumerSecret,
		"certificate":           string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		"preAuthorizedProfiles": []string{"System Administrator"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := rest(t, http.MethodPost, url+"/_emulator/apps", "", string(app)); status/100 != 2 {
		t.Fatalf("registering the connected app: %d %s", status, body)
	}
	return write(t, dir, consumerKey+".pem", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
}

func TestOrgAddJWTFlow(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	keyFile := registerJWTApp(t, url, dir, "ci-app", "ci-secret")

	args := []string{"org", "add", "ci", "--login", url, "--client-id", "ci-app", "--flow", "jwt",
		"--username", "admin@example.com", "--key-file", keyFile, "--user", "ci-bot", "--data", dir + "/data"}
	r := sfbridge(t, dir, nil, args...)
	if r.code != 0 || !strings.Contains(r.stdout, `connected to org "ci"`) || !strings.Contains(r.stdout, "for sfbridge user ci-bot") {
		t.Errorf("org add with the jwt flow: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// A user the app does not pre-authorize is refused, and the org stays
	// registered, waiting for a connection.
	args = []string{"org", "connect", "ci", "--flow", "jwt", "--username", "user@example.com", "--key-file", keyFile, "--data", dir + "/data"}
	if r := sfbridge(t, dir, nil, args...); r.code != 3 || !strings.Contains(r.stderr, `logging in to org "ci"`) {
		t.Errorf("jwt login of a user the app does not pre-authorize: exit %d, stderr %q; want 3", r.code, r.stderr)
	}
}
