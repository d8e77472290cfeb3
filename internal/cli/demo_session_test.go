package cli_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoOutlivesItsSession lets the demo org's session time out on the
// emulator's clock while the demo runs, then creates a hot lead: the next
// sync brings it in, the connection having logged in again by itself.
// Before the demo stored its password, the org paused, needing a person.
func TestDemoOutlivesItsSession(t *testing.T) {
	work := t.TempDir()
	p := start(t, work, nil, "demo", "--data", work+"/demo", "--poll", "1s")
	line, _ := p.waitLine(t, "emulator ready: ")
	m := readyLine.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("ready line %q", line)
	}
	base := m[1]
	dir, rows, _ := demoRows(t, p)
	before, ok := rows["hot_leads"]
	if !ok {
		t.Fatalf("the demo lists no hot_leads sheet: %v", rows)
	}

	// Three hours later on the emulator's clock, every session is dead
	// (the default timeout is two hours of inactivity).
	if status, body := rest(t, http.MethodPost, base+"/_emulator/clock", "", `{"advance": "3h"}`); status != http.StatusOK {
		t.Fatalf("advancing the emulator's clock: %d %s", status, body)
	}
	if status, body := rest(t, http.MethodPost, base+"/_emulator/records/Lead", "",
		`[{"LastName": "Renewed", "Company": "Session Co", "Rating": "Hot", "Status": "Open - Not Contacted"}]`); status != http.StatusOK {
		t.Fatalf("creating a hot lead: %d %s", status, body)
	}

	hotLeads := regexp.MustCompile(`(?m)^hot_leads\s+(\d+)\s`)
	deadline := time.Now().Add(hang)
	for {
		r := sfbridge(t, work, nil, "sheet", "list", "--data", dir)
		if m := hotLeads.FindStringSubmatch(r.stdout); m != nil {
			if n, _ := strconv.Atoi(m[1]); n == before+1 {
				break
			}
		}
		if time.Now().After(deadline) {
			status := sfbridge(t, work, nil, "org", "status", "demo", "--data", dir)
			t.Fatalf("the new hot lead never reached the sheet (%d rows before):\n%s\norg status:\n%s", before, r.stdout, status.stdout)
		}
		time.Sleep(200 * time.Millisecond)
	}

	r := sfbridge(t, work, nil, "org", "status", "demo", "--data", dir)
	if !strings.Contains(r.stdout, "state:        connected") || !strings.Contains(r.stdout, ": connected, renews with the password") {
		t.Errorf("org status after the session ended:\n%s", r.stdout)
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit code after Ctrl-C = %d, want 0", code)
	}
}
