package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// sObject Collections sizes: records per write request, IDs per retrieve.
const (
	MaxCollectionSize = 200
	MaxRetrieveSize   = 2000
)

// Result is the outcome of one input of a collection write, at the input's
// index.
type Result struct {
	ID string
	// Created is set by UpsertMany: true when no record matched.
	Created bool
	// Err is nil on success. A record Salesforce refused carries an *APIError
	// (Status 0) with Salesforce's errors; see IsTransient for what is worth
	// sending again. When a whole request failed, Err is that request's error
	// for each of its records and for every later record, which was not sent.
	Err error
}

// CreateMany inserts records (each needs its Type; types may be mixed) in
// requests of MaxCollectionSize. allOrNone applies within each request.
// The results are in input order; the error is the first request-level
// failure, after which nothing more is sent.
func (c *Client) CreateMany(ctx context.Context, records []*Record, allOrNone bool) ([]Result, error) {
	if err := checkRecords(records, false); err != nil {
		return nil, fmt.Errorf("creating records: %w", err)
	}
	return c.writeCollection(ctx, "creating records", http.MethodPost, c.dataPath("/composite/sobjects"), records, allOrNone, false)
}

// UpdateMany updates records (each needs its Type and Id field), as
// CreateMany.
func (c *Client) UpdateMany(ctx context.Context, records []*Record, allOrNone bool) ([]Result, error) {
	if err := checkRecords(records, true); err != nil {
		return nil, fmt.Errorf("updating records: %w", err)
	}
	return c.writeCollection(ctx, "updating records", http.MethodPatch, c.dataPath("/composite/sobjects"), records, allOrNone, true)
}

// UpsertMany upserts records of object matched on externalIDField, which
// each record must hold. Result.Created tells creates from updates.
func (c *Client) UpsertMany(ctx context.Context, object, externalIDField string, records []*Record, allOrNone bool) ([]Result, error) {
	doing := fmt.Sprintf("upserting %s records by %s", object, externalIDField)
	for _, n := range [][2]string{{"object", object}, {"external ID field", externalIDField}} {
		if err := checkName(n[0], n[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", doing, err)
		}
	}
	typed := make([]*Record, len(records))
	for i, r := range records {
		if r != nil && r.Type == "" {
			cp := *r
			cp.Type = object
			r = &cp
		}
		typed[i] = r
	}
	errs := []error{checkRecords(typed, false)}
	for i, r := range typed {
		if r == nil {
			continue
		}
		if _, ok := r.Get(externalIDField); !ok {
			errs = append(errs, fmt.Errorf("record %d has no %s value", i, externalIDField))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	path := c.dataPath("/composite/sobjects/" + object + "/" + externalIDField)
	return c.writeCollection(ctx, doing, http.MethodPatch, path, typed, allOrNone, true)
}

// DeleteMany deletes records by ID in requests of MaxCollectionSize. A retry
// after a dropped connection may report ENTITY_IS_DELETED for records the
// lost attempt already deleted.
func (c *Client) DeleteMany(ctx context.Context, ids []string, allOrNone bool) ([]Result, error) {
	return runChunks(ctx, ids, MaxCollectionSize, "deleting records", func(ctx context.Context, chunk []string) ([]saveResult, error) {
		q := url.Values{"ids": {strings.Join(chunk, ",")}, "allOrNone": {fmt.Sprint(allOrNone)}}
		var res []saveResult
		err := c.do(ctx, call{method: http.MethodDelete, path: c.dataPath("/composite/sobjects"), query: q, idempotent: true}, decodeJSON(&res))
		return res, err
	})
}

// RetrieveMany reads records of object by ID (POST, MaxRetrieveSize per
// request). The result is aligned with ids: nil where Salesforce returned
// nothing (no such record, or not visible). fields must not be empty.
func (c *Client) RetrieveMany(ctx context.Context, object string, ids, fields []string) ([]*Record, error) {
	if err := checkName("object", object); err != nil {
		return nil, fmt.Errorf("retrieving records: %w", err)
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("retrieving %s records: no fields: name the fields to read", object)
	}
	out := make([]*Record, 0, len(ids))
	for chunk := range slices.Chunk(ids, MaxRetrieveSize) {
		var recs []*Record
		body := map[string][]string{"ids": chunk, "fields": fields}
		err := c.do(ctx, call{method: http.MethodPost, path: c.dataPath("/composite/sobjects/" + object), body: body, idempotent: true},
			func(resp *http.Response) (err error) {
				dec := json.NewDecoder(resp.Body)
				dec.UseNumber()
				recs, err = decodeRecordArray(dec, true)
				return err
			})
		if err == nil && len(recs) != len(chunk) {
			err = fmt.Errorf("got %d records for %d IDs", len(recs), len(chunk))
		}
		if err != nil {
			return nil, fmt.Errorf("retrieving %s records %d-%d: %w", object, len(out), len(out)+len(chunk)-1, err)
		}
		out = append(out, recs...)
	}
	return out, nil
}

// collectionBody is the body of a collection create, update or upsert.
type collectionBody struct {
	AllOrNone bool      `json:"allOrNone"`
	Records   []*Record `json:"records"`
}

func (c *Client) writeCollection(ctx context.Context, doing, method, path string, records []*Record, allOrNone, idempotent bool) ([]Result, error) {
	return runChunks(ctx, records, MaxCollectionSize, doing, func(ctx context.Context, chunk []*Record) ([]saveResult, error) {
		var res []saveResult
		err := c.sendJSON(ctx, method, path, collectionBody{allOrNone, chunk}, &res, idempotent)
		return res, err
	})
}

// runChunks sends inputs in chunks of size through send and maps the
// per-record answers back to input positions.
func runChunks[T any](ctx context.Context, inputs []T, size int, doing string, send func(context.Context, []T) ([]saveResult, error)) ([]Result, error) {
	results := make([]Result, 0, len(inputs))
	for chunk := range slices.Chunk(inputs, size) {
		first := len(results)
		res, err := send(ctx, chunk)
		if err == nil && len(res) != len(chunk) {
			err = fmt.Errorf("got %d results for %d records", len(res), len(chunk))
		}
		if err != nil {
			err = fmt.Errorf("%s %d-%d: %w", doing, first, first+len(chunk)-1, err)
			for range inputs[first:] {
				results = append(results, Result{Err: err})
			}
			return results, err
		}
		for _, r := range res {
			results = append(results, r.result())
		}
	}
	return results, nil
}

func (r saveResult) result() Result {
	res := Result{ID: r.ID, Created: r.Created != nil && *r.Created}
	if !r.Success {
		errs := r.Errors
		if len(errs) == 0 {
			errs = []ErrorDetail{{Message: "Salesforce reported a failure without an error"}}
		}
		res.Err = &APIError{Errors: errs}
	}
	return res
}

// checkRecords validates collection inputs before anything is sent.
func checkRecords(records []*Record, needID bool) error {
	var errs []error
	for i, r := range records {
		switch {
		case r == nil:
			errs = append(errs, fmt.Errorf("record %d is nil", i))
			continue
		case r.Type == "":
			errs = append(errs, fmt.Errorf("record %d has no sObject type: build it with NewRecord(\"Account\")", i))
		case checkName("object", r.Type) != nil:
			errs = append(errs, fmt.Errorf("record %d: %w", i, checkName("object", r.Type)))
		}
		if id, _ := r.String("Id"); needID && id == "" {
			errs = append(errs, fmt.Errorf("record %d has no Id", i))
		}
	}
	return errors.Join(errs...)
}
