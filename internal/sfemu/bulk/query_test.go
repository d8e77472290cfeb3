package bulk_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

// seedQueryData makes accounts and contacts whose values cover every way a
// Bulk CSV cell is written.
func seedQueryData(f *fixture) {
	acme := f.create("Account", org.Values{"Name": "Acme, \"Inc\"", "AnnualRevenue": 912260031.0, "NumberOfEmployees": 2676,
		"Industry": "Energy", "BillingCity": "Paris"})
	f.create("Contact", org.Values{"FirstName": "Ada", "LastName": "Lovelace", "AccountId": acme, "Birthdate": "1815-12-10",
		"EmailBouncedDate": "2023-05-01T08:00:00.123Z", "HasOptedOutOfEmail": true, "Description": "line one\nline two"})
	f.create("Contact", org.Values{"LastName": "Turing"})
	gone := f.create("Contact", org.Values{"LastName": "Zuse"})
	if err := f.org.Delete(t0, f.org.System(), gone); err != nil {
		f.t.Fatal(err)
	}
}

// TestQueryJob walks a query job: creation, InProgress, JobComplete and
// its results paged with locators; every kind of value as Bulk CSV writes
// it; queryAll; another delimiter and line ending.
func TestQueryJob(t *testing.T) {
	f := setup(t, 2*time.Second)
	seedQueryData(f)
	f.note("create: the query is checked at once")
	r := f.step(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id, FirstName, LastName, account.name, Account.AnnualRevenue, Account.NumberOfEmployees, Birthdate, EmailBouncedDate, HasOptedOutOfEmail, toLabel(Account.Industry), Description, CreatedDate FROM Contact ORDER BY LastName"}`)
	id := jobID(t, r)
	f.tick(time.Second)
	f.step(http.MethodGet, v60+"/query/"+id, "")
	f.step(http.MethodGet, v60+"/query/"+id+"/results", "")
	f.tick(time.Second)
	f.step(http.MethodGet, v60+"/query/"+id, "")
	f.note("results, one record a page")
	loc, pages := "", 0
	for ; loc != "null" && pages < 3; pages++ {
		path := v60 + "/query/" + id + "/results?maxRecords=1"
		if loc != "" {
			path += "&locator=" + loc
		}
		loc = f.step(http.MethodGet, path, "").header.Get("Sforce-Locator")
	}
	if loc != "null" || pages != 2 {
		t.Errorf("%d pages, the last one's locator %q; want 2 pages, then null", pages, loc)
	}
	f.note("all results at once; a locator can be read again")
	f.step(http.MethodGet, v60+"/query/"+id+"/results", "")
	f.step(http.MethodGet, v60+"/query/"+id+"/results?locator=MQ", "")

	f.note("queryAll sees deleted records; PIPE and CRLF")
	r = f.step(http.MethodPost, v60+"/query", `{"operation":"queryAll","query":"SELECT LastName, IsDeleted FROM Contact c WHERE c.LastName > 'T' ORDER BY c.LastName","columnDelimiter":"PIPE","lineEnding":"CRLF"}`)
	f.tick(2 * time.Second)
	f.step(http.MethodGet, v60+"/query/"+jobID(t, r)+"/results", "")
	f.note("no records")
	r = f.step(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id, Name FROM Account WHERE Name = 'nobody'"}`)
	f.tick(2 * time.Second)
	f.step(http.MethodGet, v60+"/query/"+jobID(t, r), "")
	f.step(http.MethodGet, v60+"/query/"+jobID(t, r)+"/results", "")
	f.golden("query-job")
}

// TestQueryErrors pins what query jobs refuse: SOQL errors, what Bulk API
// 2.0 does not run, bad options, bad locators, and results asked too early.
func TestQueryErrors(t *testing.T) {
	f := setup(t, time.Second)
	for _, q := range []string{
		"SELECT Id FRM Account",
		"SELECT Bogus FROM Account",
		"SELECT Id FROM Bogus",
		"SELECT Id, (SELECT Id FROM Contacts) FROM Account",
		"SELECT COUNT() FROM Account",
		"SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
		"SELECT Id FROM Account LIMIT 10 OFFSET 5",
		"SELECT TYPEOF What WHEN Account THEN Name END FROM Task",
		"SELECT FIELDS(STANDARD) FROM Account",
		"SELECT Id, BillingAddress FROM Account",
		"SELECT Id, Account.BillingAddress FROM Contact",
	} {
		f.step(http.MethodPost, v60+"/query", `{"operation":"query","query":"`+q+`"}`)
	}
	f.step(http.MethodPost, v60+"/query", `{"operation":"insert","query":"SELECT Id FROM Account"}`)
	f.step(http.MethodPost, v60+"/query", `{"operation":"query"}`)
	f.step(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account","columnDelimiter":"SPACE"}`)
	f.step(http.MethodPost, "/services/data/v46.0/jobs/query", `{"operation":"query","query":"SELECT Id FROM Account"}`)
	id := jobID(t, f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account"}`))
	f.step(http.MethodGet, v60+"/query/"+id+"/results", "")
	f.step(http.MethodPatch, v60+"/query/"+id, `{"state":"UploadComplete"}`)
	f.tick(time.Second)
	f.step(http.MethodGet, v60+"/query/"+id+"/results?maxRecords=0", "")
	f.step(http.MethodGet, v60+"/query/"+id+"/results?locator=zzz", "")
	f.step(http.MethodGet, v60+"/query/"+id+"/results?locator=OTk", "")
	f.step(http.MethodPut, v60+"/query/"+id+"/batches", "Id\n")
	f.note("abort, then delete")
	id = jobID(t, f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id FROM Account"}`))
	f.step(http.MethodPatch, v60+"/query/"+id, `{"state":"Aborted"}`)
	f.step(http.MethodGet, v60+"/query/"+id+"/results", "")
	f.step(http.MethodDelete, v60+"/query/"+id, "")
	f.golden("query-errors")
}

// TestQueryResultsParse reads the results back with a CSV reader: every
// record once, in order, across pages of every size.
func TestQueryResultsParse(t *testing.T) {
	f := setup(t, -1)
	const n = 2500
	var want []string
	for i := range n {
		name := strings.Repeat("x", i%7) + "," + string(rune('A'+i%26)) + "\"q\"\n"
		f.create("Account", org.Values{"Name": name, "NumberOfEmployees": i})
		want = append(want, name)
	}
	id := jobID(t, f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Name, NumberOfEmployees FROM Account ORDER BY NumberOfEmployees"}`))
	for _, page := range []string{"", "1", "999", "1000", "1001", "2500", "5000"} {
		var got []string
		loc := ""
		for calls := 0; ; calls++ {
			path := v60 + "/query/" + id + "/results?maxRecords=" + page
			if loc != "" {
				path += "&locator=" + loc
			}
			r := f.call(http.MethodGet, path, "")
			if r.status != http.StatusOK {
				t.Fatalf("page %s: %d %s", page, r.status, r.body)
			}
			rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
			if err != nil {
				t.Fatalf("page %s: results are not CSV: %v", page, err)
			}
			if rows[0][0] != "Name" || len(rows)-1 != atoi(t, r.header.Get("Sforce-NumberOfRecords")) {
				t.Fatalf("page %s: header %v, %d rows for Sforce-NumberOfRecords %s", page, rows[0], len(rows)-1, r.header.Get("Sforce-NumberOfRecords"))
			}
			for _, row := range rows[1:] {
				got = append(got, row[0])
			}
			if loc = r.header.Get("Sforce-Locator"); loc == "null" || calls > n {
				break
			}
		}
		if len(got) != n {
			t.Fatalf("maxRecords=%s: %d records, want %d", page, len(got), n)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("maxRecords=%s: record %d is %q, want %q", page, i, got[i], want[i])
			}
		}
	}
}

// TestQueryJobSnapshot: results are the records as they were when the
// job was created.
func TestQueryJobSnapshot(t *testing.T) {
	f := setup(t, time.Second)
	id := f.create("Account", org.Values{"Name": "Before"})
	job := jobID(t, f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Name FROM Account"}`))
	if err := f.org.UpdateValues(t0, f.org.System(), id, org.Values{"Name": "After"}); err != nil {
		t.Fatal(err)
	}
	f.create("Account", org.Values{"Name": "Later"})
	f.tick(time.Second)
	if r := f.call(http.MethodGet, v60+"/query/"+job+"/results", ""); r.body != "\"Name\"\n\"Before\"\n" {
		t.Errorf("results %q, want the record as it was", r.body)
	}
}
