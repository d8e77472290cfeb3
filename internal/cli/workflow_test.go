package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// accountsWorkflow copies every account's name and industry into a sheet.
const accountsWorkflow = `version: 1
name: all-accounts
org: emu
owner: admin@example.com
enabled: true
object: Account
sheet: accounts
direction: inbound
fields:
  - { salesforce: Name, column: name }
  - { salesforce: Industry, column: industry }
`

// connected starts an emulator in its own process and registers it as org
// "emu" in a new data directory, connected with the password flow. It
// returns the emulator, its URL, the working directory and the data flag.
func connected(t *testing.T) (*proc, string, string, []string) {
	t.Helper()
	emu, url := startEmulator(t)
	dir := t.TempDir()
	data := []string{"--data", filepath.Join(dir, "data")}
	r := sfbridge(t, dir, secrets, append([]string{"org", "add", "emu", "--login", url, "--client-id", "sfbridge-dev",
		"--client-secret-env", "SF_SECRET", "--flow", "password", "--username", "admin@example.com",
		"--password-env", "SF_PASSWORD", "--poll", "1m"}, data...)...)
	if r.code != 0 || !strings.Contains(r.stdout, `connected to org "emu"`) {
		t.Fatalf("org add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return emu, url, dir, data
}

// secrets are the emulator's development secrets, in the variables the
// commands are told to read.
var secrets = []string{"SF_SECRET=sfbridge-dev-secret", "SF_PASSWORD=sfbridge"}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOrgWorkflowSheetAgainstAnEmulatorProcess(t *testing.T) {
	emu, url, dir, data := connected(t)
	run := func(args ...string) result { return sfbridge(t, dir, nil, append(args, data...)...) }
	write(t, dir, "accounts.yaml", accountsWorkflow)

	if r := run("workflow", "apply", "accounts.yaml"); r.code != 0 || !strings.Contains(r.stdout, `workflow "all-accounts": created (version 1, enabled)`) {
		t.Fatalf("workflow apply: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := run("workflow", "apply", "accounts.yaml"); r.code != 0 || !strings.Contains(r.stdout, "unchanged (version 1") {
		t.Errorf("applying the same file again: exit %d, stdout %q", r.code, r.stdout)
	}

	r := run("--progress", "workflow", "run", "all-accounts", "--once")
	m := regexp.MustCompile(`run \d+ succeeded: read (\d+), inserted (\d+)`).FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil || m[1] == "0" || m[1] != m[2] {
		t.Fatalf("workflow run --once: exit %d, stdout %q; want every account read and inserted", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "all-accounts: initial load") || !strings.Contains(r.stderr, m[1]+"/"+m[1]) {
		t.Errorf("--progress drew no progress bar of the initial load on stderr:\n%s", r.stderr)
	}

	// The export holds exactly the emulator's accounts.
	if r := run("sheet", "export", "accounts", "--format", "csv", "--output", "accounts.csv"); r.code != 0 {
		t.Fatalf("sheet export: exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := os.Open(filepath.Join(dir, "accounts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("reading the export: %v, %d records", err, len(recs))
	}
	col := slices.Index(recs[0], "name")
	if col < 0 {
		t.Fatalf("the export has no name column: %q", recs[0])
	}
	var got []string
	for _, rec := range recs[1:] {
		got = append(got, rec[col])
	}
	want := accountNames(t, url)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("exported names %q, want the emulator's accounts %q", got, want)
	}

	if r := run("org", "list"); r.code != 0 || !regexp.MustCompile(`emu\s+connected\s+`+regexp.QuoteMeta(url)+`\s+\d+/15000`).MatchString(r.stdout) {
		t.Errorf("org list: exit %d, stdout %q; want emu connected with its API usage", r.code, r.stdout)
	}
	if r := run("workflow", "status", "all-accounts"); r.code != 0 || !strings.Contains(r.stdout, "state:        idle") || !strings.Contains(r.stdout, "succeeded") {
		t.Errorf("workflow status: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := run("sheet", "show", "accounts", "--limit", "2"); r.code != 0 || !strings.Contains(r.stdout, "2 of "+m[1]+" rows") {
		t.Errorf("sheet show --limit 2: exit %d, stdout %q", r.code, r.stdout)
	}

	write(t, dir, "accounts.yaml", strings.Replace(accountsWorkflow, "enabled: true", "enabled: false", 1))
	if r := run("workflow", "apply", "accounts.yaml"); r.code != 0 || !strings.Contains(r.stdout, "updated to version 2 (disabled)") {
		t.Errorf("applying a changed file: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 2 || !strings.Contains(r.stderr, "sfbridge workflow enable all-accounts") {
		t.Errorf("running a disabled workflow: exit %d, stderr %q; want 2 and how to enable it", r.code, r.stderr)
	}
	if r := run("workflow", "enable", "all-accounts"); r.code != 0 {
		t.Errorf("workflow enable: exit %d", r.code)
	}

	// Salesforce gone: the run fails as an environment problem.
	emu.stop(t, syscall.SIGTERM)
	if r := run("workflow", "run", "all-accounts", "--once"); r.code != 3 {
		t.Errorf("running with the emulator stopped: exit %d, stderr %q; want 3", r.code, r.stderr)
	}
}

// accountNames returns the names of the emulator's accounts, sorted.
func accountNames(t *testing.T, url string) []string {
	t.Helper()
	status, body := rest(t, http.MethodGet, url+"/services/data/v62.0/query/?q="+neturl.QueryEscape("SELECT Name FROM Account"),
		emulatorLogin(t, url), "")
	var res struct{ Records []struct{ Name string } }
	if err := json.Unmarshal(body, &res); err != nil || status != http.StatusOK {
		t.Fatalf("querying the accounts: %d %s", status, body)
	}
	var names []string
	for _, r := range res.Records {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	return names
}

func TestWorkflowValidateReportsEveryProblem(t *testing.T) {
	_, _, dir, data := connected(t)
	write(t, dir, "good.yaml", accountsWorkflow)
	write(t, dir, "bad.yaml", `version: 1
name: bad
org: emu
owner: admin@example.com
object: Acount
sheet: x
direction: inbound
colour: blue
fields:
  - { salesforce: Name, column: name }
`)
	write(t, dir, "worse.yaml", `version: 1
name: worse
org: emu
owner: admin@example.com
object: Account
sheet: y
direction: inbound
fields:
  - { salesforce: Nme, column: name }
`)
	r := sfbridge(t, dir, nil, append([]string{"workflow", "validate", "good.yaml", "bad.yaml", "worse.yaml"}, data...)...)
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	for _, want := range []string{
		"good.yaml: ok",
		`bad.yaml:5:9: object: the org has no object "Acount"`,
		`bad.yaml:8:1: colour: unknown key "colour"`,
		`worse.yaml:9:19: fields[0].salesforce: Account has no field "Nme"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "3 problems in 2 of 3 workflow files") {
		t.Errorf("stderr %q does not sum the problems up", r.stderr)
	}
	// Nothing is stored when a file is invalid.
	r = sfbridge(t, dir, nil, append([]string{"workflow", "apply", "good.yaml", "bad.yaml"}, data...)...)
	if r.code != 2 {
		t.Errorf("apply with a bad file: exit %d, want 2", r.code)
	}
	if r := sfbridge(t, dir, nil, append([]string{"workflow", "list"}, data...)...); !strings.Contains(r.stdout, "no workflows") {
		t.Errorf("a workflow was stored although a file was invalid:\n%s", r.stdout)
	}
}

func TestCommandsExplainMissingData(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"org", "list"}, {"workflow", "list"}, {"sheet", "list"}, {"org", "status", "x"}} {
		r := sfbridge(t, dir, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "no sfbridge data in .sfbridge") {
			t.Errorf("sfbridge %s: exit %d, stderr %q; want 2 and where the data was looked for", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".sfbridge")); err == nil {
		t.Error("a read-only command created the data directory")
	}
}

func TestConfigurationErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sfbridge.yaml", "listen: 0.0.0.0:8080\nlog_level: loud\n")
	r := sfbridge(t, dir, nil, "serve", "--config", "sfbridge.yaml")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	for _, want := range []string{"sfbridge.yaml:1:9: listen:", "sfbridge.yaml:2:12: log_level:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = sfbridge(t, dir, []string{"SFBRIDGE_LISTEN=nowhere"}, "serve")
	if r.code != 2 || !strings.Contains(r.stderr, "$SFBRIDGE_LISTEN: listen:") {
		t.Errorf("bad $SFBRIDGE_LISTEN: exit %d, stderr %q", r.code, r.stderr)
	}
}
