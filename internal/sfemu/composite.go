package sfemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Composite limits.
const (
	maxCompositeSubrequests = 25
	maxCompositeQueries     = 5 // query and sObject Collections subrequests
)

// recorder captures a subrequest's response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

// raw is the response body for a composite result: the JSON as written
// (keys keep their order), or null when there is none.
func (r *recorder) raw() json.RawMessage {
	if r.body.Len() == 0 || !json.Valid(r.body.Bytes()) {
		return nil
	}
	return json.RawMessage(r.body.Bytes())
}

// decoded is the response body as JSON values, or nil when there is none.
func (r *recorder) decoded() any {
	if r.body.Len() == 0 {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return r.body.String()
	}
	return v
}

// subHeaders are the response headers a composite subresult reports.
var subHeaders = []string{"Location", "ETag", "Last-Modified"}

func (r *recorder) reportedHeaders() map[string]string {
	out := map[string]string{}
	for _, k := range subHeaders {
		if v := r.header.Get(k); v != "" {
			out[k] = v
		}
	}
	return out
}

// subrequest runs one request inside a composite call: same session, no
// API count, no request faults. path is absolute (/services/data/vXX.X/...).
func (e *Emulator) subrequest(ctx context.Context, parent *call, method, path string, body []byte, header map[string]string) *recorder {
	rec := newRecorder()
	u, err := url.Parse(path)
	if err != nil {
		writeAPIError(rec, parent.r, newAPIError(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf("invalid subrequest url: %s", path)))
		return rec
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		writeAPIError(rec, parent.r, newAPIError(http.StatusBadRequest, "INVALID_INPUT", err.Error()))
		return rec
	}
	req.Host, req.TLS, req.RemoteAddr = parent.r.Host, parent.r.TLS, parent.r.RemoteAddr
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if fwd := parent.r.Header.Get("X-Forwarded-Proto"); fwd != "" {
		req.Header.Set("X-Forwarded-Proto", fwd)
	}
	vseg, segs := splitPath(u.Path)
	v, ok := parseVersion(vseg)
	if !ok || !strings.HasPrefix(u.Path, "/services/data/") {
		writeAPIError(rec, req, errNotFound)
		return rec
	}
	c := &call{e: e, w: rec, r: req, v: v, sess: parent.sess, segs: segs, org: parent.org, engine: parent.engine, auth: parent.auth}
	rt, params, ok := e.findRoute(segs)
	if !ok || v < rt.since {
		c.fail(errNotFound)
		return rec
	}
	c.params = params
	e.dispatch(c, rt)
	return rec
}

// compositeRequest is the body of POST /composite.
type compositeRequest struct {
	AllOrNone          bool            `json:"allOrNone"`
	CollateSubrequests *bool           `json:"collateSubrequests"`
	CompositeRequest   []subrequestDoc `json:"compositeRequest"`
}

type subrequestDoc struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        json.RawMessage   `json:"body"`
	HTTPHeaders map[string]string `json:"httpHeaders"`
}

// subresult is one entry of compositeResponse; keys in Salesforce's order.
type subresult struct {
	Body           any               `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

var referenceIDPattern = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func invalidInput(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf(format, args...))
}

// validate checks the request as a whole, before anything runs.
func (req *compositeRequest) validate() error {
	n := len(req.CompositeRequest)
	if n == 0 {
		return invalidInput("The compositeRequest must contain at least one subrequest.")
	}
	if n > maxCompositeSubrequests {
		return newAPIError(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite request can contain up to %d subrequests; this one has %d.", maxCompositeSubrequests, n))
	}
	seen := map[string]bool{}
	queries := 0
	for i, sr := range req.CompositeRequest {
		switch {
		case sr.Method == "" || sr.URL == "" || sr.ReferenceID == "":
			return invalidInput("compositeRequest[%d]: method, url and referenceId are required.", i)
		case !referenceIDPattern.MatchString(sr.ReferenceID):
			return invalidInput("compositeRequest[%d]: referenceId %q may contain only letters, numbers and underscores ('_').", i, sr.ReferenceID)
		case seen[strings.ToLower(sr.ReferenceID)]:
			return invalidInput("Duplicate referenceId provided in the request: %s", sr.ReferenceID)
		}
		seen[strings.ToLower(sr.ReferenceID)] = true
		_, segs := splitPath(strings.SplitN(sr.URL, "?", 2)[0])
		if len(segs) > 0 && (strings.EqualFold(segs[0], "query") || strings.EqualFold(segs[0], "queryAll") ||
			(len(segs) > 1 && strings.EqualFold(segs[0], "composite") && strings.EqualFold(segs[1], "sobjects"))) {
			queries++
		}
		if nestedComposite(segs) {
			return invalidInput("compositeRequest[%d]: %s cannot be a composite subrequest.", i, sr.URL)
		}
	}
	if queries > maxCompositeQueries {
		return newAPIError(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite request can contain up to %d query or sObject Collections subrequests; this one has %d.", maxCompositeQueries, queries))
	}
	return nil
}

// nestedComposite reports whether a subrequest's path (after the version)
// is a composite resource other than sObject Collections, which cannot be
// nested.
func nestedComposite(segs []string) bool {
	return len(segs) > 0 && strings.EqualFold(segs[0], "composite") && !(len(segs) > 1 && strings.EqualFold(segs[1], "sobjects"))
}

// errProcessingHalted is what the other subrequests of a failed allOrNone
// composite answer.
var errProcessingHalted = newAPIError(http.StatusBadRequest, "PROCESSING_HALTED",
	"The transaction was rolled back since another operation in the same transaction failed.")

// composite serves POST /composite: subrequests run in order, later ones
// referring to earlier results with @{referenceId.path}. With allOrNone a
// failure rolls back every change and halts the rest.
func (e *Emulator) composite(c *call) error {
	var req compositeRequest
	if err := decodeJSON(c.r, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	results := make([]subresult, len(req.CompositeRequest))
	run := func(ctx context.Context) (failed bool) {
		refs := references{}
		for i, sr := range req.CompositeRequest {
			res := e.runSubrequest(ctx, c, sr, refs)
			results[i] = res
			if res.HTTPStatusCode >= 400 {
				failed = true
				if req.AllOrNone {
					for j := range results {
						if j != i {
							results[j] = haltedResult(req.CompositeRequest[j].ReferenceID)
						}
					}
					return true
				}
			}
		}
		return failed
	}
	if req.AllOrNone {
		c.org.Atomically(c.r.Context(), func(ctx context.Context) bool { return !run(ctx) })
	} else {
		run(c.r.Context())
	}
	return c.json(http.StatusOK, map[string]any{"compositeResponse": results})
}

func haltedResult(refID string) subresult {
	return subresult{Body: errProcessingHalted.body(), HTTPHeaders: map[string]string{},
		HTTPStatusCode: http.StatusBadRequest, ReferenceID: refID}
}

// runSubrequest resolves a subrequest's references, runs it, and records
// its body for later references when it succeeded.
func (e *Emulator) runSubrequest(ctx context.Context, c *call, sr subrequestDoc, refs references) subresult {
	fail := func(msg string) subresult {
		return subresult{Body: []restError{{Message: msg, ErrorCode: "PROCESSING_HALTED"}},
			HTTPHeaders: map[string]string{}, HTTPStatusCode: http.StatusBadRequest, ReferenceID: sr.ReferenceID}
	}
	path, err := refs.expandString(sr.URL)
	if err != nil {
		return fail(err.Error())
	}
	var body []byte
	if len(sr.Body) > 0 && string(sr.Body) != "null" {
		var v any
		dec := json.NewDecoder(bytes.NewReader(sr.Body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return fail(err.Error())
		}
		expanded, err := refs.expandValue(v)
		if err != nil {
			return fail(err.Error())
		}
		body, _ = json.Marshal(expanded) // decoded JSON marshals back
	}
	rec := e.subrequest(ctx, c, strings.ToUpper(sr.Method), path, body, sr.HTTPHeaders)
	out := subresult{Body: rec.raw(), HTTPHeaders: rec.reportedHeaders(), HTTPStatusCode: rec.status, ReferenceID: sr.ReferenceID}
	if out.HTTPStatusCode == 0 {
		out.HTTPStatusCode = http.StatusOK
	}
	if out.HTTPStatusCode < 400 {
		refs[sr.ReferenceID] = rec.decoded()
	}
	return out
}

// batchRequest is the body of POST /composite/batch.
type batchRequest struct {
	HaltOnError   bool       `json:"haltOnError"`
	BatchRequests []batchDoc `json:"batchRequests"`
}

type batchDoc struct {
	Method    string          `json:"method"`
	URL       string          `json:"url"`
	RichInput json.RawMessage `json:"richInput"`
}

type batchResult struct {
	Result     any `json:"result"`
	StatusCode int `json:"statusCode"`
}

// batchCost counts one API request per batch subrequest (read ahead of the
// handler, which finds the parsed body on the call).
func batchCost(c *call) int {
	var req batchRequest
	if err := decodeJSON(c.r, &req); err != nil {
		c.parseErr = err
		return 1
	}
	c.batch = &req
	return max(1, len(req.BatchRequests))
}

var errBatchHalted = newAPIError(http.StatusPreconditionFailed, "BATCH_PROCESSING_HALTED", "Batch processing halted per request")

// compositeBatch serves POST /composite/batch: up to 25 independent
// subrequests; haltOnError stops at the first failure.
func (e *Emulator) compositeBatch(c *call) error {
	if c.parseErr != nil {
		return c.parseErr
	}
	req := c.batch
	if req == nil { // not read ahead by batchCost
		req = &batchRequest{}
		if err := decodeJSON(c.r, req); err != nil {
			return err
		}
	}
	if n := len(req.BatchRequests); n == 0 || n > maxCompositeSubrequests {
		return newAPIError(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A batch request must contain from 1 to %d subrequests; this one has %d.", maxCompositeSubrequests, n))
	}
	results := make([]batchResult, len(req.BatchRequests))
	hasErrors, halted := false, false
	for i, br := range req.BatchRequests {
		if halted {
			results[i] = batchResult{Result: errBatchHalted.body(), StatusCode: errBatchHalted.Status}
			continue
		}
		path := "/services/data/" + strings.TrimPrefix(br.URL, "/")
		if strings.HasPrefix(br.URL, "/services/data/") {
			path = br.URL
		}
		if _, segs := splitPath(strings.SplitN(path, "?", 2)[0]); nestedComposite(segs) {
			ae := invalidInput("batchRequests[%d]: %s cannot be a batch subrequest.", i, br.URL)
			results[i] = batchResult{Result: ae.body(), StatusCode: ae.Status}
			hasErrors, halted = true, req.HaltOnError
			continue
		}
		var body []byte
		if len(br.RichInput) > 0 && string(br.RichInput) != "null" {
			body = br.RichInput
		}
		rec := e.subrequest(c.r.Context(), c, strings.ToUpper(br.Method), path, body, nil)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		results[i] = batchResult{Result: rec.raw(), StatusCode: status}
		if status >= 400 {
			hasErrors = true
			halted = req.HaltOnError
		}
	}
	return c.json(http.StatusOK, map[string]any{"hasErrors": hasErrors, "results": results})
}
