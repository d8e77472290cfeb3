package bulk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
)

// TestUsageRequests: every call spends one API request, and reports the
// usage in Sforce-Limit-Info; at the limit calls are refused.
func TestUsageRequests(t *testing.T) {
	f := setup(t, -1)
	f.setLimit(bulk.AllocAPIRequests, 4)
	id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
	f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nA\n")
	f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	r := f.call(http.MethodGet, v60+"/ingest/"+id+"/successfulResults", "")
	if got := r.header.Get("Sforce-Limit-Info"); got != "api-usage=4/4" {
		t.Errorf("Sforce-Limit-Info %q after four calls, want api-usage=4/4", got)
	}
	r = f.call(http.MethodGet, v60+"/ingest/"+id, "")
	if r.status != http.StatusForbidden || !strings.Contains(r.body, `"REQUEST_LIMIT_EXCEEDED"`) {
		t.Errorf("fifth call: %d %s, want 403 REQUEST_LIMIT_EXCEEDED", r.status, r.body)
	}
	if got := r.header.Get("Sforce-Limit-Info"); got != "api-usage=4/4" {
		t.Errorf("Sforce-Limit-Info %q on the refused call, want api-usage=4/4", got)
	}
}

// TestUsageQueryJobs: a query job created spends one DailyBulkV2QueryJobs;
// one refused does not. At the limit, creation is refused.
func TestUsageQueryJobs(t *testing.T) {
	f := setup(t, -1)
	f.setLimit(bulk.AllocQueryJobs, 1)
	if r := f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Bogus FROM Account"}`); r.status != http.StatusBadRequest {
		t.Fatalf("bad query: %d", r.status)
	}
	if r := f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account"}`); r.status != http.StatusOK {
		t.Fatalf("first job: %d %s", r.status, r.body)
	}
	r := f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account"}`)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"EXCEEDEDQUOTA"`) {
		t.Errorf("second job: %d %s, want 400 EXCEEDEDQUOTA", r.status, r.body)
	}
	if n := f.used(bulk.AllocQueryJobs); n != 1 {
		t.Errorf("%d query jobs counted, want 1", n)
	}
}

// TestUsageBatches: an ingest job spends one batch per 10,000 records when
// it is processed; without the allocation it fails.
func TestUsageBatches(t *testing.T) {
	f := setup(t, -1)
	load := func(rows int) string {
		id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
		var b strings.Builder
		b.WriteString("Name\n")
		for i := range rows {
			fmt.Fprintf(&b, "A%d\n", i)
		}
		f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", b.String())
		f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
		return f.call(http.MethodGet, v60+"/ingest/"+id, "").body
	}
	for _, tc := range []struct{ rows, batches int }{{1, 1}, {10_000, 2}, {10_001, 4}} {
		if got := load(tc.rows); !strings.Contains(got, `"JobComplete"`) {
			t.Fatalf("%d rows: %s", tc.rows, got)
		}
		if n := f.used(bulk.AllocBulkBatches); n != tc.batches {
			t.Errorf("after %d rows: %d batches spent, want %d in all", tc.rows, n, tc.batches)
		}
	}
	f.setLimit(bulk.AllocBulkBatches, 4)
	if got := load(1); !strings.Contains(got, `"Failed"`) || !strings.Contains(got, "ExceededQuota") {
		t.Errorf("over the allocation: %s", got)
	}
}
