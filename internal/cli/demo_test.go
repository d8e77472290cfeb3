package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

var (
	dataDirLine  = regexp.MustCompile(`^Data directory\s+(\S+)`)
	workflowLine = regexp.MustCompile(`^\s+(\S+)\s+(idle|running|failing|paused)\s+(\S+)\s+(\d+|-)$`)
)

// demoRows reads the demo's summary up to its last line and returns the
// data directory, the rows of each sheet it lists, and the lines read.
func demoRows(t *testing.T, p *proc) (string, map[string]int, []string) {
	t.Helper()
	_, lines := p.waitLine(t, "Look around from another terminal:")
	var dir string
	rows := map[string]int{}
	for _, l := range lines {
		if m := dataDirLine.FindStringSubmatch(l); m != nil {
			dir = m[1]
		}
		if m := workflowLine.FindStringSubmatch(l); m != nil && m[4] != "-" {
			rows[m[3]], _ = strconv.Atoi(m[4])
		}
	}
	if dir == "" || len(rows) == 0 {
		t.Fatalf("the summary names no data directory or no sheet:\n%s", strings.Join(lines, "\n"))
	}
	return dir, rows, lines
}

func TestDemo(t *testing.T) {
	p := start(t, t.TempDir(), nil, "demo")
	if line, _ := p.waitLine(t, "emulator ready: "); !readyLine.MatchString(line) {
		t.Errorf("ready line %q", line)
	}
	dir, rows, lines := demoRows(t, p)
	base, login, password := demoConsole(t, lines)
	checkDemoConsole(t, base, login, password)
	total := 0
	for _, n := range rows {
		total += n
	}
	if total == 0 {
		t.Errorf("the demo synced no rows: %v", rows)
	}

	// While the demo runs, the CLI reads the same data.
	r := sfbridge(t, t.TempDir(), nil, "sheet", "list", "--data", dir)
	for sheet, n := range rows {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sheet) + `\s+` + strconv.Itoa(n) + `\s`).MatchString(r.stdout) {
			t.Errorf("sheet list does not show %s with %d rows:\n%s", sheet, n, r.stdout)
		}
	}

	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit code after Ctrl-C = %d, want 0", code)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the temporary data directory %s is still there: %v", dir, err)
	}
}

func TestDemoKeepsItsData(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "demo")
	p := start(t, work, nil, "demo", "--data", data)
	dir, rows, lines := demoRows(t, p)
	_, login, password := demoConsole(t, lines)
	if dir != data {
		t.Errorf("data directory %q, want %q", dir, data)
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	r := sfbridge(t, work, nil, "sheet", "list", "--data", data)
	for sheet, n := range rows {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sheet) + `\s+` + strconv.Itoa(n) + `\s`).MatchString(r.stdout) {
			t.Errorf("after the demo, sheet list does not show %s with %d rows:\n%s", sheet, n, r.stdout)
		}
	}
	// A second run picks up where the first stopped.
	p = start(t, work, nil, "demo", "--data", data)
	_, again, lines := demoRows(t, p)
	if len(again) != len(rows) {
		t.Errorf("the second run lists sheets %v, the first %v", again, rows)
	}
	// The admin of the first run, with the password printed then.
	base, _, printed := demoConsole(t, lines)
	if printed != "" {
		t.Errorf("the second run printed a new password %q for the admin the first created", printed)
	}
	checkDemoConsole(t, base, login, password)
	p.stop(t, syscall.SIGINT)
}
