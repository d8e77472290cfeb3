package sfemu

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestGzipResponse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil, "Accept-Encoding", "gzip, deflate")
	if r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q", r.header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(plain), `"DailyApiRequests"`) {
		t.Errorf("decompressed body: %s, %v", plain, err)
	}
	r = f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil, "Accept-Encoding", "gzip;q=0")
	if r.header.Get("Content-Encoding") != "" {
		t.Errorf("q=0 still compressed")
	}
}

func TestPrettyPrint(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodGet, "/services/data/v60.0/", nil, "X-PrettyPrint", "1")
	if !strings.Contains(string(r.body), "\n  \"") {
		t.Errorf("not indented: %s", r.body)
	}
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"", "No content to map due to end-of-input at [line:1, column:0]"},
		{"{\"Name\": }", "Unexpected character ('}' (code 125)): was expecting a valid JSON value at [line:1, column:10]"},
		{"{\"Name\":\"x\"}\n{", "Unexpected character ('{' (code 123)): was expecting a valid JSON value at [line:2, column:1]"},
		{"{\"Name\":\"x\"", "Unexpected end-of-input: expected close marker at [line:1, column:12]"},
		{"[1]", "Cannot deserialize instance of Map out of START_ARRAY token at [line:1, column:1]"},
	}
	for _, tt := range tests {
		var v map[string]any
		err := parseJSON([]byte(tt.in), &v)
		ae, ok := err.(*apiError)
		if !ok || ae.Code != "JSON_PARSER_ERROR" || ae.Message != tt.want {
			t.Errorf("parseJSON(%q) = %v, want JSON_PARSER_ERROR %q", tt.in, err, tt.want)
		}
	}
}
