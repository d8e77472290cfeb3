package bulk

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestScannerStrings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`""`, ""},
		{`"say \"hi\""`, `say "hi"`},
		{`"a\\b\/c"`, `a\b/c`},
		{`"l1\nl2\r\n\tx\b\f"`, "l1\nl2\r\n\tx\b\f"},
		{`"\u00e9t\u00E9"`, "été"},
		{`"\ud83d\ude00!"`, "😀!"},
		{`"\ufffd"`, "\ufffd"},
		{`"déjà"`, "déjà"},
	} {
		var sc scanner
		sc.reset([]byte(tc.in))
		got, err := sc.str()
		if err != nil || string(got) != tc.want || sc.i != len(tc.in) {
			t.Errorf("str(%s) = %q, %v (at %d); want %q", tc.in, got, err, sc.i, tc.want)
		}
	}
	for _, bad := range []string{`"open`, `"bad \x"`, `"\u12"`, `"\uzzzz"`, `x"`, `"end\`} {
		var sc scanner
		sc.reset([]byte(bad))
		if got, err := sc.str(); err == nil {
			t.Errorf("str(%s) = %q, want an error", bad, got)
		}
	}
}

func TestScannerSkip(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `[]`, `null`, `12.5E3`, `{"a":[1,{"b":[]},"x"],"c":{}}`, `[[],[{}],"]"]`} {
		var sc scanner
		sc.reset([]byte(in + ",rest"))
		if err := sc.skip(); err != nil || sc.i != len(in) {
			t.Errorf("skip(%s): %v, at %d; want %d", in, err, sc.i, len(in))
		}
	}
	for _, bad := range []string{`{"a"}`, `[1 2]`, `{"a":1,}`, `[`, ``} {
		var sc scanner
		sc.reset([]byte(bad))
		if err := sc.skip(); err == nil {
			t.Errorf("skip(%s) accepted it", bad)
		}
	}
}

// FuzzScannerString: whatever a string holds, encoding/json's encoding of
// it reads back the same.
func FuzzScannerString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\\", "\n\t\u2028", "😀", "\x00\x1f", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // encoding/json replaces invalid bytes
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var sc scanner
		sc.reset(b)
		got, err := sc.str()
		if err != nil || string(got) != s {
			t.Fatalf("str(%s) = %q, %v; want %q", b, got, err, s)
		}
	})
}
