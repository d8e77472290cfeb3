package salesforce

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// BulkQueryOption tunes a Bulk API 2.0 query job.
type BulkQueryOption func(*bulkQueryOptions)

type bulkQueryOptions struct {
	all      bool
	pageSize int
}

// BulkIncludeDeleted makes the job a queryAll: deleted records still in
// the recycle bin and archived activities are returned too.
func BulkIncludeDeleted() BulkQueryOption { return func(o *bulkQueryOptions) { o.all = true } }

// BulkPageSize asks for result pages of at most n records (maxRecords).
// Without it Salesforce picks the size. Each page is one API call; the
// client holds one row in memory at a time whatever the size.
func BulkPageSize(n int) BulkQueryOption { return func(o *bulkQueryOptions) { o.pageSize = n } }

func bulkOptions(opts []BulkQueryOption) (bulkQueryOptions, error) {
	var o bulkQueryOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.pageSize < 0 {
		return o, fmt.Errorf("bulk page size %d is negative: give a number of records, or leave it out", o.pageSize)
	}
	return o, nil
}

// CreateQueryJob creates a query job for soql. Salesforce checks the query
// at once (MALFORMED_QUERY, INVALID_FIELD ...) and refuses what Bulk API
// 2.0 does not run: aggregates, GROUP BY, OFFSET, TYPEOF, FIELDS(),
// parent-to-child subqueries and compound fields.
func (c *Client) CreateQueryJob(ctx context.Context, soql string, opts ...BulkQueryOption) (*BulkJob, error) {
	o, err := bulkOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("creating query job: %w", err)
	}
	op := "query"
	if o.all {
		op = "queryAll"
	}
	body := map[string]string{"operation": op, "query": soql, "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"}
	path, _ := c.jobPath(queryJobs, "")
	job := new(BulkJob)
	if err := c.sendJSON(ctx, http.MethodPost, path, body, job, false); err != nil {
		return nil, fmt.Errorf("creating query job %s: %w", shorten(soql), err)
	}
	return job, nil
}

// BulkQuery runs soql as a query job — create it, wait until it is over,
// stream its results — and yields its records like Query does: page by
// page, one row in memory. An error is yielded once, as the last element;
// a job that ended Failed or Aborted yields a *JobError. Stopping the loop
// early fetches no further page (the job stays in Salesforce, which
// deletes it after seven days).
func (c *Client) BulkQuery(ctx context.Context, soql string, poll PollPolicy, opts ...BulkQueryOption) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		job, err := c.CreateQueryJob(ctx, soql, opts...)
		if err == nil {
			job, err = c.WaitQueryJob(ctx, job.ID, poll)
		}
		if err != nil {
			yield(nil, err)
			return
		}
		for rec, err := range c.QueryJobResults(ctx, job, opts...) {
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// QueryJobResults yields the records of a completed query job, fetching
// each page (Sforce-Locator) when the previous one is consumed and parsing
// rows as they arrive. Records have the job's object as Type; values are
// text as Bulk CSV carries them ("true", "1500.0",
// "2024-01-31T10:00:00.000Z"), an empty cell is null, and columns such as
// Account.Name nest a parent record (null when all its cells are empty).
// Only BulkPageSize applies among opts. An interrupted page is fetched
// again and its rows already yielded are skipped; a page with fewer rows
// than its Sforce-NumberOfRecords is an error.
func (c *Client) QueryJobResults(ctx context.Context, job *BulkJob, opts ...BulkQueryOption) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		o, err := bulkOptions(opts)
		if err != nil {
			yield(nil, err)
			return
		}
		path, err := c.jobPath(queryJobs, job.ID, "results")
		if err != nil {
			yield(nil, err)
			return
		}
		locator := ""
		for {
			q := url.Values{}
			if o.pageSize > 0 {
				q.Set("maxRecords", strconv.Itoa(o.pageSize))
			}
			if locator != "" {
				q.Set("locator", locator)
			}
			next := ""
			r := rowReader{job: job, typ: job.Object, yield: func(_ []string, rec *Record) bool { return yield(rec, nil) }}
			err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, header: csvAccept, idempotent: true},
				func(resp *http.Response) error {
					next = resp.Header.Get("Sforce-Locator")
					if err := r.read(resp.Body); err != nil || r.stopped {
						return err
					}
					if want, err := strconv.Atoi(resp.Header.Get("Sforce-NumberOfRecords")); err == nil && want != r.delivered {
						return fmt.Errorf("the page has %d records where Sforce-NumberOfRecords says %d", r.delivered, want)
					}
					return nil
				})
			if err != nil {
				yield(nil, fmt.Errorf("reading results of query job %s: %w", job.ID, err))
				return
			}
			if r.stopped || next == "" || next == "null" {
				return
			}
			locator = next
		}
	}
}

var csvAccept = http.Header{"Accept": {"text/csv"}}

// IngestResult is one row of an ingest job's successful or failed results.
type IngestResult struct {
	// ID is the record's ID (sf__Id); "" when Salesforce gave none (a failed
	// insert).
	ID string
	// Created is true when the row created the record (sf__Created: inserts,
	// and upserts that matched nothing).
	Created bool
	// Error is why the row failed (sf__Error), with Salesforce's code,
	// message and fields; nil in successful results.
	Error *ErrorDetail
	// Record holds the row's columns as uploaded (values as text, relationship
	// columns nested); its Type is the job's object.
	Record *Record
}

// SuccessfulResults yields the rows of a finished ingest job that
// Salesforce processed successfully.
func (c *Client) SuccessfulResults(ctx context.Context, job *BulkJob) iter.Seq2[*IngestResult, error] {
	return c.ingestResults(ctx, job, "successfulResults")
}

// FailedResults yields the rows of a finished ingest job that Salesforce
// refused, each with its error.
func (c *Client) FailedResults(ctx context.Context, job *BulkJob) iter.Seq2[*IngestResult, error] {
	return c.ingestResults(ctx, job, "failedResults")
}

// UnprocessedRecords yields the rows of an ingest job that were never
// processed (the job failed or was aborted), as uploaded.
func (c *Client) UnprocessedRecords(ctx context.Context, job *BulkJob) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for res, err := range c.ingestResults(ctx, job, "unprocessedrecords") {
			var rec *Record
			if res != nil {
				rec = res.Record
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// ingestResults streams one of an ingest job's result files. An
// interrupted download is fetched again and the rows already yielded are
// skipped (the files do not change once the job is over).
func (c *Client) ingestResults(ctx context.Context, job *BulkJob, which string) iter.Seq2[*IngestResult, error] {
	return func(yield func(*IngestResult, error) bool) {
		path, err := c.jobPath(ingestJobs, job.ID, which)
		if err != nil {
			yield(nil, err)
			return
		}
		sf := 0 // leading sf__ columns
		if which != "unprocessedrecords" {
			sf = 2
		}
		r := rowReader{job: job, typ: job.Object, skipCols: sf}
		r.yield = func(cells []string, rec *Record) bool {
			res := &IngestResult{Record: rec}
			if sf > 0 {
				res.ID = cells[0]
				if which == "successfulResults" {
					res.Created = cells[1] == "true"
				} else {
					res.Error = parseSFError(cells[1])
				}
			}
			return yield(res, nil)
		}
		err = c.do(ctx, call{method: http.MethodGet, path: path, header: csvAccept, idempotent: true},
			func(resp *http.Response) error { return r.read(resp.Body) })
		if err != nil {
			yield(nil, fmt.Errorf("reading %s of ingest job %s: %w", which, job.ID, err))
		}
	}
}

// rowReader reads one CSV response of a job and hands each row to yield,
// as cells and as a record. It survives retries: a row already yielded by
// an earlier attempt is skipped.
type rowReader struct {
	job      *BulkJob
	typ      string
	skipCols int // leading columns (sf__Id ...) kept out of the record
	yield    func(cells []string, rec *Record) bool

	delivered int  // rows yielded, over all attempts
	stopped   bool // the consumer stopped
}

// read parses body; it returns nil when the consumer stops early.
func (r *rowReader) read(body io.Reader) error {
	delim, err := r.job.ColumnDelimiter.rune()
	if err != nil {
		return err
	}
	cr := csv.NewReader(body)
	cr.Comma = delim
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil // no header: nothing to read
	}
	if err != nil {
		return fmt.Errorf("reading the CSV header: %w", err)
	}
	if len(header) < r.skipCols {
		return fmt.Errorf("the CSV header %q lacks the sf__ columns", header)
	}
	shape := newRowShape(header[r.skipCols:])
	for n := 0; ; n++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading CSV row %d: %w", n+1, err)
		}
		if n < r.delivered {
			continue
		}
		r.delivered++
		if !r.yield(row, shape.record(r.typ, row[r.skipCols:])) {
			r.stopped = true
			return nil
		}
	}
}

// rowShape maps CSV columns to record fields: Name, or Account.Name in a
// nested parent record.
type rowShape struct {
	paths  [][]string
	nested bool // some column is a relationship path
}

func newRowShape(names []string) rowShape {
	s := rowShape{paths: make([][]string, len(names))}
	for i, n := range names {
		s.paths[i] = strings.Split(n, ".")
		s.nested = s.nested || len(s.paths[i]) > 1
	}
	return s
}

// cell is a CSV cell as a record value: empty is null.
func cell(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// record builds the record of a row: empty cells are null, and a parent
// all of whose cells are empty is null.
func (s rowShape) record(typ string, cells []string) *Record {
	rec := &Record{Type: typ, fields: make([]recordField, 0, len(s.paths))}
	if !s.nested { // Salesforce's headers have no duplicates: append
		for i, path := range s.paths {
			rec.fields = append(rec.fields, recordField{path[0], cell(cells[i])})
		}
		return rec
	}
	parents := map[*Record]bool{} // parent -> has a value
	for i, path := range s.paths {
		v := cell(cells[i])
		cur := rec
		for _, step := range path[:len(path)-1] {
			next, _ := cur.Record(step)
			if next == nil {
				next = NewRecord("")
				cur.Set(step, next)
			}
			cur = next
			parents[cur] = parents[cur] || v != nil
		}
		cur.Set(path[len(path)-1], v)
	}
	for p, hasValue := range parents {
		if !hasValue {
			nullParent(rec, p)
		}
	}
	return rec
}

// nullParent replaces parent p, wherever it hangs under r, with null.
func nullParent(r, p *Record) bool {
	for i := range r.fields {
		child, ok := r.fields[i].value.(*Record)
		if !ok {
			continue
		}
		if child == p {
			r.fields[i].value = nil
			return true
		}
		if nullParent(child, p) {
			return true
		}
	}
	return false
}

// parseSFError reads an sf__Error cell,
// "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"
// or "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--". Text in
// another shape becomes the message.
func parseSFError(s string) *ErrorDetail {
	code, rest, ok := strings.Cut(s, ":")
	body, hasEnd := strings.CutSuffix(rest, "--")
	if !ok || !hasEnd || code == "" || strings.ContainsAny(code, " ") {
		return &ErrorDetail{Message: s}
	}
	body = strings.TrimSuffix(body, " ")
	i := strings.LastIndexByte(body, ':')
	if i < 0 {
		return &ErrorDetail{Code: code, Message: body}
	}
	d := &ErrorDetail{Code: code, Message: body[:i]}
	if fields := body[i+1:]; fields != "" {
		d.Fields = strings.Split(fields, ",")
	}
	return d
}
