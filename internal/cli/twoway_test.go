package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoTwoWayGuide runs the demo's "Try two-way sync" commands exactly
// as printed, in a shell: a row edited with sheet edit reaches the
// emulator's account, and the account edited through the emulator's REST
// API comes back to the row.
func TestDemoTwoWayGuide(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" { // .ci/run installs them
				t.Fatalf("CI must run this test, but the guide's commands need %s: %v", tool, err)
			}
			t.Skipf("the guide's commands need %s: %v", tool, err)
		}
	}
	work := t.TempDir()
	p := start(t, work, nil, "demo", "--data", filepath.Join(work, "demo"), "--poll", "1s")
	p.waitLine(t, "Try two-way sync")
	show, lines := p.waitLine(t, "  sfbridge sheet show accounts ")
	var cmds []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			cmds = append(cmds, l)
		}
	}
	cmds = append(cmds, strings.TrimSpace(show))
	if len(cmds) != 5 || !strings.HasPrefix(cmds[0], "TOKEN=") || !strings.HasPrefix(cmds[1], "sfbridge sheet edit ") {
		t.Fatalf("the guide's commands are not login, edit, read, patch, show:\n%s", strings.Join(cmds, "\n"))
	}
	// The guide says sfbridge: put the binary under test first on the PATH
	// by that name.
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binary, filepath.Join(bin, "sfbridge")); err != nil {
		t.Fatal(err)
	}
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	shell := func(env []string, script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir, cmd.Env = work, append(cleanEnv(), append(env, path)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return string(out)
	}
	token := strings.TrimSpace(shell(nil, cmds[0]+`; echo "$TOKEN"`))
	if token == "" {
		t.Fatalf("%s gave no token", cmds[0])
	}
	env := []string{"TOKEN=" + token}
	until := func(script, want string) {
		t.Helper()
		deadline := time.Now().Add(hang)
		for {
			out := shell(env, script)
			if strings.Contains(out, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still no %q:\n%s", script, want, out)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// Sheet -> Salesforce: the writer sends the edit at once.
	if out := shell(env, cmds[1]); !strings.Contains(out, "changed") || strings.Contains(out, "warning") {
		t.Fatalf("%s: %s", cmds[1], out)
	}
	until(cmds[2], `"Description":"Edited in the sheet"`)

	// Salesforce -> sheet: the next poll brings the account's change.
	shell(env, cmds[3])
	until(cmds[4], "Edited in Salesforce")

	// Bad edits change nothing and say what to fix, with exit code 2.
	data := filepath.Join(work, "demo")
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--row", "1", "--set", "employees=many"}, []string{"row 1", `column "employees"`, "many", "not a number"}},
		{[]string{"--row", "1", "--set", "nope=1"}, []string{`no column "nope"`, "its columns: name"}},
		{[]string{"--row", "1", "--set", "notes"}, []string{"COLUMN=VALUE"}},
		{[]string{"--row", "1", "--set", "notes=a", "--set", "notes=b"}, []string{"set twice"}},
		{[]string{"--row", "99999", "--set", "notes=a"}, []string{"no row 99999", "sheet show accounts"}},
		{[]string{"--sfid", "001000000000000AAA", "--set", "notes=a"}, []string{"no row with Salesforce ID 001000000000000AAA"}},
		{[]string{"--set", "notes=a"}, []string{"--row", "--sfid"}},
	} {
		r := sfbridge(t, work, nil, append([]string{"sheet", "edit", "accounts", "--data", data}, tt.args...)...)
		if r.code != 2 {
			t.Errorf("sheet edit %v: exit code %d, want 2", tt.args, r.code)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("sheet edit %v: error %q does not say %q", tt.args, r.stderr, w)
			}
		}
	}
	until(cmds[4], "Edited in Salesforce") // the row kept its value

	// A value may hold commas: --set takes it whole.
	if r := sfbridge(t, work, nil, "sheet", "edit", "accounts", "--data", data, "--row", "1", "--set", "notes=Paris, Lyon"); r.code != 0 {
		t.Errorf("editing with a comma: exit %d", r.code)
	}
	until(cmds[4], "Paris, Lyon")

	// A row added in the sheet creates an account, whose ID comes back.
	if r := sfbridge(t, work, nil, "sheet", "add", "accounts", "--data", data, "--set", "name=Made in the sheet"); r.code != 0 {
		t.Fatalf("sheet add: exit %d", r.code)
	}
	created := regexp.MustCompile(`(?m)^\d+,001\w{15},synced,.*Made in the sheet`)
	for deadline := time.Now().Add(hang); ; time.Sleep(200 * time.Millisecond) {
		r := sfbridge(t, work, nil, "sheet", "export", "accounts", "--format", "csv", "--data", data)
		if created.MatchString(r.stdout) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the added row never got its account")
		}
	}

	// A read-only column may be edited, with a warning that it stays here.
	r := sfbridge(t, work, nil, "sheet", "edit", "accounts", "--data", data, "--row", "1", "--set", "owner=Someone")
	if r.code != 0 || !strings.Contains(r.stderr, `no workflow sends column "owner"`) {
		t.Errorf("editing a read-only column: exit %d, stderr %q: want 0 and a warning", r.code, r.stderr)
	}
}
