package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestCheck(t *testing.T) {
	if *update {
		t.Skip("-update rewrites instead of comparing")
	}
	path := filepath.Join(t.TempDir(), "out.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		got   string
		fails bool
	}{
		{"same bytes", path, "a\nb\n", false},
		{"other line", path, "a\nc\n", true},
		{"missing newline", path, "a\nb", true},
		{"no golden file", filepath.Join(t.TempDir(), "none.golden"), "a\nb\n", true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		Check(r, tt.path, []byte(tt.got))
		if (r.failed != "") != tt.fails {
			t.Errorf("%s: Check failed with %q, want failure %t", tt.name, r.failed, tt.fails)
		}
	}
}

func TestReadCases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cases.soql")
	text := "# first\nSELECT Id\nFROM Account\n\n# second\n  SELECT Name FROM Contact \t\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got := ReadCases(t, path)
	want := []Case{{"first", "SELECT Id\nFROM Account"}, {"second", "  SELECT Name FROM Contact"}}
	if len(got) != len(want) {
		t.Fatalf("ReadCases = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestIndentJSON(t *testing.T) {
	got := string(IndentJSON(t, []byte(`{"b":1,"a":[true]}`)))
	want := "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}\n"
	if got != want {
		t.Errorf("IndentJSON = %q, want %q", got, want)
	}
}
