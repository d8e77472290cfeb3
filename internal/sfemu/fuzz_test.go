package sfemu

import (
	"testing"
)

// FuzzParseJSON: any body gives either a value or a JSON_PARSER_ERROR whose
// position lies within the body.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{"", "{}", `{"a":1}`, `{"a":}`, "[1]", "{\n\"a\":\n", `"x"`, "{}{}", "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v map[string]any
		err := parseJSON(data, &v)
		if err == nil {
			return
		}
		ae, ok := err.(*apiError)
		if !ok || ae.Code != "JSON_PARSER_ERROR" || ae.Status != 400 {
			t.Fatalf("parseJSON(%q) = %v", data, err)
		}
	})
}

// FuzzReferences: expanding composite references never panics, and text
// without "@{" comes back unchanged.
func FuzzReferences(f *testing.F) {
	refs := references{"a": map[string]any{"id": "001", "records": []any{map[string]any{"Id": "003"}}}}
	for _, s := range []string{"@{a.id}", "x @{a.records[0].Id} y", "@{a.records[9].Id}", "@{", "@{a.}", "@{a[0]}", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := refs.expandString(s)
		if err == nil && !containsRef(s) && out != s {
			t.Fatalf("expandString(%q) = %q without any reference", s, out)
		}
	})
}

func containsRef(s string) bool { return refPattern.MatchString(s) }
