package query

import (
	"context"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// Engine runs SOQL queries and SOSL searches against a Source.
type Engine struct {
	src Source
}

// New returns an engine over src.
func New(src Source) *Engine { return &Engine{src: src} }

// Result is the outcome of a query: the matching records, computed once,
// in order. Pages render lazily (AppendPage), so a client paging through a
// large result with nextRecordsUrl pays for the records of each page only.
// Values are read when a page renders.
type Result struct {
	c     *compiler
	p     *plan
	rows  []schema.Record
	aggs  []*aggRow
	total int
}

// Query parses text and runs it for who. Errors are *soql.Error values with
// Salesforce's codes (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, ...),
// or the context's error.
func (e *Engine) Query(ctx context.Context, who Principal, text string, opt Options) (*Result, error) {
	q, err := soql.Parse(text)
	if err != nil {
		return nil, err
	}
	c := newCompiler(ctx, e.src, who, text, opt)
	obj, err := c.object(q.From, q.FromPos)
	if err != nil {
		return nil, err
	}
	p, err := c.compileQuery(q, obj)
	if err != nil {
		return nil, err
	}
	res := &Result{c: c, p: p}
	switch {
	case p.agg != nil:
		if res.aggs, err = c.aggregateRows(p); err != nil {
			return nil, err
		}
		res.total = len(res.aggs)
	case p.count:
		rows, err := c.matching(p)
		if err != nil {
			return nil, err
		}
		res.total = len(window(rows, p.offset, p.limit))
	default:
		if res.rows, err = c.rows(p); err != nil {
			return nil, err
		}
		res.total = len(res.rows)
	}
	return res, nil
}

// TotalSize is the number of records of the result (the totalSize member);
// for SELECT COUNT() it is the count, and the result has no records.
func (r *Result) TotalSize() int { return r.total }

// Records is the number of records pages can render: TotalSize, or 0 for
// SELECT COUNT().
func (r *Result) Records() int {
	if r.p.count {
		return 0
	}
	return r.total
}

// AppendRecords appends the JSON array of the records [start, start+n).
func (r *Result) AppendRecords(dst []byte, start, n int) []byte {
	start = min(max(start, 0), r.Records())
	end := min(start+max(n, 0), r.Records())
	dst = append(dst, '[')
	for i := start; i < end; i++ {
		if i > start {
			dst = append(dst, ',')
		}
		if r.p.agg != nil {
			dst = r.c.appendAggRow(dst, r.p.agg, r.aggs[i])
		} else {
			dst = r.c.appendRecord(dst, r.p.proj, r.rows[i])
		}
	}
	return append(dst, ']')
}

// AppendPage appends the body of the query resource's response for the
// records [start, start+n): {"totalSize":...,"done":...,"nextRecordsUrl":
// ...,"records":[...]}. nextRecordsURL is written only when records remain
// after the page.
func (r *Result) AppendPage(dst []byte, start, n int, nextRecordsURL string) []byte {
	done := start+n >= r.Records()
	dst = append(dst, `{"totalSize":`...)
	dst = strconv.AppendInt(dst, int64(r.total), 10)
	dst = append(dst, `,"done":`...)
	dst = strconv.AppendBool(dst, done)
	if !done {
		dst = append(dst, `,"nextRecordsUrl":`...)
		dst = schema.AppendJSON(dst, schema.TypeString, nextRecordsURL)
	}
	dst = append(dst, `,"records":`...)
	dst = r.AppendRecords(dst, start, n)
	return append(dst, '}')
}
