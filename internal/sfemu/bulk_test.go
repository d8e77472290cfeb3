package sfemu

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// bulkJob is the part of a JobInfo the front's tests read.
type bulkJob struct {
	ID                     string `json:"id"`
	State                  string `json:"state"`
	NumberRecordsProcessed int    `json:"numberRecordsProcessed"`
}

// ingest creates an ingest job inserting accounts, uploads csv and closes
// it, with the admin's session.
func (f *fixture) ingest(t *testing.T, csv string) bulkJob {
	t.Helper()
	var job bulkJob
	r := f.do(t, http.MethodPost, "/services/data/v60.0/jobs/ingest", map[string]string{"object": "Account", "operation": "insert"})
	if r.status != http.StatusOK {
		t.Fatalf("creating a job: %d %s", r.status, r.body)
	}
	r.decode(t, &job)
	if r = f.do(t, http.MethodPut, "/services/data/v60.0/jobs/ingest/"+job.ID+"/batches", csv, "Content-Type", "text/csv"); r.status != http.StatusCreated {
		t.Fatalf("uploading: %d %s", r.status, r.body)
	}
	if r = f.do(t, http.MethodPatch, "/services/data/v60.0/jobs/ingest/"+job.ID, map[string]string{"state": "UploadComplete"}); r.status != http.StatusOK {
		t.Fatalf("closing: %d %s", r.status, r.body)
	}
	return job
}

func (f *fixture) accounts(t *testing.T, name string) int {
	t.Helper()
	var out struct {
		TotalSize int `json:"totalSize"`
	}
	f.do(t, http.MethodGet, "/services/data/v60.0/query?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+'"+name+"'", nil).decode(t, &out)
	return out.TotalSize
}

// TestBulkMounted: Bulk API 2.0 is served behind the session check, from
// its first versions on, each call counted once.
func TestBulkMounted(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "empty"; o.BulkProcessingDelay = -1 }))
	for _, tc := range []struct {
		method, path, token string
		status              int
		code                string
	}{
		{http.MethodGet, "/services/data/v60.0/jobs/ingest", "", http.StatusOK, ""},
		{http.MethodGet, "/services/data/v41.0/jobs/ingest", "", http.StatusOK, ""},
		{http.MethodGet, "/services/data/v40.0/jobs/ingest", "", http.StatusNotFound, "NOT_FOUND"},
		{http.MethodGet, "/services/data/v47.0/jobs/query", "", http.StatusOK, ""},
		{http.MethodGet, "/services/data/v46.0/jobs/query", "", http.StatusNotFound, "NOT_FOUND"},
		{http.MethodGet, "/services/data/v60.0/jobs/ingest", "nope", http.StatusUnauthorized, "INVALID_SESSION_ID"},
		{http.MethodGet, "/services/data/v60.0/jobs/nothing", "", http.StatusNotFound, "NOT_FOUND"},
	} {
		var header []string
		if tc.token != "" {
			header = []string{"Authorization", "Bearer " + tc.token}
		}
		before, _ := f.e.APIUsage()
		r := f.do(t, tc.method, tc.path, nil, header...)
		if r.status != tc.status || tc.code != "" && !strings.Contains(string(r.body), tc.code) {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, r.status, r.body, tc.status, tc.code)
		}
		after, _ := f.e.APIUsage()
		want := 1
		if tc.status == http.StatusUnauthorized {
			want = 0
		}
		if after-before != want {
			t.Errorf("%s %s counted %d API requests, want %d", tc.method, tc.path, after-before, want)
		}
		if want == 1 && r.header.Get("Sforce-Limit-Info") == "" {
			t.Errorf("%s %s: no Sforce-Limit-Info", tc.method, tc.path)
		}
	}
}

// TestBulkLimits: /limits shows the Bulk API allocations spent, and they
// can be lowered to test a client at the limit.
func TestBulkLimits(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "empty"; o.BulkProcessingDelay = -1 }))
	f.ingest(t, "Name\nOne\nTwo\n")
	r := f.do(t, http.MethodPost, "/services/data/v60.0/jobs/query", map[string]string{"operation": "query", "query": "SELECT Id FROM Account"})
	if r.status != http.StatusOK {
		t.Fatalf("query job: %d %s", r.status, r.body)
	}
	f.e.SettleBulk(t.Context())
	var limits map[string]limit
	f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil).decode(t, &limits)
	if l := limits["DailyBulkApiBatches"]; l.Max != 15000 || l.Remaining != 14999 {
		t.Errorf("DailyBulkApiBatches %+v, want 1 spent of 15000", l)
	}
	if l := limits["DailyBulkV2QueryJobs"]; l.Max != 10000 || l.Remaining != 9999 {
		t.Errorf("DailyBulkV2QueryJobs %+v, want 1 spent of 10000", l)
	}
	if err := f.e.SetDailyLimit("DailyBulkV2QueryJobs", 1); err != nil {
		t.Fatal(err)
	}
	r = f.do(t, http.MethodPost, "/services/data/v60.0/jobs/query", map[string]string{"operation": "query", "query": "SELECT Id FROM Account"})
	if r.status == http.StatusOK {
		t.Errorf("a query job over the limit was created: %s", r.body)
	}
	if used, most, ok := f.e.DailyUsage("DailyBulkV2QueryJobs"); used != 1 || most != 1 || !ok {
		t.Errorf("DailyUsage = %d, %d, %t", used, most, ok)
	}
	if err := f.e.SetDailyLimit("DailyWorkflowEmails", 1); !errors.Is(err, ErrInvalidLimit) {
		t.Errorf("a limit the emulator does not count: %v, want ErrInvalidLimit", err)
	}
	if err := f.e.SetDailyLimit("DailyApiRequests", -1); !errors.Is(err, ErrInvalidLimit) {
		t.Errorf("a negative limit: %v, want ErrInvalidLimit", err)
	}
	var body usageBody
	r = f.do(t, http.MethodPut, AdminPrefix+"limits", map[string]int{"dailyBulkApiBatches": 7})
	r.decode(t, &body)
	if body.DailyBulkAPIBatches != 7 || body.BulkAPIBatchesUsed != 1 || body.DailyBulkV2QueryJobs != 1 || body.BulkV2QueryJobsUsed != 1 {
		t.Errorf("admin limits %d %+v", r.status, body)
	}
	if r := f.do(t, http.MethodPut, AdminPrefix+"limits", map[string]int{"dailyBulkV2QueryJobs": -2}); r.status != http.StatusBadRequest {
		t.Errorf("a negative query job limit: %d %s", r.status, r.body)
	}
	f.e.ResetAPIUsage()
	if used, _, _ := f.e.DailyUsage("DailyBulkApiBatches"); used != 0 {
		t.Errorf("%d batches counted after ResetAPIUsage", used)
	}
}

// TestBulkSettles: a closed ingest job that nobody polls writes its
// records by itself once its processing time has come, and when the admin
// API moves the clock.
func TestBulkSettles(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "empty"; o.BulkProcessingDelay = 30 * time.Millisecond }))
	f.ingest(t, "Name\nUnpolled\n")
	deadline := time.Now().Add(5 * time.Second)
	for f.accounts(t, "Unpolled") == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.accounts(t, "Unpolled"); n != 1 {
		t.Errorf("%d accounts written by an unpolled job, want 1", n)
	}

	g := setup(t, withOptions(func(o *Options) { o.Seed = "empty"; o.BulkProcessingDelay = time.Hour }))
	g.ingest(t, "Name\nLater\n")
	if n := g.accounts(t, "Later"); n != 0 {
		t.Fatalf("%d accounts before the job's time", n)
	}
	if r := g.do(t, http.MethodPost, AdminPrefix+"clock", map[string]string{"advance": "90m"}); r.status != http.StatusOK {
		t.Fatalf("moving the clock: %d %s", r.status, r.body)
	}
	if n := g.accounts(t, "Later"); n != 1 {
		t.Errorf("%d accounts after the clock moved past the job's time, want 1", n)
	}
}

// TestBulkReset: an admin reset forgets the jobs with the org.
func TestBulkReset(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "empty"; o.BulkProcessingDelay = -1 }))
	job := f.ingest(t, "Name\nGone\n")
	if err := f.e.Reset(""); err != nil {
		t.Fatal(err)
	}
	f.token = f.login(t, "admin@example.com")
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/jobs/ingest/"+job.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("a job of the old org: %d %s", r.status, r.body)
	}
}
