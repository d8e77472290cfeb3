package bulk_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
)

// TestNoCaller: a handler mounted without authentication answers 500 and
// logs why, rather than acting as nobody.
func TestNoCaller(t *testing.T) {
	f := setup(t, 0)
	h, err := bulk.New(bulk.Config{Clock: f.e.Clock(), Schema: f.org, Query: query.New(f.org.QuerySource())})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, v60+"/ingest", nil))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "UNKNOWN_EXCEPTION") {
		t.Errorf("%d %s, want 500 UNKNOWN_EXCEPTION", w.Code, w.Body)
	}
}

// TestPaths: versions, kinds and resources the handler does not serve are
// 404, wrong methods 405, HEAD is GET without a body, and X-PrettyPrint
// indents.
func TestPaths(t *testing.T) {
	f := setup(t, -1)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/services/data/v60.0/jobs/other", http.StatusNotFound},
		{http.MethodGet, "/services/data/60.0/jobs/ingest", http.StatusNotFound},
		{http.MethodGet, "/services/data/vX/jobs/ingest", http.StatusNotFound},
		{http.MethodGet, "/services/data/v60/jobs/ingest", http.StatusNotFound},
		{http.MethodGet, "/services/data/v60.0/sobjects/ingest", http.StatusNotFound},
		{http.MethodGet, "/services/data/v60.0/jobs/ingest/a/b/c", http.StatusNotFound},
		{http.MethodGet, "/services/data/v41.0/jobs/ingest", http.StatusOK},
		{http.MethodGet, "/services/data/v46.0/jobs/query", http.StatusNotFound},
		{http.MethodGet, "/services/data/v47.0/JOBS/Query/", http.StatusOK},
		{http.MethodDelete, v60 + "/query", http.StatusMethodNotAllowed},
		{http.MethodHead, v60 + "/query", http.StatusOK},
	} {
		r := f.call(tc.method, tc.path, "")
		if r.status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.status, r.body, tc.status)
		}
		if tc.method == http.MethodHead && r.body != "" {
			t.Errorf("HEAD answered a body: %q", r.body)
		}
	}
	r := f.call(http.MethodGet, v60+"/ingest", "", "X-PrettyPrint", "1")
	if want := "{\n  \"done\": true,\n  \"records\": [],\n  \"nextRecordsUrl\": null\n}"; r.body != want {
		t.Errorf("pretty list %q, want %q", r.body, want)
	}
}
