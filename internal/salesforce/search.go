package salesforce

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxSearchLimit is the most records a parameterized search may return
// overall, and per object.
const MaxSearchLimit = 2000

// Search runs a SOSL statement (FIND {term} ... RETURNING ...) and returns
// the matching records in Salesforce's order, each with its object in
// Record.Type. One API call. Salesforce answers 400 MALFORMED_SEARCH for a
// statement it cannot parse, and INVALID_TYPE or INVALID_FIELD when a
// RETURNING object or field is not readable by the user.
//
// SOSL travels in the URL: a statement whose request URI would pass
// Salesforce's limit is refused before sending (ParameterizedSearch takes
// its parameters in a body).
func (c *Client) Search(ctx context.Context, sosl string) ([]*Record, error) {
	if strings.TrimSpace(sosl) == "" {
		return nil, errors.New("searching: empty SOSL: write FIND {term} RETURNING Object(fields)")
	}
	path := c.dataPath("/search/")
	query := url.Values{"q": {sosl}}
	if n := len(path) + 1 + len(query.Encode()); n > maxQueryURI {
		return nil, fmt.Errorf("searching %s: the request URI would be %d bytes, over the %d Salesforce accepts: return fewer objects or fields, or use ParameterizedSearch", shorten(sosl), n, maxQueryURI)
	}
	var recs []*Record
	err := c.do(ctx, call{method: http.MethodGet, path: path, query: query, idempotent: true},
		func(resp *http.Response) (err error) { recs, err = decodeSearch(resp.Body); return err })
	if err != nil {
		return nil, fmt.Errorf("searching %s: %w", shorten(sosl), err)
	}
	return recs, nil
}

// SearchRequest is a parameterized search: the term and what to return,
// without SOSL. Zero fields are left for Salesforce to default.
type SearchRequest struct {
	// Q is the text searched; SOSL clauses are not allowed in it, and
	// Salesforce escapes its reserved characters itself (* and ? stay
	// wildcards).
	Q string `json:"q"`
	// In is the scope of fields searched: ALL, NAME, EMAIL, PHONE or
	// SIDEBAR; "" means ALL.
	In string `json:"in,omitempty"`
	// Fields are returned for every object of SObjects that lists none.
	Fields []string `json:"fields,omitempty"`
	// SObjects are the objects returned; none means every searchable one.
	SObjects []SearchObject `json:"sobjects,omitempty"`
	// DefaultLimit caps each object of SObjects that sets no Limit
	// (0: Salesforce's default; at most MaxSearchLimit).
	DefaultLimit int `json:"defaultLimit,omitempty"`
	// OverallLimit caps the records returned in all (0: Salesforce's
	// default; at most MaxSearchLimit).
	OverallLimit int `json:"overallLimit,omitempty"`
}

// SearchObject is one object a parameterized search returns.
type SearchObject struct {
	Name string `json:"name"`
	// Fields returned for its records; none means SearchRequest.Fields, or
	// only Id.
	Fields []string `json:"fields,omitempty"`
	// Limit caps its records (0: SearchRequest.DefaultLimit).
	Limit int `json:"limit,omitempty"`
	// Where filters its records with a SOQL condition.
	Where string `json:"where,omitempty"`
}

// validate checks what would make Salesforce refuse the request, saying
// which parameter is wrong.
func (r *SearchRequest) validate() error {
	if strings.TrimSpace(r.Q) == "" {
		return errors.New("q is empty: give the text to search")
	}
	switch strings.ToUpper(r.In) {
	case "", "ALL", "NAME", "EMAIL", "PHONE", "SIDEBAR":
	default:
		return fmt.Errorf("in %q is not ALL, NAME, EMAIL, PHONE or SIDEBAR", r.In)
	}
	if err := checkSearchLimit("defaultLimit", r.DefaultLimit); err != nil {
		return err
	}
	if err := checkSearchLimit("overallLimit", r.OverallLimit); err != nil {
		return err
	}
	for i, o := range r.SObjects {
		if err := checkName(fmt.Sprintf("sobjects[%d]", i), o.Name); err != nil {
			return err
		}
		if err := checkSearchLimit(fmt.Sprintf("sobjects[%d] (%s) limit", i, o.Name), o.Limit); err != nil {
			return err
		}
	}
	return nil
}

func checkSearchLimit(name string, n int) error {
	if n < 0 || n > MaxSearchLimit {
		return fmt.Errorf("%s %d is not between 1 and %d (0 leaves it to Salesforce)", name, n, MaxSearchLimit)
	}
	return nil
}

// ParameterizedSearch runs a search described by parameters (POST
// /parameterizedSearch/, API v36.0 and later) and returns the matching
// records, each with its object in Record.Type. One API call; a search
// changes nothing, so it is retried like a GET.
func (c *Client) ParameterizedSearch(ctx context.Context, req SearchRequest) ([]*Record, error) {
	if err := req.validate(); err != nil {
		return nil, fmt.Errorf("building parameterized search: %w", err)
	}
	var recs []*Record
	err := c.do(ctx, call{method: http.MethodPost, path: c.dataPath("/parameterizedSearch/"), body: req, idempotent: true},
		func(resp *http.Response) (err error) { recs, err = decodeSearch(resp.Body); return err })
	if err != nil {
		return nil, fmt.Errorf("searching for %q: %w", req.Q, err)
	}
	return recs, nil
}

// decodeSearch reads a search answer: {"searchRecords":[...]} since API
// v36.0, a bare array of records before.
func decodeSearch(r io.Reader) ([]*Record, error) {
	br := bufio.NewReader(r)
	first, err := firstNonSpace(br)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if first == '[' {
		return decodeRecordArray(dec, false)
	}
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, fmt.Errorf("search response: got %v, want an object", tok)
	}
	var recs []*Record
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key == "searchRecords" {
			if recs, err = decodeRecordArray(dec, false); err != nil {
				return nil, fmt.Errorf("search response records: %w", err)
			}
			continue
		}
		var skip json.RawMessage // metadata, spell correction
		if err := dec.Decode(&skip); err != nil {
			return nil, fmt.Errorf("search response %v: %w", key, err)
		}
	}
	_, err = dec.Token()
	return recs, err
}

// firstNonSpace returns the first byte of br that is not JSON whitespace,
// leaving it unread.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b, br.UnreadByte()
	}
}
