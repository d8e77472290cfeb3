package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

// twoWayWorkflow keeps Accounts and a sheet in step both ways; rows
// deleted in the sheet delete their accounts.
const twoWayWorkflow = `version: 1
name: accounts-both
org: emu
owner: admin@example.com
enabled: true
object: Account
sheet: accounts_both
direction: both
conflicts: sheet_wins
deletes: { inbound: propagate, outbound: propagate }
outbound: { operation: create }
fields:
  - { salesforce: Name, column: name }
  - { salesforce: Industry, column: industry }
`

// TestChaos runs sfbridge serve against an emulator process that fails a
// share of its requests (503, UNABLE_TO_LOCK_ROW, dropped connections,
// expired sessions), makes random edits on both sides, kills the server
// with SIGKILL and restarts it, then lets it settle: workflow verify must
// find no difference. A few rounds by default (well under a minute); set
// SFBRIDGE_CHAOS_ROUNDS for a longer run. It waits out the claims and
// retries of killed servers (30 s leases, 30 s first backoff), so it is
// skipped with -short:
//
//	SFBRIDGE_CHAOS_ROUNDS=50 go test ./internal/cli -run TestChaos -timeout 30m
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos run waits for leases and retries; run it without -short")
	}
	rounds := 3
	if s := os.Getenv("SFBRIDGE_CHAOS_ROUNDS"); s != "" {
		var err error
		if rounds, err = strconv.Atoi(s); err != nil {
			t.Fatalf("SFBRIDGE_CHAOS_ROUNDS=%q: %v", s, err)
		}
	}
	_, url, dir, data := connected(t)
	run := func(args ...string) result { return sfbridge(t, dir, nil, append(args, data...)...) }
	write(t, dir, "both.yaml", twoWayWorkflow)
	if r := run("workflow", "apply", "both.yaml"); r.code != 0 {
		t.Fatalf("workflow apply: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	client, err := salesforce.Connect(ctx, salesforce.Config{LoginURL: url, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret},
		salesforce.PasswordGrant("admin@example.com", "sfbridge"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data[1], "sfbridge.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	serve := func() *proc {
		p := start(t, dir, nil, append([]string{"serve", "--listen", "127.0.0.1:0"}, data...)...)
		p.waitLine(t, "sfbridge serving on ")
		return p
	}
	p := serve()
	settle(t, run) // the initial load
	rng := rand.New(rand.NewPCG(42, uint64(rounds)))
	setFaults(t, url, `{"seed": 9, "faults": [
		{"kind": "unavailable", "rate": 0.1, "path": "/services/data/*/composite/sobjects"},
		{"kind": "lockRow", "rate": 0.1, "path": "/services/data/*/composite/sobjects"},
		{"kind": "drop", "rate": 0.1, "path": "/services/data/*/composite/sobjects"},
		{"kind": "expireSession", "rate": 0.02}]}`)
	for round := range rounds {
		for i := range 10 {
			editSheet(t, db, rng, fmt.Sprintf("r%d-%d", round, i))
			editSalesforce(t, client, rng, fmt.Sprintf("r%d-%d", round, i))
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		if code := p.stop(t, syscall.SIGKILL); code == 0 {
			t.Fatalf("round %d: serve exited 0 on SIGKILL", round)
		}
		p = serve()
		if r := run("workflow", "run", "accounts-both", "--once"); r.code != 0 && r.code != 3 {
			t.Fatalf("workflow run: exit %d, %s", r.code, r.stderr)
		}
	}
	setFaults(t, url, `{"faults": []}`)
	settle(t, run)
	if r := run("deadletter", "list"); r.code != 0 {
		t.Errorf("deadletter list: exit %d, %s", r.code, r.stderr)
	}
	if r := run("conflict", "list", "--all"); r.code != 0 {
		t.Errorf("conflict list: exit %d, %s", r.code, r.stderr)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("serve exited %d on SIGTERM; stderr:\n%s", code, p.stderrText())
	}
}

// settle polls Salesforce (in the command's process: a run queued to a
// server killed in the middle of it waits for the job queue to rescue it)
// until workflow verify finds no difference; it fails the test after a
// minute and a half (a killed server's claims wait for their lease).
func settle(t *testing.T, run func(...string) result) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last result
	for time.Now().Before(deadline) {
		if r := run("workflow", "run", "accounts-both", "--once"); r.code != 0 && r.code != 3 {
			t.Fatalf("workflow run: exit %d, %s", r.code, r.stderr)
		}
		time.Sleep(500 * time.Millisecond)
		last = run("workflow", "verify", "accounts-both")
		if last.code == 0 {
			return
		}
		if last.code != 4 {
			t.Fatalf("workflow verify: exit %d, %s%s", last.code, last.stdout, last.stderr)
		}
	}
	status := run("workflow", "status", "accounts-both", "--runs", "20")
	t.Fatalf("sheet and Salesforce never converged; last verify:\n%s%s\nstatus:\n%s", last.stdout, last.stderr, status.stdout)
}

func setFaults(t *testing.T, url, plan string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url+"/_emulator/faults", bytes.NewBufferString(plan))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting faults: %s", resp.Status)
	}
}

// editSheet inserts, edits or deletes a row with SQL, as a person would.
func editSheet(t *testing.T, db *sql.DB, rng *rand.Rand, tag string) {
	t.Helper()
	var err error
	switch rng.IntN(4) {
	case 0:
		_, err = db.Exec(`INSERT INTO sheet_accounts_both (name, industry) VALUES (?, ?)`, "Sheet "+tag, industry(rng))
	case 1:
		// Only accounts made here: the demo's have cases, which block deletes.
		_, err = db.Exec(`DELETE FROM sheet_accounts_both WHERE _id = (SELECT _id FROM sheet_accounts_both
			WHERE _status <> 'deleted' AND (name LIKE 'Sheet %' OR name LIKE 'Salesforce %') ORDER BY random() LIMIT 1)`)
	default:
		_, err = db.Exec(`UPDATE sheet_accounts_both SET industry = ?, name = name || ' ' || ? WHERE _id = (SELECT _id FROM sheet_accounts_both
			WHERE _status <> 'deleted' ORDER BY random() LIMIT 1)`, industry(rng), tag)
	}
	if err != nil && !strings.Contains(err.Error(), "busy") {
		t.Fatal(err)
	}
}

// editSalesforce creates, edits or deletes an account through the API.
func editSalesforce(t *testing.T, c *salesforce.Client, rng *rand.Rand, tag string) {
	t.Helper()
	ctx := context.Background()
	var ids, ours []string
	for rec, err := range c.Query(ctx, "SELECT Id, Name FROM Account ORDER BY Id") {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID())
		// Only accounts made here are deleted: the demo's have cases.
		if name, _ := rec.String("Name"); strings.HasPrefix(name, "Sheet ") || strings.HasPrefix(name, "Salesforce ") {
			ours = append(ours, rec.ID())
		}
	}
	var err error
	switch op := rng.IntN(4); {
	case op == 0 || len(ids) == 0:
		_, err = c.Create(ctx, "Account", salesforce.NewRecord("Account").Set("Name", "Salesforce "+tag).Set("Industry", industry(rng)))
	case op == 1 && len(ours) > 0:
		err = c.Delete(ctx, "Account", ours[rng.IntN(len(ours))])
	case op > 1:
		err = c.Update(ctx, "Account", ids[rng.IntN(len(ids))], salesforce.NewRecord("").Set("Industry", industry(rng)).Set("Description", tag))
	}
	if err != nil && !salesforce.IsTransient(err) {
		t.Fatal(err)
	}
}

// industry is a value of Account's Industry picklist.
func industry(rng *rand.Rand) string {
	values := []string{"Banking", "Energy", "Retail", "Technology", "Education"}
	return values[rng.IntN(len(values))]
}
