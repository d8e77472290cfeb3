package cli_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

func TestServe(t *testing.T) {
	_, _, dir, data := connected(t)
	p := start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	line, _ := p.waitLine(t, "sfbridge serving on ")
	m := regexp.MustCompile(`^sfbridge serving on (http://127\.0\.0\.1:[1-9][0-9]*) `).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("serving line %q does not name a loopback URL with its port", line)
	}
	resp, err := http.Get(m[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.Status != "ok" {
		t.Errorf("GET /healthz: %d %+v %v", resp.StatusCode, body, err)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestServeRegistersTheOrgsOfItsConfiguration(t *testing.T) {
	_, url := startEmulator(t)
	dir := t.TempDir()
	write(t, dir, "sfbridge.yaml", `data_dir: data
listen: 127.0.0.1:0
orgs:
  - name: emu
    login: `+url+`
    client_id: sfbridge-dev
    client_secret_env: SF_SECRET
    flow: password
    username: admin@example.com
    password_env: SF_PASSWORD
    poll_interval: 1m
`)
	p := start(t, dir, secrets, "serve", "--config", "sfbridge.yaml")
	p.waitLine(t, "sfbridge serving on ")
	r := sfbridge(t, dir, nil, "org", "list", "--config", "sfbridge.yaml")
	if r.code != 0 || !regexp.MustCompile(`emu\s+connected\s+`+regexp.QuoteMeta(url)).MatchString(r.stdout) {
		t.Errorf("org list while serving: exit %d, stdout %q", r.code, r.stdout)
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if strings.Contains(p.stderrText(), "sfbridge-dev-secret") {
		t.Error("the server logged the client secret")
	}
}
