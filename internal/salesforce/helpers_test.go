package salesforce

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dumpRecord renders a record as an indented tree that shows field order,
// value types and nesting.
func dumpRecord(b *strings.Builder, r *Record, indent string) {
	fmt.Fprintf(b, "%s<%s %s>\n", indent, r.Type, r.URL)
	for name, v := range r.Fields() {
		dumpValue(b, name, v, indent+"  ")
	}
}

func dumpValue(b *strings.Builder, name string, v any, indent string) {
	switch v := v.(type) {
	case nil:
		fmt.Fprintf(b, "%s%s = null\n", indent, name)
	case string:
		fmt.Fprintf(b, "%s%s = %q\n", indent, name, v)
	case json.Number:
		fmt.Fprintf(b, "%s%s = number %s\n", indent, name, v)
	case bool:
		fmt.Fprintf(b, "%s%s = bool %t\n", indent, name, v)
	case *Record:
		fmt.Fprintf(b, "%s%s = record\n", indent, name)
		dumpRecord(b, v, indent+"  ")
	case *ChildRecords:
		fmt.Fprintf(b, "%s%s = children totalSize=%d done=%t next=%q\n", indent, name, v.TotalSize, v.Done, v.NextRecordsURL)
		for _, r := range v.Records {
			dumpRecord(b, r, indent+"  ")
		}
	case []any:
		fmt.Fprintf(b, "%s%s = array of %d\n", indent, name, len(v))
		for i, e := range v {
			dumpValue(b, fmt.Sprintf("[%d]", i), e, indent+"  ")
		}
	default:
		fmt.Fprintf(b, "%s%s = %T %v\n", indent, name, v, v)
	}
}

// org is a fake Salesforce for HTTP-level tests: a mux on an httptest
// server that serves both the login host and the instance.
type org struct {
	*http.ServeMux
	srv  *httptest.Server
	hits atomic.Int64 // requests received, all paths
}

func newOrg(t *testing.T) *org {
	t.Helper()
	o := &org{ServeMux: http.NewServeMux()}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		o.ServeMux.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

// config returns a Config pointing at the fake org with fast retries.
func (o *org) config() Config {
	return Config{
		LoginURL:   o.srv.URL,
		ClientID:   "3MVG9test",
		HTTPClient: o.srv.Client(),
		Retry:      RetryPolicy{MaxAttempts: 3, Base: time.Millisecond, Cap: 2 * time.Millisecond},
	}
}

// client returns a client with a valid-looking session on the fake org.
func (o *org) client(t *testing.T, cfg Config, grant Grant) *Client {
	t.Helper()
	c, err := New(cfg, &Token{AccessToken: "00Dx0000000BV7z!old", InstanceURL: o.srv.URL}, grant)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeJSON answers with status and a JSON body, plus a limit header.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set(LimitInfoHeader, "api-usage=18/5000")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// dropConnection closes the connection without answering.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijacking: %v", err)
		return
	}
	conn.Close()
}

// restPath is the REST data path of the default API version.
const restPath = "/services/data/v" + DefaultAPIVersion

// waitFor polls cond; it fails the test if cond stays false for long, which
// means a bug (a liveness guard, not a timing assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never became true")
		}
		time.Sleep(time.Millisecond)
	}
}
