package bulk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
)

const v60 = "/services/data/v60.0/jobs"

// TestIngestInsert walks an insert job through its life: creation, the job
// before and after its upload, closing, processing on the clock and the
// three result files. The CSV mixes quoted cells (a delimiter, a newline,
// a quote), a relationship column, #N/A, empty cells and rows that fail.
func TestIngestInsert(t *testing.T) {
	f := setup(t, 2*time.Second)
	f.create("Account", org.Values{"Name": "Acme", "Ext__c": "A-1"})
	f.note("create the job")
	r := f.step(http.MethodPost, v60+"/ingest", `{"object":"Contact","operation":"insert","lineEnding":"LF"}`)
	id := jobID(t, r)
	f.step(http.MethodGet, v60+"/ingest/"+id, "")
	f.tick(time.Second)
	f.note("upload: one CSV per job")
	csv := "FirstName,LastName,Email,Birthdate,Description,Account.Ext__c,HasOptedOutOfEmail\n" +
		"Ada,Lovelace,ada@example.com,1815-12-10,\"Poet, of \"\"numbers\"\"\nand engines\",A-1,true\n" +
		"Alan,Turing,,1912-06-23,#N/A,,FALSE\n" +
		"Grace,,grace@example.com,,,,\n" +
		"Edsger,Dijkstra,,1930-13-11,,,\n" +
		"Barbara,Liskov,,,,A-404,\n"
	f.step(http.MethodPut, v60+"/ingest/"+id+"/batches", csv)
	f.step(http.MethodGet, v60+"/ingest/"+id, "")
	f.note("close: the job is processed after the delay")
	f.step(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	f.tick(time.Second)
	f.step(http.MethodGet, v60+"/ingest/"+id, "")
	f.step(http.MethodGet, v60+"/ingest/"+id+"/successfulResults", "")
	f.tick(time.Second)
	f.step(http.MethodGet, v60+"/ingest/"+id, "")
	f.step(http.MethodGet, v60+"/ingest/"+id+"/successfulResults/", "")
	f.step(http.MethodGet, v60+"/ingest/"+id+"/failedResults/", "")
	f.step(http.MethodGet, v60+"/ingest/"+id+"/unprocessedrecords/", "")
	f.golden("ingest-insert")

	// The records are in the org, related to the account by external ID.
	got := f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Name, Account.Name, Description, HasOptedOutOfEmail FROM Contact ORDER BY LastName"}`)
	if got.status != http.StatusOK {
		t.Fatalf("query job: %d %s", got.status, got.body)
	}
	f.tick(2 * time.Second)
	res := f.call(http.MethodGet, v60+"/query/"+jobID(t, got)+"/results", "")
	want := "\"Name\",\"Account.Name\",\"Description\",\"HasOptedOutOfEmail\"\n" +
		"\"Ada Lovelace\",\"Acme\",\"Poet, of \"\"numbers\"\"\nand engines\",\"true\"\n" +
		"\"Alan Turing\",\"\",\"\",\"false\"\n"
	if res.body != want {
		t.Errorf("records after the job:\n%s\nwant\n%s", res.body, want)
	}
}

// TestIngestOperations runs update, upsert, delete and hardDelete jobs in
// every column delimiter and both line endings.
func TestIngestOperations(t *testing.T) {
	f := setup(t, -1)
	acme := f.create("Account", org.Values{"Name": "Acme", "Ext__c": "A-1", "NumberOfEmployees": 10})
	globex := f.create("Account", org.Values{"Name": "Globex", "Ext__c": "A-2"})
	initech := f.create("Account", org.Values{"Name": "Initech", "Ext__c": "A-3"})
	run := func(spec, csv string) {
		t.Helper()
		r := f.step(http.MethodPost, v60+"/ingest", spec)
		if r.status != http.StatusOK {
			t.Fatalf("creating %s: %d %s", spec, r.status, r.body)
		}
		id := jobID(t, r)
		f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", csv)
		f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
		f.tick(time.Second)
		f.step(http.MethodGet, v60+"/ingest/"+id, "")
		f.step(http.MethodGet, v60+"/ingest/"+id+"/successfulResults", "")
		f.step(http.MethodGet, v60+"/ingest/"+id+"/failedResults", "")
	}
	f.note("update, PIPE and CRLF")
	run(`{"object":"Account","operation":"update","columnDelimiter":"PIPE","lineEnding":"CRLF"}`,
		"Id|Name|AnnualRevenue|NumberOfEmployees\r\n"+
			acme+"|Acme Corp|912260031|\r\n"+
			globex+"||1500|#N/A\r\n"+
			"|Nobody|1|\r\n"+
			"001000000000000AAA|Ghost||\r\n")
	f.note("upsert on an external ID, SEMICOLON")
	run(`{"object":"Account","operation":"upsert","externalIdFieldName":"ext__c","columnDelimiter":"SEMICOLON"}`,
		"Ext__c;Name;Industry\nA-1;Acme Upserted;Energy\nA-9;Newco;\n;No Key;\n")
	f.note("delete, TAB")
	run(`{"object":"Account","operation":"delete","columnDelimiter":"TAB"}`, "Id\n"+globex+"\n"+globex+"\n")
	f.note("hardDelete, CARET")
	run(`{"object":"Account","operation":"hardDelete","columnDelimiter":"CARET"}`, "Id^Name\n"+initech+"^x\n")
	f.note("insert, BACKQUOTE, with an Id column")
	run(`{"object":"Account","operation":"insert","columnDelimiter":"BACKQUOTE"}`, "Name`Id\nWith Id`"+acme+"\n")
	f.golden("ingest-operations")
	// The org has no hard delete: the record went to the recycle bin.
	res, err := query.New(f.org.QuerySource()).Query(t0, f.org.System(), "SELECT Id, IsDeleted FROM Account WHERE Id = '"+initech+"'", query.Options{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if page := string(res.AppendPage(nil, 0, 10, "")); !strings.Contains(page, `"IsDeleted":true`) {
		t.Errorf("hard deleted %s: %s", initech, page)
	}
}

// TestIngestErrors pins the errors of job creation, upload, state changes
// and of uploads that cannot be processed.
func TestIngestErrors(t *testing.T) {
	f := setup(t, -1)
	f.note("creation")
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"merge"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Nope__c","operation":"insert"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"operation":"insert"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"upsert"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"upsert","externalIdFieldName":"Name"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert","columnDelimiter":"COLON"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert","lineEnding":"CR"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert","contentType":"JSON"}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert","batchSize":5}`)
	f.step(http.MethodPost, v60+"/ingest", `{"object":"Account",`)
	f.step(http.MethodPost, "/services/data/v40.0/jobs/ingest", `{"object":"Account","operation":"insert"}`)
	f.step(http.MethodGet, v60+"/ingest/750000000000001AAA", "")
	f.step(http.MethodGet, v60+"/ingest/garbage", "")
	f.step(http.MethodPut, v60+"/ingest", "")
	f.step(http.MethodGet, v60+"/ingest/750000000000001AAA/results", "")

	f.note("upload and state changes")
	id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
	f.step(http.MethodGet, v60+"/ingest/"+id+"/successfulResults", "")
	f.step(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nA\n", "Content-Type", "application/json")
	f.step(http.MethodDelete, v60+"/ingest/"+id, "")
	f.step(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nA\n")
	f.step(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nB\n")
	f.step(http.MethodPatch, v60+"/ingest/"+id, `{"state":"JobComplete"}`)
	f.step(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	f.step(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	f.step(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nC\n")
	f.step(http.MethodPatch, v60+"/ingest/"+id, `{"state":"Aborted"}`)
	f.step(http.MethodDelete, v60+"/ingest/"+id, "")
	f.step(http.MethodGet, v60+"/ingest/"+id, "")

	f.note("uploads that cannot be processed fail the job")
	fail := func(spec, csv string) {
		t.Helper()
		id := jobID(t, f.call(http.MethodPost, v60+"/ingest", spec))
		if csv != "" {
			f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", csv)
		}
		f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
		f.step(http.MethodGet, v60+"/ingest/"+id, "")
		f.step(http.MethodGet, v60+"/ingest/"+id+"/unprocessedrecords", "")
	}
	fail(`{"object":"Account","operation":"insert"}`, "Name,Bogus__c\nA,1\n")
	fail(`{"object":"Account","operation":"insert"}`, "Name,name\nA,B\n")
	fail(`{"object":"Account","operation":"insert"}`, "Name,Phone\r\nA,1\r\n")
	fail(`{"object":"Account","operation":"insert","lineEnding":"CRLF"}`, "Name,Phone\nA,1\n")
	fail(`{"object":"Account","operation":"insert"}`, "Name,Phone\nA,\"1\nB\n")
	fail(`{"object":"Account","operation":"insert"}`, "Name,Phone\nA,1,2\n")
	fail(`{"object":"Contact","operation":"insert"}`, "LastName,Owner.Bogus\nA,x\n")
	fail(`{"object":"Account","operation":"insert"}`, "")
	f.golden("ingest-errors")
}

// TestIngestAbort: an aborted job writes nothing and leaves its whole
// upload unprocessed.
func TestIngestAbort(t *testing.T) {
	f := setup(t, 5*time.Second)
	id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
	f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nA\nB\n")
	f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	if r := f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"Aborted"}`); stateOf(t, r) != "Aborted" {
		t.Fatalf("abort: %d %s", r.status, r.body)
	}
	f.tick(time.Minute)
	if n := f.org.RecordCounts()["Account"]; n != 0 {
		t.Errorf("an aborted job wrote %d accounts", n)
	}
	if r := f.call(http.MethodGet, v60+"/ingest/"+id+"/unprocessedrecords", ""); r.body != "Name\nA\nB\n" {
		t.Errorf("unprocessed records %q, want the whole upload", r.body)
	}
	if r := f.call(http.MethodGet, v60+"/ingest/"+id+"/successfulResults", ""); r.body != "\"sf__Id\",\"sf__Created\",Name\n" {
		t.Errorf("successful results %q, want the header only", r.body)
	}
}

// TestIngestRunsAsItsCreator: the job writes as the user who created it,
// whoever polls it, and the standard user cannot load what their profile
// cannot read.
func TestIngestRunsAsItsCreator(t *testing.T) {
	f := setup(t, -1)
	r := f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`, "Authorization", "Bearer "+f.standard)
	id := jobID(t, r)
	f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nMine\n", "Authorization", "Bearer "+f.standard)
	f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`, "Authorization", "Bearer "+f.standard)
	if got := stateOf(t, f.call(http.MethodGet, v60+"/ingest/"+id, "")); got != "JobComplete" {
		t.Fatalf("state %s", got)
	}
	res := f.call(http.MethodGet, v60+"/query/"+jobID(t, f.call(http.MethodPost, v60+"/query",
		`{"operation":"query","query":"SELECT Name, Owner.Username, CreatedBy.Username FROM Account"}`))+"/results", "")
	if want := "\"Mine\",\"user@example.com\",\"user@example.com\"\n"; !strings.HasSuffix(res.body, want) {
		t.Errorf("the record was not written as the creator:\n%s", res.body)
	}
}

// TestSettle: Settle processes due jobs without anyone polling them.
func TestSettle(t *testing.T) {
	f := setup(t, time.Second)
	id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
	f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", "Name\nA\n")
	f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
	f.e.SettleBulk(t.Context())
	if n := f.org.RecordCounts()["Account"]; n != 0 {
		t.Fatalf("processed before its time: %d accounts", n)
	}
	f.tick(2 * time.Second)
	f.e.SettleBulk(t.Context())
	if n := f.org.RecordCounts()["Account"]; n != 1 {
		t.Fatalf("Settle left the job unprocessed: %d accounts", n)
	}
}

// TestListJobs pages through jobs and filters them.
func TestListJobs(t *testing.T) {
	f := setup(t, -1)
	for _, op := range []string{"insert", "update", "delete"} {
		f.call(http.MethodPost, v60+"/ingest", fmt.Sprintf(`{"object":"Account","operation":"%s"}`, op))
	}
	f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account"}`)
	f.step(http.MethodGet, v60+"/ingest", "")
	f.step(http.MethodGet, v60+"/query/", "")
	f.step(http.MethodGet, v60+"/ingest?jobType=Classic", "")
	f.step(http.MethodGet, v60+"/ingest?queryLocator=bad!", "")
	f.golden("list-jobs")
}

// TestRetention: jobs are forgotten seven days after they end.
func TestRetention(t *testing.T) {
	f := setup(t, -1)
	id := jobID(t, f.call(http.MethodPost, v60+"/ingest", `{"object":"Account","operation":"insert"}`))
	f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"Aborted"}`)
	f.tick(7*24*time.Hour - time.Minute)
	if r := f.call(http.MethodGet, v60+"/ingest/"+id, ""); r.status != http.StatusOK {
		t.Fatalf("job gone before seven days: %d", r.status)
	}
	f.tick(2 * time.Minute)
	if r := f.call(http.MethodGet, v60+"/ingest/"+id, ""); r.status != http.StatusNotFound {
		t.Fatalf("job kept after seven days: %d %s", r.status, r.body)
	}
}
