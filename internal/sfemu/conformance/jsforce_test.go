package conformance

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var summaryLine = regexp.MustCompile(`^(\d+) passed, (\d+) failed$`)

// TestJSForce runs testdata/jsforce/conformance.mjs, which drives jsforce
// against the emulator, and reports each of its steps as a subtest.
func TestJSForce(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		needs(t, "node is not on PATH (Debian package nodejs)")
	}
	dir := filepath.Join("testdata", "jsforce")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jsforce")); err != nil {
		needs(t, "jsforce is not installed: run `npm ci --prefix internal/sfemu/conformance/testdata/jsforce`")
	}
	url := startEmulator(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "conformance.mjs", url)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()

	steps, summary := 0, ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok - "):
			steps++
			t.Run(strings.TrimPrefix(line, "ok - "), func(t *testing.T) {})
		case strings.HasPrefix(line, "not ok - "):
			steps++
			name, why, _ := strings.Cut(strings.TrimPrefix(line, "not ok - "), ": ")
			t.Run(name, func(t *testing.T) { t.Error(why) })
		case summaryLine.MatchString(line):
			summary = line
		}
	}
	if summary == "" || runErr != nil && steps == 0 {
		t.Fatalf("the jsforce suite did not run to the end (%v)\nstdout:\n%s\nstderr:\n%s", runErr, out, stderr.String())
	}
	const wantSteps = 23
	if steps != wantSteps {
		t.Errorf("the jsforce suite reported %d steps, want %d: %s", steps, wantSteps, summary)
	}
	if runErr != nil {
		t.Errorf("node exited with %v (%s)", runErr, summary)
	}
}
