package cli_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestSetupAfterCLIConnect: connecting an org from the CLI before anyone set
// up the console creates a passwordless sfbridge user (org connect --user
// LOGIN); first-run setup stays open, and setting up with that login adopts
// the user with their connection (docs/adr/0291-first-run-setup-adopts-cli-users.md).
func TestSetupAfterCLIConnect(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	if r := sfbridge(t, dir, secrets, append([]string{"org", "add", "emu", "--login", url, "--client-id", "sfbridge-dev",
		"--client-secret-env", "SF_SECRET", "--flow", "password", "--username", "admin@example.com", "--password-env", "SF_PASSWORD",
		"--user", "ada@example.com"}, data...)...); r.code != 0 || !strings.Contains(r.stdout, "for sfbridge user ada@example.com") {
		t.Fatalf("org add as ada: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	p := start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	line, _ := p.waitLine(t, "console: ")
	base := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(line)
	var st struct{ Needed bool }
	if resp := call(t, http.MethodGet, base+"/api/v1/setup", nil, nil, &st); resp.StatusCode != http.StatusOK || !st.Needed {
		t.Fatalf("GET /api/v1/setup after the CLI connected: %d %+v, want setup still needed", resp.StatusCode, st)
	}
	const password = "a long enough passphrase"
	resp := call(t, http.MethodPost, base+"/api/v1/setup", nil, map[string]string{"login": "ada@example.com", "display_name": "Ada", "password": password}, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/setup as the CLI's user: %d, want 201", resp.StatusCode)
	}
	cookie := signIn(t, base, "ada@example.com", password)
	checkAdmin(t, base, cookie, "ada@example.com")
	var raw struct {
		Connections []map[string]any `json:"connections"`
	}
	if resp := call(t, http.MethodGet, base+"/api/v1/orgs/1/connections", cookie, nil, &raw); resp.StatusCode != http.StatusOK ||
		len(raw.Connections) != 1 || raw.Connections[0]["user_login"] != "ada@example.com" || raw.Connections[0]["username"] != "admin@example.com" {
		t.Errorf("GET /api/v1/orgs/1/connections: %d %+v, want ada's connection kept", resp.StatusCode, raw.Connections)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
