package cli_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestOrgStates drives an org through the states list and status show:
// paused at the API limit, then needing re-authorisation, then back.
func TestOrgStates(t *testing.T) {
	_, url, dir, data := connected(t)
	run := func(args ...string) result { return sfbridge(t, dir, secrets, append(args, data...)...) }
	write(t, dir, "accounts.yaml", accountsWorkflow)
	if r := run("workflow", "apply", "accounts.yaml"); r.code != 0 {
		t.Fatalf("workflow apply: exit %d", r.code)
	}
	admin := func(method, path, body string) {
		t.Helper()
		if status, b := rest(t, method, url+"/_emulator/"+path, "", body); status != http.StatusOK {
			t.Fatalf("%s /_emulator/%s: %d %s", method, path, status, b)
		}
	}

	admin(http.MethodPut, "limits", `{"dailyApiRequests": 100, "used": 100}`)
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 3 {
		t.Errorf("run at the API limit: exit %d, want 3", r.code)
	}
	r := run("org", "status", "emu")
	if !strings.Contains(r.stdout, "state:        paused at API limit") || !strings.Contains(r.stdout, "resumes") {
		t.Errorf("org status at the limit:\n%s", r.stdout)
	}
	if r := run("workflow", "list"); !strings.Contains(r.stdout, "paused") {
		t.Errorf("workflow list at the limit:\n%s", r.stdout)
	}

	// Requests available again: the next run probes the limits and resumes.
	admin(http.MethodPut, "limits", `{"dailyApiRequests": 15000, "used": 0}`)
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 0 || !strings.Contains(r.stdout, "succeeded") {
		t.Errorf("run once requests are back: exit %d, stdout %q", r.code, r.stdout)
	}

	// Revoking the tokens is not enough: the connection logs in again with
	// its stored password. Withdraw a grant that cannot come back by itself:
	// connect with the jwt flow, then take the certificate off the app.
	keyFile := registerJWTApp(t, url, dir, "sfbridge-dev", "sfbridge-dev-secret")
	if r := run("org", "connect", "emu", "--flow", "jwt", "--username", "admin@example.com", "--key-file", keyFile); r.code != 0 {
		t.Fatalf("org connect with the jwt flow: exit %d, stderr %q", r.code, r.stderr)
	}
	admin(http.MethodPost, "revoke", `{}`)
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 0 {
		t.Errorf("run with the tokens revoked and the key stored: exit %d, want 0 (renewed with the key)", r.code)
	}
	admin(http.MethodPost, "apps", `{"name": "sfbridge development", "consumerKey": "sfbridge-dev", "consumerSecret": "sfbridge-dev-secret",
		"callbackUrls": ["http://127.0.0.1/callback"], "anyLoopbackPort": true, "scopes": ["full", "refresh_token", "offline_access"]}`)
	admin(http.MethodPost, "revoke", `{}`)
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 3 {
		t.Errorf("run with the certificate withdrawn: exit %d, want 3", r.code)
	}
	if r := run("org", "list"); !strings.Contains(r.stdout, "needs re-authorisation") {
		t.Errorf("org list after the revocation:\n%s", r.stdout)
	}
	if r := run("org", "status", "emu"); !strings.Contains(r.stdout, "fix: sfbridge org connect emu") {
		t.Errorf("org status after the revocation does not say how to fix it:\n%s", r.stdout)
	}

	// Reconnecting the last refused connection resumes the org at once.
	if r := run("org", "connect", "emu", "--flow", "password", "--username", "admin@example.com", "--password-env", "SF_PASSWORD"); r.code != 0 ||
		!strings.Contains(r.stdout, `org "emu" no longer waits for re-authorisation`) {
		t.Fatalf("org connect: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := run("org", "status", "emu"); !strings.Contains(r.stdout, "state:        connected") {
		t.Errorf("org status after reconnecting:\n%s", r.stdout)
	}
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 0 || !strings.Contains(r.stdout, "succeeded") {
		t.Errorf("run after reconnecting: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := run("org", "list"); !strings.Contains(r.stdout, "emu   connected") {
		t.Errorf("org list after the org resumed:\n%s", r.stdout)
	}
}
