package sfemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
)

// Query page sizes (Sforce-Query-Options: batchSize=N).
const (
	defaultBatchSize = 2000
	minBatchSize     = 200
)

// batchSize reads Sforce-Query-Options: batchSize=N, clamped to 200–2000.
func batchSize(r *http.Request) int {
	for opt := range strings.SplitSeq(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(opt), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return min(max(n, minBatchSize), defaultBatchSize)
		}
	}
	return defaultBatchSize
}

var errNoQuery = newAPIError(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")

// queryOptions are the engine options for the call.
func (c *call) queryOptions(all bool) query.Options {
	return query.Options{APIVersion: c.v.String(), All: all}
}

// runSOQL runs a SOQL query as the session's user; all includes deleted and
// archived records.
func (c *call) runSOQL(text string, all bool) (*query.Result, error) {
	who, err := c.as()
	if err != nil {
		return nil, err
	}
	return c.engine.Query(c.r.Context(), who, text, c.queryOptions(all))
}

// query serves GET /query?q=.
func (e *Emulator) query(c *call) error { return e.runQuery(c, "query", false) }

// queryAll serves GET /queryAll?q=: deleted and archived records too.
func (e *Emulator) queryAll(c *call) error { return e.runQuery(c, "queryAll", true) }

func (e *Emulator) runQuery(c *call, resource string, all bool) error {
	text := c.r.URL.Query().Get("q")
	if strings.TrimSpace(text) == "" {
		return errNoQuery
	}
	res, err := c.runSOQL(text, all)
	if err != nil {
		return err
	}
	n := batchSize(c.r)
	next := ""
	if res.Records() > n {
		id := e.cursors.add(e.clock.Now(), c.sess.UserID, all, res, res.Records())
		next = c.url(resource, id+"-"+strconv.Itoa(n))
	}
	return c.rawJSON(http.StatusOK, res.AppendPage(nil, 0, n, next), nil)
}

// queryMore serves GET /query/{locator} and /queryAll/{locator}: the next
// page of an open cursor.
func (e *Emulator) queryMore(c *call) error {
	cur, offset, ok := e.cursors.get(e.clock.Now(), c.sess.UserID, c.param("locator"))
	if !ok {
		return errInvalidLocator
	}
	res := cur.result.(*query.Result)
	n := batchSize(c.r)
	next := ""
	if offset+n < cur.total {
		next = c.url(c.segs[0], cur.id+"-"+strconv.Itoa(offset+n))
	}
	return c.rawJSON(http.StatusOK, res.AppendPage(nil, offset, n, next), nil)
}

// search serves GET /search?q=<SOSL>.
func (e *Emulator) search(c *call) error {
	return e.runSearch(c, c.r.URL.Query().Get("q"))
}

// parameterizedSearch serves GET and POST /parameterizedSearch: a search
// described by parameters instead of SOSL.
func (e *Emulator) parameterizedSearch(c *call) error {
	var ps *paramSearch
	if c.r.Method == http.MethodPost {
		ps = &paramSearch{}
		if err := decodeJSON(c.r, ps); err != nil {
			return err
		}
	} else {
		var err error
		if ps, err = paramSearchFromQuery(c.r.URL.Query()); err != nil {
			return err
		}
	}
	sosl, err := ps.sosl()
	if err != nil {
		return err
	}
	return e.runSearch(c, sosl)
}

func (e *Emulator) runSearch(c *call, sosl string) error {
	who, err := c.as()
	if err != nil {
		return err
	}
	body, err := c.engine.Search(c.r.Context(), who, sosl, c.queryOptions(false))
	if err != nil {
		return err
	}
	if c.v < 36 { // before v36.0 the search resource answered a bare array
		var wrapped struct {
			SearchRecords json.RawMessage `json:"searchRecords"`
		}
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&wrapped); err != nil {
			return err
		}
		body = wrapped.SearchRecords
	}
	return c.rawJSON(http.StatusOK, body, nil)
}
