package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Check compares got with the golden file at path (relative to the test's
// package directory), or writes got there when the test runs with -update.
// A difference fails the test with a diff and the way to accept it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("updating golden file: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("updating golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the output; run go test -update and review the diff (-want +got):\n%s", path, diff)
	}
}

// Case is one case of a case file: its name and its input.
type Case struct {
	Name, Input string
}

// ReadCases reads a case file: each case is a "# name" line followed by
// its input, which may span several lines and runs to the next "# " line.
// Trailing blank space is dropped from the input; leading space is kept,
// since it moves the positions that errors report.
func ReadCases(t testing.TB, path string) []Case {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading cases: %v", err)
	}
	var cases []Case
	for block := range strings.SplitSeq(string(data), "\n# ") {
		name, input, _ := strings.Cut(strings.TrimPrefix(block, "# "), "\n")
		cases = append(cases, Case{Name: name, Input: strings.TrimRight(input, "\n \t")})
	}
	return cases
}

// IndentJSON indents a JSON body by two spaces, keeping its key order, and
// ends it with a newline, as golden files store JSON.
func IndentJSON(t testing.TB, body []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("indenting %s: %v", body, err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
