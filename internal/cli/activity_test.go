package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
)

// seedRecord creates a record in the emulator as the admin and returns its
// ID.
func seedRecord(t *testing.T, url, token, object string, fields map[string]any) string {
	t.Helper()
	body, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	status, resp := rest(t, http.MethodPost, url+"/services/data/v62.0/sobjects/"+object+"/", token, string(body))
	var created struct{ ID string }
	if err := json.Unmarshal(resp, &created); err != nil || status != http.StatusCreated || created.ID == "" {
		t.Fatalf("creating a %s: %d %s", object, status, resp)
	}
	return created.ID
}

// countTasks returns the number of Tasks with subject, read through the
// emulator's REST API as the admin.
func countTasks(t *testing.T, url, token, subject string) int {
	t.Helper()
	q := neturl.QueryEscape(fmt.Sprintf("SELECT Id, WhoId FROM Task WHERE Subject = '%s'", subject))
	status, body := rest(t, http.MethodGet, url+"/services/data/v62.0/query?q="+q, token, "")
	var res struct{ TotalSize int }
	if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK {
		t.Fatalf("querying tasks: %d %s", status, body)
	}
	return res.TotalSize
}

func TestActivityLogOnceByKey(t *testing.T) {
	_, url, dir, data := connected(t)
	token := emulatorLogin(t, url)
	contact := seedRecord(t, url, token, "Contact", map[string]any{"LastName": "Okafor", "FirstName": "Ada", "Email": "ada.okafor@example.com"})
	lead := seedRecord(t, url, token, "Lead", map[string]any{"LastName": "Lind", "Company": "Lind AB", "Email": "lena.lind@example.com"})

	args := append([]string{"activity", "log", "--kind", "email", "--to", "ada.okafor@example.com", "--to", "nobody.here@example.com", "--to", "lena.lind@example.com",
		"--subject", "Pricing deck e2e", "--body", "Sent the deck.", "--link", "https://example.com/deck", "--key", "share-1"}, data...)
	first := sfbridge(t, dir, nil, args...)
	if first.code != 0 {
		t.Fatalf("activity log: exit %d, stderr %q", first.code, first.stderr)
	}
	for _, want := range []string{"logged Task 00T", "recipient: Contact " + contact, "unknown: nobody.here@example.com", "unrelated: Lead " + lead} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("activity log output lacks %q:\n%s", want, first.stdout)
		}
	}
	second := sfbridge(t, dir, nil, args...)
	if second.code != 0 || !strings.Contains(second.stdout, `key "share-1" was already used: nothing new was logged`) {
		t.Errorf("activity log with the same key again: exit %d, stdout %q", second.code, second.stdout)
	}
	if strings.Contains(first.stdout, "already used") {
		t.Errorf("the first log says the key was already used:\n%s", first.stdout)
	}
	if n := countTasks(t, url, token, "Pricing deck e2e"); n != 1 {
		t.Errorf("the emulator holds %d tasks with the subject, want 1", n)
	}

	meeting := sfbridge(t, dir, nil, append([]string{"activity", "log", "--kind", "meeting", "--to", "ada.okafor@example.com",
		"--subject", "Kick-off e2e", "--start", "2026-11-23T10:00:00Z", "--end", "2026-11-23T11:00:00Z", "--key", "meet-1"}, data...)...)
	if meeting.code != 0 || !strings.Contains(meeting.stdout, "logged Event 00U") {
		t.Errorf("activity log of a meeting: exit %d, stdout %q, stderr %q", meeting.code, meeting.stdout, meeting.stderr)
	}

	list := sfbridge(t, dir, nil, append([]string{"activity", "list"}, data...)...)
	if list.code != 0 || !strings.Contains(list.stdout, "share-1") || !strings.Contains(list.stdout, "logged") {
		t.Errorf("activity list: exit %d, stdout %q", list.code, list.stdout)
	}
	if failed := sfbridge(t, dir, nil, append([]string{"activity", "list", "--failed"}, data...)...); failed.code != 0 || strings.TrimSpace(failed.stdout) != "no activities" {
		t.Errorf("activity list --failed: exit %d, stdout %q; want no activities", failed.code, failed.stdout)
	}
	if r := sfbridge(t, dir, nil, append([]string{"activity", "retry", "share-1"}, data...)...); r.code != 2 || !strings.Contains(r.stderr, "not failed") {
		t.Errorf("retrying a logged activity: exit %d, stderr %q; want 2", r.code, r.stderr)
	}
}

func TestActivityLogRefusals(t *testing.T) {
	emu, url, dir, data := connected(t)
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"meeting without times", []string{"--kind", "meeting", "--to", "a@example.com", "--subject", "S", "--key", "m1"}, 2, "a meeting needs a start and an end time"},
		{"bad start", []string{"--kind", "meeting", "--to", "a@example.com", "--subject", "S", "--key", "m2", "--start", "tomorrow"}, 2, `--start "tomorrow" is not an RFC 3339 time`},
		{"bad address", []string{"--kind", "email", "--to", "not-an-address", "--subject", "S", "--key", "m3"}, 2, "recipients[0]"},
		{"unknown kind", []string{"--kind", "fax", "--to", "a@example.com", "--subject", "S", "--key", "m4"}, 2, "--kind"},
		{"no known recipient", []string{"--kind", "email", "--to", "ghost@example.com", "--subject", "S", "--key", "m5"}, 2, "sfbridge activity retry m5"},
		{"unknown user", []string{"--kind", "email", "--to", "a@example.com", "--subject", "S", "--key", "m6", "--user", "nobody"}, 2, `no sfbridge user "nobody"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := sfbridge(t, dir, nil, append(append([]string{"activity", "log"}, tt.args...), data...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
	token := emulatorLogin(t, url)
	if n := countTasks(t, url, token, "S"); n != 0 {
		t.Errorf("refused requests left %d tasks", n)
	}

	// The activity with no known recipient stays failed until the contact
	// exists, then a retry logs it.
	if r := sfbridge(t, dir, nil, append([]string{"activity", "list", "--failed"}, data...)...); !strings.Contains(r.stdout, "m5") {
		t.Errorf("activity list --failed lacks m5:\n%s", r.stdout)
	}
	seedRecord(t, url, token, "Contact", map[string]any{"LastName": "Ghost", "Email": "ghost@example.com"})
	if r := sfbridge(t, dir, nil, append([]string{"activity", "retry", "m5"}, data...)...); r.code != 0 || !strings.Contains(r.stdout, "logged Task 00T") || !strings.Contains(r.stdout, "2 attempt(s)") {
		t.Errorf("activity retry m5: exit %d, stdout %q", r.code, r.stdout)
	}
	if n := countTasks(t, url, token, "S"); n != 1 {
		t.Errorf("after the retry the emulator holds %d tasks, want 1", n)
	}
	if r := sfbridge(t, dir, nil, append([]string{"activity", "retry", "nope"}, data...)...); r.code != 2 || !strings.Contains(r.stderr, `no activity has the key "nope"`) {
		t.Errorf("activity retry of an unknown key: exit %d, stderr %q; want 2", r.code, r.stderr)
	}

	// Salesforce unreachable: exit 3.
	if code := emu.stop(t, 15); code != 0 {
		t.Fatalf("stopping the emulator: exit %d", code)
	}
	r := sfbridge(t, dir, nil, append([]string{"activity", "log", "--kind", "email", "--to", "a@example.com", "--subject", "S", "--key", "m7"}, data...)...)
	if r.code != 3 {
		t.Errorf("logging with Salesforce down: exit %d, stderr %q; want 3", r.code, r.stderr)
	}
}

func TestSearchSharing(t *testing.T) {
	_, url, dir, data := connected(t)
	token := emulatorLogin(t, url)
	lead := seedRecord(t, url, token, "Lead", map[string]any{"LastName": "Quillfeather", "Company": "Quillfeather Mills", "Status": "Open - Not Contacted"})
	account := seedRecord(t, url, token, "Account", map[string]any{"Name": "Quillfeather Mills"})
	if r := sfbridge(t, dir, secrets, append([]string{"org", "connect", "emu", "--flow", "password", "--username", "user@example.com", "--password-env", "SF_PASSWORD"}, data...)...); r.code != 0 {
		t.Fatalf("connecting user@example.com: exit %d, stderr %q", r.code, r.stderr)
	}

	r := sfbridge(t, dir, nil, append([]string{"search", "Quillfeather", "--user", "admin@example.com"}, data...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "Leads (1)") || !strings.Contains(r.stdout, "/lightning/r/Lead/"+lead+"/view") ||
		!strings.Contains(r.stdout, "Accounts (1)") {
		t.Errorf("the admin's search: exit %d, stdout %q; want the lead and the account, with links", r.code, r.stdout)
	}
	r = sfbridge(t, dir, nil, append([]string{"search", "Quillfeather", "--user", "admin@example.com", "--json"}, data...)...)
	var res struct {
		Groups []struct {
			Object string
			Hits   []struct{ ID, URL string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
		t.Fatalf("search --json: exit %d, %v", r.code, err)
	}
	if len(res.Groups) != 2 || res.Groups[0].Object != "Lead" || len(res.Groups[0].Hits) != 1 || res.Groups[0].Hits[0].ID != lead ||
		res.Groups[1].Object != "Account" || len(res.Groups[1].Hits) != 1 || res.Groups[1].Hits[0].ID != account {
		t.Errorf("search --json = %+v, want the lead %s, then the account %s", res, lead, account)
	}

	r = sfbridge(t, dir, nil, append([]string{"search", "Quillfeather", "--user", "user@example.com"}, data...)...)
	if r.code != 0 || strings.Contains(r.stdout, lead) || strings.Contains(r.stdout, "Leads") || !strings.Contains(r.stdout, "/lightning/r/Account/"+account+"/view") {
		t.Errorf("the restricted user's search: exit %d, stdout %q; want the account, and the admin's private lead hidden", r.code, r.stdout)
	}

	for _, tt := range []struct {
		name, stderr string
		args         []string
	}{
		{"term too short", "type at least 2 letters or digits", []string{"search", "Q", "--user", "admin@example.com"}},
		{"two users, none chosen", "say who acts with --user LOGIN", []string{"search", "Quillfeather"}},
		{"unknown org", `no org named "other"`, []string{"search", "Quillfeather", "--org", "other"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := sfbridge(t, dir, nil, append(tt.args, data...)...); r.code != 2 || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.stderr)
			}
		})
	}
}
