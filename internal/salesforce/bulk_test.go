package salesforce

import (
	"bytes"
	"context"
	"errors"
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

	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
	sforg "github.com/sfbridge/sfbridge/internal/sfemu/org"
)

// The client's Bulk API 2.0 tests run against the emulator (sfemu) for the
// conversation, logging in through OAuth as any client does, and against
// small fakes for failures the emulator does not inject.

// fastPoll polls often: the emulator's jobs take milliseconds.
var fastPoll = PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond}

// bulkOrg is an emulated org, and a client of it logged in as the admin
// that counts the requests for result pages.
type bulkOrg struct {
	e       *sfemu.Emulator
	c       *Client
	results atomic.Int64
}

// countResults is a transport that counts requests for query results.
type countResults struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (c countResults) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/results") {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// bulkSchema adds the external ID the tests load through.
const bulkSchema = "version: 1\nobjects:\n- name: Account\n  fields:\n  - {name: Ext__c, type: string, length: 20, externalId: true}\n"

func newBulkOrg(t testing.TB) *bulkOrg {
	t.Helper()
	schemaFile := filepath.Join(t.TempDir(), "schema.yaml")
	if err := os.WriteFile(schemaFile, []byte(bulkSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := sfemu.New(sfemu.Options{Seed: "empty", SchemaFile: schemaFile, BulkProcessingDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	b := &bulkOrg{e: e}
	hc := &http.Client{Transport: countResults{next: srv.Client().Transport, n: &b.results}}
	cfg := Config{LoginURL: srv.URL, ClientID: auth.DevConsumerKey, ClientSecret: auth.DevConsumerSecret, HTTPClient: hc,
		Retry: RetryPolicy{MaxAttempts: 3, Base: time.Millisecond, Cap: 2 * time.Millisecond}}
	if b.c, err = Connect(context.Background(), cfg, PasswordGrant(sforg.AdminUsername, sforg.DevPassword)); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bulkOrg) create(t testing.TB, object string, v sforg.Values) string {
	t.Helper()
	o := b.e.Org()
	id, err := o.CreateValues(context.Background(), o.System(), object, v)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// used is what the org counted of a daily allocation today.
func (b *bulkOrg) used(allocation string) int {
	n, _, _ := b.e.DailyUsage(allocation)
	return n
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestBulkIngestRoundTrip loads contacts, some refused, and reads the
// three result files back as records; every call is counted and reported
// to the budget.
func TestBulkIngestRoundTrip(t *testing.T) {
	t.Parallel()
	o := newBulkOrg(t)
	o.create(t, "Account", sforg.Values{"Name": "Acme", "Ext__c": "A-1"})
	csv := "FirstName,LastName,Account.Ext__c,Description\n" +
		"Ada,Lovelace,A-1,\"multi\nline, \"\"quoted\"\"\"\n" +
		"Grace,,,\n" +
		"Alan,Turing,A-404,#N/A\n"
	ctx := t.Context()
	job, err := o.c.BulkIngest(ctx, IngestJobSpec{Object: "Contact", Operation: OpInsert}, strings.NewReader(csv), fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != JobComplete || job.NumberRecordsProcessed != 3 || job.NumberRecordsFailed != 2 || job.Object != "Contact" {
		t.Fatalf("job %+v", job)
	}
	ok := collect(t, o.c.SuccessfulResults(ctx, job))
	if len(ok) != 1 || !ok[0].Created || !strings.HasPrefix(ok[0].ID, "003") || ok[0].Error != nil {
		t.Fatalf("successful results %+v", ok)
	}
	var b strings.Builder
	dumpRecord(&b, ok[0].Record, "")
	for _, f := range collect(t, o.c.FailedResults(ctx, job)) {
		fmt.Fprintf(&b, "failed %q created=%t %+v\n", f.ID, f.Created, *f.Error)
		dumpRecord(&b, f.Record, "  ")
	}
	golden(t, "bulk/ingest-results.txt", b.String())
	if rows := collect(t, o.c.UnprocessedRecords(ctx, job)); len(rows) != 0 {
		t.Errorf("unprocessed records of a complete job: %v", rows)
	}
	if got, want := o.c.Calls().API(), int64(o.used(bulk.AllocAPIRequests)); got != want {
		t.Errorf("client counted %d API calls, the org %d", got, want)
	}
	if got, want := o.c.Budget().Used(), o.used(bulk.AllocAPIRequests); got != want {
		t.Errorf("budget says %d used, the org %d", got, want)
	}
}

// TestBulkIngestOperations: update and upsert with another dialect, then a
// job Salesforce fails, which comes back as a *JobError with its rows
// unprocessed.
func TestBulkIngestOperations(t *testing.T) {
	t.Parallel()
	o := newBulkOrg(t)
	ctx := t.Context()
	acme := o.create(t, "Account", sforg.Values{"Name": "Acme", "Ext__c": "A-1"})
	spec := IngestJobSpec{Object: "Account", Operation: OpUpdate, ColumnDelimiter: DelimiterPipe, LineEnding: LineEndingCRLF}
	job, err := o.c.BulkIngest(ctx, spec, bytes.NewReader([]byte("Id|Name\r\n"+acme+"|Acme Corp\r\n")), fastPoll)
	if err != nil || job.NumberRecordsProcessed != 1 || job.NumberRecordsFailed != 0 {
		t.Fatalf("update: %+v, %v", job, err)
	}
	spec = IngestJobSpec{Object: "Account", Operation: OpUpsert, ExternalIDField: "Ext__c", ColumnDelimiter: DelimiterSemicolon}
	job, err = o.c.BulkIngest(ctx, spec, strings.NewReader("Ext__c;Name\nA-1;Acme Again\nA-2;Globex\n"), fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	var created []bool
	for _, r := range collect(t, o.c.SuccessfulResults(ctx, job)) {
		created = append(created, r.Created)
		if name, _ := r.Record.String("Name"); name == "" {
			t.Errorf("result without its Name column: %+v", r.Record)
		}
	}
	if !cmp.Equal(created, []bool{false, true}) {
		t.Errorf("created flags %v, want [false true]", created)
	}

	spec = IngestJobSpec{Object: "Account", Operation: OpInsert, LineEnding: LineEndingCRLF}
	job, err = o.c.BulkIngest(ctx, spec, strings.NewReader("Name\nWrong line ending\n"), fastPoll)
	var je *JobError
	if !errors.Is(err, ErrJobFailed) || !errors.As(err, &je) || !strings.Contains(je.Job.ErrorMessage, "LineEnding") {
		t.Fatalf("failed job: %v", err)
	}
	rows := collect(t, o.c.UnprocessedRecords(ctx, job))
	if len(rows) != 1 {
		t.Fatalf("unprocessed %v", rows)
	}
	if name, _ := rows[0].String("Name"); name != "Wrong line ending" {
		t.Errorf("unprocessed record %+v", rows[0])
	}
}

// TestBulkQuery pages through a query job's results, parents nested.
func TestBulkQuery(t *testing.T) {
	t.Parallel()
	o := newBulkOrg(t)
	acme := o.create(t, "Account", sforg.Values{"Name": "Acme", "AnnualRevenue": 912260031.0})
	for i, last := range []string{"Adams", "Brown", "Clark", "Davis", "Evans"} {
		v := sforg.Values{"LastName": last, "Birthdate": fmt.Sprintf("1990-01-0%d", i+1)}
		if i%2 == 0 {
			v["AccountId"] = acme
		}
		o.create(t, "Contact", v)
	}
	ctx := t.Context()
	var b strings.Builder
	soql := "SELECT Id, LastName, Birthdate, Account.Name, Account.AnnualRevenue, CreatedDate FROM Contact ORDER BY LastName"
	for rec, err := range o.c.BulkQuery(ctx, soql, fastPoll, BulkPageSize(2)) {
		if err != nil {
			t.Fatal(err)
		}
		rec.Set("Id", "<id>").Set("CreatedDate", "<date>")
		dumpRecord(&b, rec, "")
	}
	golden(t, "bulk/query-records.txt", b.String())
	if n := o.results.Load(); n != 3 {
		t.Errorf("%d result pages fetched for 5 records 2 a page, want 3", n)
	}
	for range o.c.BulkQuery(ctx, soql, fastPoll, BulkPageSize(2)) {
		break
	}
	if n := o.results.Load(); n != 4 {
		t.Errorf("stopping after the first record fetched %d pages, want 1", n-3)
	}
	if n := o.used(bulk.AllocQueryJobs); n != 2 {
		t.Errorf("%d query jobs counted, want 2", n)
	}
}

// TestBulkQueryErrors: Salesforce's refusals keep their code; a query job
// read before it is complete, or with a bad ID, fails clearly.
func TestBulkQueryErrors(t *testing.T) {
	t.Parallel()
	o := newBulkOrg(t)
	ctx := t.Context()
	for _, tc := range []struct{ soql, code string }{
		{"SELECT Id FRM Account", "MALFORMED_QUERY"},
		{"SELECT COUNT() FROM Account", "API_ERROR"},
		{"SELECT Id, (SELECT Id FROM Contacts) FROM Account", "API_ERROR"},
		{"SELECT BillingAddress FROM Account", "FUNCTIONALITY_NOT_ENABLED"},
	} {
		_, err := o.c.CreateQueryJob(ctx, tc.soql)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code() != tc.code {
			t.Errorf("%s: %v, want 400 %s", tc.soql, err, tc.code)
		}
	}
	for _, err := range []error{
		errOf(o.c.IngestJob(ctx, "../sobjects/Account")),
		errOf(o.c.QueryJob(ctx, "750")),
		o.c.UploadIngestData(ctx, "750/batches?x=1", strings.NewReader("")),
	} {
		if err == nil || !strings.Contains(err.Error(), "is not a job ID") {
			t.Errorf("bad job ID: %v", err)
		}
	}
	if _, err := o.c.IngestJob(ctx, "750000000000001AAA"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown job: %v, want ErrNotFound", err)
	}
	job, err := o.c.CreateQueryJob(ctx, "SELECT Id FROM Account", BulkIncludeDeleted())
	if err != nil || job.Operation != "queryAll" {
		t.Fatalf("queryAll job: %+v, %v", job, err)
	}
	if _, err := o.c.AbortQueryJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.c.WaitQueryJob(ctx, job.ID, fastPoll); !errors.Is(err, ErrJobAborted) {
		t.Errorf("aborted job: %v, want ErrJobAborted", err)
	}
	for _, err := range o.c.QueryJobResults(ctx, job) {
		if !IsCode(err, "INVALIDJOBSTATE") {
			t.Errorf("results of an aborted job: %v", err)
		}
	}
	if err := o.c.DeleteQueryJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.c.CreateIngestJob(ctx, IngestJobSpec{Object: "Account", Operation: OpUpsert}); err == nil ||
		o.c.Calls().API() > int64(o.used(bulk.AllocAPIRequests)) {
		t.Errorf("an upsert without external ID was sent: %v", err)
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestBulkIngestAbortsOnUploadFailure: a reader that fails mid-upload
// leaves no Open job behind.
func TestBulkIngestAbortsOnUploadFailure(t *testing.T) {
	t.Parallel()
	o := newBulkOrg(t)
	broken := io.MultiReader(strings.NewReader("Name\nA\n"), iotestErrReader{errors.New("disk gone")})
	job, err := o.c.BulkIngest(t.Context(), IngestJobSpec{Object: "Account", Operation: OpInsert}, broken, fastPoll)
	if err == nil || job == nil {
		t.Fatalf("BulkIngest: %+v, %v", job, err)
	}
	info, err := o.c.IngestJob(t.Context(), job.ID)
	if err != nil || info.State != JobAborted {
		t.Fatalf("job after a failed upload: %+v, %v", info, err)
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

// TestUploadRetries: an upload that meets a 503 is sent again whole when
// it can be rewound, and not at all when it cannot.
func TestUploadRetries(t *testing.T) {
	t.Parallel()
	const data = "Name\nA\nB\n"
	for _, tc := range []struct {
		name      string
		body      io.Reader
		wantCalls int64
		wantErr   bool
	}{
		{"seekable", strings.NewReader(data), 2, false},
		{"seekable, not at its start", func() io.Reader { r := strings.NewReader("skip" + data); r.Seek(4, io.SeekStart); return r }(), 2, false},
		{"plain reader", io.MultiReader(strings.NewReader(data)), 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := newOrg(t)
			var n atomic.Int64
			o.HandleFunc("PUT "+restPath+"/jobs/ingest/7505g0000000001AAA/batches", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if string(b) != data || r.Header.Get("Content-Type") != "text/csv" {
					t.Errorf("upload %q as %s", b, r.Header.Get("Content-Type"))
				}
				if _, seekable := tc.body.(io.Seeker); seekable != (r.ContentLength == int64(len(data))) {
					t.Errorf("Content-Length %d for a body seekable=%t", r.ContentLength, seekable)
				}
				if n.Add(1) == 1 {
					writeJSON(w, http.StatusServiceUnavailable, `[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]`)
					return
				}
				w.WriteHeader(http.StatusCreated)
			})
			err := o.client(t, o.config(), nil).UploadIngestData(t.Context(), "7505g0000000001AAA", tc.body)
			if (err != nil) != tc.wantErr || n.Load() != tc.wantCalls {
				t.Errorf("%d calls, error %v", n.Load(), err)
			}
			if tc.wantErr && !strings.Contains(fmt.Sprint(err), "io.ReadSeeker") {
				t.Errorf("the error does not say how to allow retries: %v", err)
			}
		})
	}
}

// TestResultsResumeAfterDrop: a results page cut off midway is fetched
// again, and the rows already yielded are not yielded twice.
func TestResultsResumeAfterDrop(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	page := "\"Id\",\"Name\"\n\"001A\",\"one\"\n\"001B\",\"two\"\n\"001C\",\"three\"\n"
	var n atomic.Int64
	o.HandleFunc("GET "+restPath+"/jobs/query/7505g0000000001AAA/results", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/csv" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		w.Header().Set("Sforce-Locator", "null")
		w.Header().Set("Sforce-NumberOfRecords", "3")
		if n.Add(1) == 1 { // promise the whole page, send two rows, hang up
			w.Header().Set("Content-Length", fmt.Sprint(len(page)))
			io.WriteString(w, page[:strings.Index(page, "\"001C")])
			w.(http.Flusher).Flush()
			dropConnection(t, w)
			return
		}
		io.WriteString(w, page)
	})
	c := o.client(t, o.config(), nil)
	var names []string
	for rec, err := range c.QueryJobResults(t.Context(), &BulkJob{ID: "7505g0000000001AAA", Object: "Account"}) {
		if err != nil {
			t.Fatal(err)
		}
		name, _ := rec.String("Name")
		names = append(names, name)
	}
	if !cmp.Equal(names, []string{"one", "two", "three"}) || n.Load() != 2 {
		t.Errorf("names %v after %d requests", names, n.Load())
	}
}

// TestResultsShortPage: a page that ends cleanly but short of its
// Sforce-NumberOfRecords is an error, not a silent loss.
func TestResultsShortPage(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("GET "+restPath+"/jobs/query/7505g0000000001AAA/results", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Locator", "null")
		w.Header().Set("Sforce-NumberOfRecords", "3")
		io.WriteString(w, "\"Id\"\n\"001A\"\n\"001B\"\n")
	})
	var got int
	var last error
	for _, err := range o.client(t, o.config(), nil).QueryJobResults(t.Context(), &BulkJob{ID: "7505g0000000001AAA"}) {
		if err != nil {
			last = err
			continue
		}
		got++
	}
	if got != 2 || last == nil || !strings.Contains(last.Error(), "Sforce-NumberOfRecords says 3") {
		t.Errorf("%d records, error %v", got, last)
	}
}

func TestParseSFError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want ErrorDetail
	}{
		{"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
			ErrorDetail{Code: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [LastName]", Fields: []string{"LastName"}}},
		{"INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--",
			ErrorDetail{Code: "INVALID_CROSS_REFERENCE_KEY", Message: "invalid cross reference id"}},
		{"FIELD_INTEGRITY_EXCEPTION:a: b:A,B --", ErrorDetail{Code: "FIELD_INTEGRITY_EXCEPTION", Message: "a: b", Fields: []string{"A", "B"}}},
		{"UNABLE_TO_LOCK_ROW", ErrorDetail{Message: "UNABLE_TO_LOCK_ROW"}},
		{"Failed to deserialize field at col 3: x", ErrorDetail{Message: "Failed to deserialize field at col 3: x"}},
		{"", ErrorDetail{}},
	} {
		if got := parseSFError(tc.in); !cmp.Equal(*got, tc.want) {
			t.Errorf("parseSFError(%q) = %+v, want %+v", tc.in, *got, tc.want)
		}
	}
}

func TestRowShape(t *testing.T) {
	t.Parallel()
	s := newRowShape([]string{"Id", "Account.Name", "Account.Owner.Alias", "Contact:Who.Email", "Note"})
	var b strings.Builder
	for _, cells := range [][]string{
		{"003A", "Acme", "ada", "a@x", "n"},
		{"003B", "Acme", "", "", ""},
		{"003C", "", "", "", ""},
	} {
		dumpRecord(&b, s.record("Contact", cells), "")
	}
	golden(t, "bulk/row-shapes.txt", b.String())
}

func TestIngestJobSpecValidate(t *testing.T) {
	t.Parallel()
	for _, spec := range []IngestJobSpec{
		{Object: "Account", Operation: "merge"},
		{Operation: OpInsert},
		{Object: "Account", Operation: OpUpsert},
		{Object: "Account", Operation: OpInsert, ColumnDelimiter: "COLON"},
		{Object: "Account", Operation: OpInsert, LineEnding: "CR"},
	} {
		if err := spec.validate(); err == nil {
			t.Errorf("%+v accepted", spec)
		}
	}
}

// BenchmarkBulkQueryResults reads a query job of 100,000 accounts from the
// emulator over HTTP, pages of 50,000, as records.
func BenchmarkBulkQueryResults(b *testing.B) {
	const n = 100_000
	o := newBulkOrg(b)
	for i := range n {
		o.create(b, "Account", sforg.Values{"Name": fmt.Sprintf("Account %07d", i), "Industry": "Energy",
			"AnnualRevenue": float64(i) * 1000.5, "NumberOfEmployees": i % 5000, "BillingCity": "Paris", "Phone": "+33 1 23 45 67 89"})
	}
	job, err := o.c.CreateQueryJob(b.Context(), "SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, BillingCity, Phone, Owner.Alias, CreatedDate FROM Account")
	if err == nil {
		job, err = o.c.WaitQueryJob(b.Context(), job.ID, fastPoll)
	}
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got := 0
		for _, err := range o.c.QueryJobResults(b.Context(), job, BulkPageSize(50_000)) {
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != n {
			b.Fatalf("%d records", got)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
