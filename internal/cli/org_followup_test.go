package cli_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOrgAddPollBounds: org add takes the polling interval within the
// bounds the API applies, and says which bound a refused one crosses.
func TestOrgAddPollBounds(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	for _, tc := range []struct {
		poll, want string
	}{
		{"30s", "--poll 30s: polling every 30s is too often: poll every 1m at the most (from 1m to 24h)"},
		{"25h", "--poll 25h0m0s: polling every 25h is too rare: poll every 24h at the least (from 1m to 24h)"},
		{"0s", "--poll 0s: the polling interval 0s is not positive"},
	} {
		r := sfbridge(t, dir, nil, append([]string{"org", "add", "emu", "--client-id", "k", "--poll", tc.poll}, data...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--poll %s: exit %d, stderr %q; want 2 and %q", tc.poll, r.code, r.stderr, tc.want)
		}
	}
	for _, poll := range []string{"1m", "24h"} {
		r := sfbridge(t, dir, nil, append([]string{"org", "add", "org-" + poll, "--client-id", "k", "--poll", poll}, data...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "registered") {
			t.Errorf("--poll %s: exit %d, stdout %q; want the org registered", poll, r.code, r.stdout)
		}
	}
	if r := sfbridge(t, dir, nil, append([]string{"org", "list"}, data...)...); strings.Contains(r.stdout, "emu") {
		t.Errorf("an org with a refused polling interval was registered:\n%s", r.stdout)
	}
}

// TestServePublicURL: behind a TLS proxy, the callback URL the org pages
// show is the public URL's, whatever address the request came to, and the
// public URL's origin may post.
func TestServePublicURL(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir, []string{"SFBRIDGE_PUBLIC_URL=https://wrong.example.com"}, "serve", "--listen", "127.0.0.1:0",
		"--data", filepath.Join(dir, "data"), "--public-url", "https://sfbridge.example.com/")
	line, _ := p.waitLine(t, "console: ")
	base := strings.TrimSuffix(strings.Fields(line)[1], "/")

	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"https://elsewhere.example.com", http.StatusForbidden},
		{"https://sfbridge.example.com", http.StatusCreated}, // the console's own origin, seen through the proxy
	} {
		if got := setupFrom(t, base, tc.origin); got != tc.want {
			t.Fatalf("POST /api/v1/setup from %s: %d, want %d", tc.origin, got, tc.want)
		}
	}
	var orgs struct {
		CallbackURL string `json:"callback_url"`
	}
	if resp := call(t, http.MethodGet, base+"/api/v1/orgs", signIn(t, base, "ada@example.com", "a long enough passphrase"), nil, &orgs); resp.StatusCode != http.StatusOK ||
		orgs.CallbackURL != "https://sfbridge.example.com/oauth/callback" {
		t.Errorf("GET /api/v1/orgs: %d, callback URL %q; want the flag's https://sfbridge.example.com/oauth/callback", resp.StatusCode, orgs.CallbackURL)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}

	r := sfbridge(t, dir, []string{"SFBRIDGE_PUBLIC_URL=http://sfbridge.example.com"}, "serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	if r.code != 2 || !strings.Contains(r.stderr, `$SFBRIDGE_PUBLIC_URL: public_url: "http://sfbridge.example.com" uses http`) {
		t.Errorf("serve with an http public URL: exit %d, stderr %q; want 2 naming the variable", r.code, r.stderr)
	}
}
