package cli_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestOrgJWTConnectionRenewsWithoutItsKeyFile connects with the jwt flow,
// removes the key file, ends every session on the emulator, and uses the
// connection: it logs in again with the key it stored, encrypted.
func TestOrgJWTConnectionRenewsWithoutItsKeyFile(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", dir + "/data"}
	keyFile := registerJWTApp(t, url, dir, "ci-app", "ci-secret")
	r := sfbridge(t, dir, nil, append([]string{"org", "add", "emu", "--login", url, "--client-id", "ci-app", "--flow", "jwt",
		"--username", "admin@example.com", "--key-file", keyFile}, data...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "the session renews by itself with the JWT key, stored encrypted") {
		t.Fatalf("org add with the jwt flow: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if status, body := rest(t, http.MethodPost, url+"/_emulator/sessions/expire", "", "{}"); status != http.StatusOK {
		t.Fatalf("expiring the sessions: %d %s", status, body)
	}

	write(t, dir, "accounts.yaml", accountsWorkflow)
	if r := sfbridge(t, dir, nil, append([]string{"workflow", "validate", "accounts.yaml"}, data...)...); r.code != 0 {
		t.Errorf("validating against the org after its session ended: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = sfbridge(t, dir, nil, append([]string{"org", "status", "emu"}, data...)...)
	if !strings.Contains(r.stdout, "admin@example.com as admin@example.com: connected, renews with the JWT key") {
		t.Errorf("org status:\n%s", r.stdout)
	}
}

func TestOrgAddClientCredentialsFlow(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", dir + "/data"}
	app, err := json.Marshal(map[string]any{"name": "Integration", "consumerKey": "cc-app", "consumerSecret": "cc-secret",
		"runAsUsername": "user@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := rest(t, http.MethodPost, url+"/_emulator/apps", "", string(app)); status/100 != 2 {
		t.Fatalf("registering the connected app: %d %s", status, body)
	}

	// Without the app's secret the flow cannot work: nothing is stored.
	r := sfbridge(t, dir, nil, append([]string{"org", "add", "cc", "--login", url, "--client-id", "cc-app",
		"--flow", "client-credentials"}, data...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "--client-secret-env") {
		t.Errorf("client credentials without a secret: exit %d, stderr %q; want 2 and the flag to use", r.code, r.stderr)
	}

	r = sfbridge(t, dir, []string{"CC_SECRET=cc-secret"}, append([]string{"org", "add", "cc", "--login", url, "--client-id", "cc-app",
		"--client-secret-env", "CC_SECRET", "--flow", "client-credentials"}, data...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "as user@example.com for sfbridge user user@example.com") ||
		!strings.Contains(r.stdout, "renews by itself with the connected app's secret") {
		t.Fatalf("org add with the client-credentials flow: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = sfbridge(t, dir, nil, append([]string{"org", "status", "cc"}, data...)...)
	if !strings.Contains(r.stdout, "user@example.com as user@example.com: connected, renews with the connected app's secret") {
		t.Errorf("org status:\n%s", r.stdout)
	}
}
