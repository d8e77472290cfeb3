package cli_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeRunsWorkflowsThroughTheAPI checks the server's wiring: the
// workflow routes act through the owner's connection, "run now" reaches
// the scheduler, and /metrics counts what the run synced.
func TestServeRunsWorkflowsThroughTheAPI(t *testing.T) {
	_, _, dir, data := connected(t)
	write(t, dir, "accounts.yaml", accountsWorkflow)
	if r := sfbridge(t, dir, nil, append([]string{"workflow", "apply", "accounts.yaml"}, data...)...); r.code != 0 {
		t.Fatalf("workflow apply: exit %d, stderr %q", r.code, r.stderr)
	}
	p := start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	line, _ := p.waitLine(t, "console: ")
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)

	// The CLI's owner, adopted by the first-run setup, keeps the connection.
	const login, password = "admin@example.com", "a long enough passphrase"
	resp := call(t, http.MethodPost, base+"/api/v1/setup", nil, map[string]string{"login": login, "display_name": "Admin", "password": password}, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/setup: %d", resp.StatusCode)
	}
	cookie := sessionCookie(t, resp)

	type wf struct {
		ID    int64
		Name  string
		OrgID int64 `json:"org_id"`
		Can   struct{ Run bool }
	}
	var list struct{ Workflows []wf }
	if resp := call(t, http.MethodGet, base+"/api/v1/workflows", cookie, nil, &list); resp.StatusCode != http.StatusOK ||
		len(list.Workflows) != 1 || list.Workflows[0].Name != "all-accounts" || !list.Workflows[0].Can.Run {
		t.Fatalf("GET /api/v1/workflows: %d %+v", resp.StatusCode, list)
	}
	w := list.Workflows[0]

	var account struct{ Fields []struct{ Name string } }
	if resp := call(t, http.MethodGet, fmt.Sprintf("%s/api/v1/orgs/%d/objects/Account", base, w.OrgID), cookie, nil, &account); resp.StatusCode != http.StatusOK || len(account.Fields) == 0 {
		t.Errorf("describing Account through the owner's connection: %d, %d fields", resp.StatusCode, len(account.Fields))
	}

	// Someone without a connection is told so, not given an internal error.
	bob := map[string]any{"login": "bob@example.com", "display_name": "Bob", "password": password, "roles": []string{"connector_user"}}
	if resp := call(t, http.MethodPost, base+"/api/v1/users", cookie, bob, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("adding bob: %d", resp.StatusCode)
	}
	bobDoc := strings.Replace(accountsWorkflow, "owner: admin@example.com", "owner: bob@example.com", 1)
	// (409 is salesforce.not_connected here; the body is in the test log.)
	if resp := call(t, http.MethodPost, base+"/api/v1/workflows/validate", signIn(t, base, "bob@example.com", password),
		map[string]string{"document": bobDoc}, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("validating without a connection: %d, want 409 (salesforce.not_connected)", resp.StatusCode)
	}

	var queued struct{ Queued bool }
	if resp := call(t, http.MethodPost, fmt.Sprintf("%s/api/v1/workflows/%d/run", base, w.ID), cookie, nil, &queued); resp.StatusCode != http.StatusOK || !queued.Queued {
		t.Fatalf("POST run: %d %+v", resp.StatusCode, queued)
	}
	// Wait until the runs have loaded the accounts: the org's scheduled poll
	// may have run before "run now", and then the run it queued finds
	// nothing new. The deadline only stops a hung test.
	var runs struct {
		Runs []struct {
			Status   string
			Inserted int64
		}
	}
	inserted := func() (n int64, busy bool) {
		for _, r := range runs.Runs {
			if r.Status == "running" {
				busy = true
			}
			n += r.Inserted
		}
		return n, busy
	}
	deadline := time.Now().Add(30 * time.Second)
	for n, busy := inserted(); n == 0 || busy; n, busy = inserted() {
		if time.Now().After(deadline) {
			t.Fatalf("no run loaded the accounts: %+v", runs)
		}
		time.Sleep(100 * time.Millisecond)
		call(t, http.MethodGet, fmt.Sprintf("%s/api/v1/workflows/%d/runs", base, w.ID), cookie, nil, &runs)
	}
	for _, r := range runs.Runs {
		if r.Status != "succeeded" {
			t.Fatalf("a run did not succeed: %+v", runs.Runs)
		}
	}
	total, _ := inserted()

	mresp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	want := `sfbridge_rows_synced_total{direction="inbound",org="emu",workflow="all-accounts"} ` + strconv.FormatInt(total, 10)
	for _, line := range []string{"sfbridge_stats_up 1", want, `sfbridge_salesforce_api_limit{org="emu"} 15000`} {
		if !strings.Contains(string(metrics), line+"\n") {
			t.Errorf("/metrics lacks %q:\n%.3000s", line, metrics)
		}
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
