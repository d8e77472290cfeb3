package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// maxQueryURI is the longest request URI (path and query string) sent as a
// GET. Salesforce caps URI plus headers at 16,384 bytes (414/431 beyond);
// Salesforce's help advises keeping headers under about 8 KiB, which leaves
// 8 KiB for the URI. Longer SOQL goes in a composite request body.
const maxQueryURI = 8 << 10

// Query batch sizes Salesforce accepts in Sforce-Query-Options.
const (
	MinBatchSize = 200
	MaxBatchSize = 2000
)

// Page is one page of a query result, as Salesforce returns it.
type Page struct {
	// TotalSize is the number of rows the whole query returns (for SELECT
	// COUNT() the count, with no records).
	TotalSize int
	// Done is true on the last page.
	Done bool
	// NextRecordsURL fetches the next page; "" on the last page.
	NextRecordsURL string
	Records        []*Record
}

// QueryOption tunes a query.
type QueryOption func(*queryOptions)

type queryOptions struct {
	batchSize int
	all       bool
}

// BatchSize asks for pages of n records (200 to 2,000; Salesforce may send
// fewer). Smaller pages cost more API calls and less memory.
func BatchSize(n int) QueryOption { return func(o *queryOptions) { o.batchSize = n } }

// IncludeDeleted makes the query a queryAll: deleted records still in the
// recycle bin and archived activities are returned too.
func IncludeDeleted() QueryOption { return func(o *queryOptions) { o.all = true } }

// Query runs a SOQL query and yields its records one by one, fetching the
// next page only when the current one is consumed: one page is in memory
// whatever the result size. Stopping the loop early sends no further request.
// An error is yielded once, as the last element. See docs/adr/0051-query-iterator.md.
func (c *Client) Query(ctx context.Context, soql string, opts ...QueryOption) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for page, err := range c.QueryPages(ctx, soql, opts...) {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, rec := range page.Records {
				if !yield(rec, nil) {
					return
				}
			}
		}
	}
}

// QueryAll is Query with IncludeDeleted.
func (c *Client) QueryAll(ctx context.Context, soql string, opts ...QueryOption) iter.Seq2[*Record, error] {
	return c.Query(ctx, soql, append(opts, IncludeDeleted())...)
}

// Count returns the query's total size from its first page (one API call);
// use it with SELECT COUNT() queries.
func (c *Client) Count(ctx context.Context, soql string, opts ...QueryOption) (int, error) {
	for page, err := range c.QueryPages(ctx, soql, opts...) {
		if err != nil {
			return 0, err
		}
		return page.TotalSize, nil
	}
	return 0, nil
}

// QueryPages runs a SOQL query and yields its pages. A query whose URI would
// exceed Salesforce's limit is sent in a composite request body; the pages
// that follow are fetched from nextRecordsUrl either way.
func (c *Client) QueryPages(ctx context.Context, soql string, opts ...QueryOption) iter.Seq2[*Page, error] {
	var o queryOptions
	for _, opt := range opts {
		opt(&o)
	}
	resource := "/query"
	if o.all {
		resource = "/queryAll"
	}
	return func(yield func(*Page, error) bool) {
		if o.batchSize != 0 && (o.batchSize < MinBatchSize || o.batchSize > MaxBatchSize) {
			yield(nil, fmt.Errorf("query batch size %d is out of range: use %d to %d", o.batchSize, MinBatchSize, MaxBatchSize))
			return
		}
		var header http.Header
		if o.batchSize != 0 {
			header = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(o.batchSize)}}
		}
		page, err := c.firstPage(ctx, resource, soql, header)
		for {
			if err != nil {
				yield(nil, fmt.Errorf("querying %s: %w", shorten(soql), err))
				return
			}
			if !yield(page, nil) || page.Done || page.NextRecordsURL == "" {
				return
			}
			page, err = c.nextPage(ctx, page.NextRecordsURL, header)
		}
	}
}

// Children yields every record of a child relationship subquery: the ones
// already in ch, then the following pages if Salesforce cut the list.
func (c *Client) Children(ctx context.Context, ch *ChildRecords) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		page := &Page{TotalSize: ch.TotalSize, Done: ch.Done, NextRecordsURL: ch.NextRecordsURL, Records: ch.Records}
		for {
			for _, rec := range page.Records {
				if !yield(rec, nil) {
					return
				}
			}
			if page.Done || page.NextRecordsURL == "" {
				return
			}
			var err error
			if page, err = c.nextPage(ctx, page.NextRecordsURL, nil); err != nil {
				yield(nil, fmt.Errorf("fetching child records: %w", err))
				return
			}
		}
	}
}

func (c *Client) firstPage(ctx context.Context, resource, soql string, header http.Header) (*Page, error) {
	path := c.dataPath(resource)
	query := url.Values{"q": {soql}}
	if len(path)+1+len(query.Encode()) <= maxQueryURI {
		var page *Page
		err := c.do(ctx, call{method: http.MethodGet, path: path, query: query, header: header, idempotent: true},
			func(resp *http.Response) (err error) { page, err = decodePage(resp.Body); return err })
		return page, err
	}
	return c.compositeQuery(ctx, path+"?"+query.Encode(), header)
}

// compositeQuery sends a long query as the single subrequest of a composite
// request (a POST, but as safe to repeat as the GET it carries).
func (c *Client) compositeQuery(ctx context.Context, subURL string, header http.Header) (*Page, error) {
	sub := Subrequest{Method: http.MethodGet, URL: subURL, ReferenceID: "query"}
	if v := header.Get("Sforce-Query-Options"); v != "" {
		sub.Headers = map[string]string{"Sforce-Query-Options": v}
	}
	resps, err := c.composite(ctx, CompositeRequest{Subrequests: []Subrequest{sub}}, true)
	if err != nil {
		return nil, err
	}
	if len(resps) != 1 {
		return nil, fmt.Errorf("composite query: got %d subresponses, want 1", len(resps))
	}
	if err := resps[0].Err(); err != nil {
		return nil, err
	}
	return decodePage(bytes.NewReader(resps[0].Body))
}

func (c *Client) nextPage(ctx context.Context, next string, header http.Header) (*Page, error) {
	path, query, err := resolveDataPath(next)
	if err != nil {
		return nil, err
	}
	var page *Page
	err = c.do(ctx, call{method: http.MethodGet, path: path, query: query, header: header, idempotent: true},
		func(resp *http.Response) (err error) { page, err = decodePage(resp.Body); return err })
	return page, err
}

// decodePage decodes a query response, streaming records from r.
func decodePage(r io.Reader) (*Page, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, fmt.Errorf("query response: got %v, want an object", tok)
	}
	page := new(Page)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch tok {
		case "records":
			if page.Records, err = decodeRecordArray(dec, false); err != nil {
				return nil, fmt.Errorf("query response records: %w", err)
			}
		case "totalSize":
			err = dec.Decode(&page.TotalSize)
		case "done":
			err = dec.Decode(&page.Done)
		case "nextRecordsUrl":
			var s *string
			err = dec.Decode(&s)
			if s != nil {
				page.NextRecordsURL = *s
			}
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, fmt.Errorf("query response %v: %w", tok, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return page, nil
}

// decodeRecordArray reads a JSON array of record objects; allowNull admits
// null entries (collection retrieve answers null for an ID it cannot return).
func decodeRecordArray(dec *json.Decoder, allowNull bool) ([]*Record, error) {
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('[') {
		return nil, fmt.Errorf("got %v, want an array", tok)
	}
	var out []*Record
	for dec.More() {
		rec, err := decodeRecordOrNull(dec)
		if err == nil && rec == nil && !allowNull {
			err = errNotObject
		}
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(out), err)
		}
		out = append(out, rec)
	}
	_, err := dec.Token()
	return out, err
}

// shorten trims SOQL for error messages.
func shorten(soql string) string {
	const n = 120
	if len(soql) <= n {
		return strconv.Quote(soql)
	}
	return strconv.Quote(soql[:n] + "…")
}
