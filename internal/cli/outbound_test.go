package cli_test

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// outboundWorkflow creates an Account for each new row of its sheet.
const outboundWorkflow = `version: 1
name: new-accounts
org: emu
owner: admin@example.com
enabled: true
object: Account
sheet: new_accounts
direction: outbound
outbound: { operation: create }
fields:
  - { salesforce: Name, column: name }
`

func TestDeadLettersThroughTheCLI(t *testing.T) {
	_, _, dir, data := connected(t)
	run := func(args ...string) result { return sfbridge(t, dir, nil, append(args, data...)...) }
	write(t, dir, "new.yaml", outboundWorkflow)
	if r := run("workflow", "apply", "new.yaml"); r.code != 0 {
		t.Fatalf("workflow apply: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	p := start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	p.waitLine(t, "sfbridge serving on ")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data[1], "sfbridge.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The sheet appears once the server has bound the workflow.
	waitUntil(t, func() bool {
		_, err := db.Exec(`INSERT INTO sheet_new_accounts (name) VALUES ('Fine'), (?), (?)`, strings.Repeat("x", 300), strings.Repeat("y", 300))
		return err == nil
	})
	var list result
	waitUntil(t, func() bool {
		list = run("deadletter", "list")
		return strings.Count(list.stdout, "SFBRIDGE_INVALID_VALUE") == 2
	})
	if !strings.Contains(list.stdout, "Row 2 holds a value that cannot be sent to Account: field Name (column name)") {
		t.Errorf("deadletter list does not give the advice:\n%s", list.stdout)
	}
	ids := regexp.MustCompile(`(?m)^(\d+)\s+new_accounts\s+(\d+)`).FindAllStringSubmatch(list.stdout, -1)
	if len(ids) != 2 {
		t.Fatalf("dead letter IDs in:\n%s", list.stdout)
	}
	// With the server stopped: row 2 fixed and requeued, row 3 discarded.
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if _, err := db.Exec(`UPDATE sheet_new_accounts SET name = 'Fixed' WHERE _id = ?`, ids[0][2]); err != nil {
		t.Fatal(err)
	}
	if r := run("deadletter", "requeue", ids[0][1]); r.code != 0 {
		t.Fatalf("deadletter requeue: exit %d, %s", r.code, r.stderr)
	}
	if r := run("deadletter", "discard", ids[1][1], "--by", "ada"); r.code != 0 || !strings.Contains(r.stdout, "discarded") {
		t.Fatalf("deadletter discard: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if r := run("deadletter", "requeue", "999"); r.code != 2 {
		t.Errorf("requeuing an unknown dead letter: exit %d, want 2", r.code)
	}
	p = start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
	p.waitLine(t, "sfbridge serving on ")
	waitUntil(t, func() bool {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM sheet_new_accounts WHERE _status = 'synced' AND _sfid IS NOT NULL`).Scan(&n)
		return err == nil && n == 2
	})
	var status, msg string
	if err := db.QueryRow(`SELECT _status, _error FROM sheet_new_accounts WHERE _id = ?`, ids[1][2]).Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(msg, "ada discarded the create") {
		t.Errorf("discarded row: %s %q", status, msg)
	}
	if r := run("deadletter", "list"); !strings.Contains(r.stdout, "no dead letters") {
		t.Errorf("dead letters left:\n%s", r.stdout)
	}
	if r := run("conflict", "resolve", "1"); r.code != 2 || !strings.Contains(r.stderr, "--keep sheet") {
		t.Errorf("conflict resolve without a choice: exit %d, %s", r.code, r.stderr)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exited %d", code)
	}
}

// waitUntil polls cond for up to 20 seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
