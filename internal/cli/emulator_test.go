package cli_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var readyLine = regexp.MustCompile(`^emulator ready: (http://127\.0\.0\.1:([1-9][0-9]*))$`)

// startEmulator starts "sfbridge emulator" on a free loopback port and
// returns its URL.
func startEmulator(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, t.TempDir(), nil, append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...)...)
	line, before := p.waitLine(t, "emulator ready: ")
	if len(before) > 0 {
		t.Errorf("lines before the ready line: %q", before)
	}
	m := readyLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("ready line %q is not %v", line, readyLine)
	}
	return p, m[1]
}

func TestEmulatorServesUntilSignalled(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p, url := startEmulator(t)
			resp, err := http.Get(url + "/services/data/")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var versions []struct{ Version, URL string }
			if err := json.NewDecoder(resp.Body).Decode(&versions); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /services/data/: %d, %v", resp.StatusCode, err)
			}
			if len(versions) == 0 || versions[0].Version == "" {
				t.Errorf("GET /services/data/ = %+v, want the API versions", versions)
			}
			if code := p.stop(t, sig); code != 0 {
				t.Errorf("exit code after %v = %d, want 0", sig, code)
			}
		})
	}
}

func TestEmulatorPrintsTheDevCredentials(t *testing.T) {
	p, url := startEmulator(t, "--seed", "empty")
	_, guide := p.waitLine(t, "  connect:")
	text := strings.Join(guide, "\n")
	for _, want := range []string{"sfbridge-dev", "sfbridge-dev-secret", "admin@example.com", "password sfbridge", url + "/_emulator/state", "empty seed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the guide does not mention %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "admin token") {
		t.Errorf("a loopback emulator printed its admin token:\n%s", text)
	}
}

func TestEmulatorRemote(t *testing.T) {
	t.Run("refused without --allow-remote", func(t *testing.T) {
		r := sfbridge(t, t.TempDir(), nil, "emulator", "--listen", "0.0.0.0:0")
		if r.code != 2 || !strings.Contains(r.stderr, "--allow-remote") {
			t.Errorf("exit %d, stderr %q; want 2 and a hint about --allow-remote", r.code, r.stderr)
		}
	})
	t.Run("warned with --allow-remote", func(t *testing.T) {
		p := start(t, t.TempDir(), nil, "emulator", "--listen", "0.0.0.0:0", "--allow-remote", "--admin-token", "s3cret-token")
		line, _ := p.waitLine(t, "emulator ready: ")
		if strings.HasSuffix(line, ":0") {
			t.Errorf("ready line %q does not name the real port", line)
		}
		_, guide := p.waitLine(t, "  connect:")
		if !strings.Contains(strings.Join(guide, "\n"), "s3cret-token") {
			t.Errorf("the guide of a remote emulator does not show its admin token:\n%s", strings.Join(guide, "\n"))
		}
		// The warning goes to stderr, which the test reads through its own
		// pipe: it may arrive after the stdout lines.
		if !eventually(func() bool { return strings.Contains(p.stderrText(), "warning: the emulator listens on") }) {
			t.Errorf("no warning on stderr: %q", p.stderrText())
		}
	})
}

func TestEmulatorPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := sfbridge(t, t.TempDir(), nil, "emulator", "--listen", ln.Addr().String())
	if r.code != 3 || !strings.Contains(r.stderr, "listening on "+ln.Addr().String()) {
		t.Errorf("exit %d, stderr %q; want 3 and the address", r.code, r.stderr)
	}
}

func TestEmulatorBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"emulator", "--seed", "full"},
		{"emulator", "--schema", "no-such-file.yaml"},
		{"emulator", "--listen", "8383"},
		{"emulator", "--log-level", "loud"},
	} {
		r := sfbridge(t, t.TempDir(), nil, args...)
		if r.code != 2 {
			t.Errorf("sfbridge %s: exit %d, want 2", strings.Join(args, " "), r.code)
		}
	}
}

func TestEmulatorKeepsTheOrgAcrossRestarts(t *testing.T) {
	data := filepath.Join(t.TempDir(), "org.dat")
	p, url := startEmulator(t, "--data", data, "--seed", "empty")
	tok := emulatorLogin(t, url)
	status, body := rest(t, http.MethodPost, url+"/services/data/v62.0/sobjects/Account/", tok, `{"Name":"Persisted Co"}`)
	if status != http.StatusCreated {
		t.Fatalf("creating an account: %d %s", status, body)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}

	_, url = startEmulator(t, "--data", data, "--seed", "empty")
	tok = emulatorLogin(t, url)
	status, body = rest(t, http.MethodGet, url+"/services/data/v62.0/query/?q="+neturl.QueryEscape("SELECT Name FROM Account"), tok, "")
	var res struct {
		TotalSize int
		Records   []struct{ Name string }
	}
	if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK {
		t.Fatalf("query after the restart: %d %s", status, body)
	}
	if res.TotalSize != 1 || res.Records[0].Name != "Persisted Co" {
		t.Errorf("after the restart the org holds %+v, want the one account created before", res)
	}
}

// emulatorLogin logs in to the emulator as the development admin and
// returns the access token.
func emulatorLogin(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.PostForm(url+"/services/oauth2/token", neturl.Values{
		"grant_type": {"password"}, "client_id": {"sfbridge-dev"}, "client_secret": {"sfbridge-dev-secret"},
		"username": {"admin@example.com"}, "password": {"sfbridge"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("logging in to the emulator: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// rest sends a REST request with a JSON body (none when empty).
func rest(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// eventually reports whether cond holds within a few seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
