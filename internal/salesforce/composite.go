package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// MaxSubrequests is the most subrequests one composite request may hold.
const MaxSubrequests = 25

// CompositeRequest is a series of REST requests run as one API call; later
// subrequests may use earlier results with @{referenceId.field}.
type CompositeRequest struct {
	// AllOrNone rolls every subrequest back if one fails; the others then
	// answer 400 PROCESSING_HALTED.
	AllOrNone bool `json:"allOrNone"`
	// Subrequests run in order; at most MaxSubrequests.
	Subrequests []Subrequest `json:"compositeRequest"`
}

// Subrequest is one request of a CompositeRequest.
type Subrequest struct {
	Method string `json:"method"`
	// URL is a full data path ("/services/data/v62.0/sobjects/Account") or
	// one relative to the client's API version ("/sobjects/Account"); it may
	// hold @{ref.field} references.
	URL         string `json:"url"`
	ReferenceID string `json:"referenceId"`
	Body        any    `json:"body,omitempty"`
	// Headers are extra request headers (not Accept, Authorization or
	// Content-Type, which Salesforce forbids here).
	Headers map[string]string `json:"httpHeaders,omitempty"`
}

// SubResponse is the answer to one subrequest, in request order.
type SubResponse struct {
	ReferenceID string            `json:"referenceId"`
	Status      int               `json:"httpStatusCode"`
	Headers     map[string]string `json:"httpHeaders"`
	Body        json.RawMessage   `json:"body"`
	method, url string
}

// Err returns the subrequest's error as an *APIError (Status set to its
// HTTP status), or nil if it succeeded.
func (r *SubResponse) Err() error {
	if r.Status < http.StatusBadRequest {
		return nil
	}
	return decodeError(r.Status, r.method, r.url, r.Body)
}

// Decode decodes a successful subresponse's body into v.
func (r *SubResponse) Decode(v any) error {
	if err := r.Err(); err != nil {
		return err
	}
	return json.Unmarshal(r.Body, v)
}

var referenceIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Composite sends req and returns one SubResponse per subrequest. The call
// itself fails only if the whole request is refused; check each
// SubResponse.Err.
func (c *Client) Composite(ctx context.Context, req CompositeRequest) ([]SubResponse, error) {
	idempotent := true
	for _, s := range req.Subrequests {
		idempotent = idempotent && s.Method == http.MethodGet
	}
	return c.composite(ctx, req, idempotent)
}

func (c *Client) composite(ctx context.Context, req CompositeRequest, idempotent bool) ([]SubResponse, error) {
	if err := checkComposite(req); err != nil {
		return nil, fmt.Errorf("building composite request: %w", err)
	}
	subs := make([]Subrequest, len(req.Subrequests))
	for i, s := range req.Subrequests {
		if !strings.HasPrefix(s.URL, "/services/") {
			s.URL = c.dataPath(s.URL)
		}
		subs[i] = s
	}
	req.Subrequests = subs
	var out struct {
		CompositeResponse []SubResponse `json:"compositeResponse"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: c.dataPath("/composite"), body: req, idempotent: idempotent},
		func(resp *http.Response) error { return json.NewDecoder(resp.Body).Decode(&out) })
	if err != nil {
		return nil, err
	}
	byRef := make(map[string]Subrequest, len(subs))
	for _, s := range subs {
		byRef[s.ReferenceID] = s
	}
	for i := range out.CompositeResponse {
		r := &out.CompositeResponse[i]
		s := byRef[r.ReferenceID]
		r.method = s.Method
		r.url, _, _ = strings.Cut(s.URL, "?") // no query string (SOQL) in errors
	}
	return out.CompositeResponse, nil
}

func checkComposite(req CompositeRequest) error {
	n := len(req.Subrequests)
	if n == 0 || n > MaxSubrequests {
		return fmt.Errorf("%d subrequests: send 1 to %d", n, MaxSubrequests)
	}
	seen := make(map[string]bool, n)
	var errs []error
	for i, s := range req.Subrequests {
		switch {
		case !referenceIDRE.MatchString(s.ReferenceID):
			errs = append(errs, fmt.Errorf("subrequest %d: reference ID %q must start with a letter and hold only letters, digits and _", i, s.ReferenceID))
		case seen[s.ReferenceID]:
			errs = append(errs, fmt.Errorf("subrequest %d: reference ID %q is used twice", i, s.ReferenceID))
		}
		seen[s.ReferenceID] = true
		switch s.Method {
		case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut:
		default:
			errs = append(errs, fmt.Errorf("subrequest %d: method %q is not GET, POST, PATCH, PUT or DELETE", i, s.Method))
		}
		if !strings.HasPrefix(s.URL, "/") {
			errs = append(errs, fmt.Errorf("subrequest %d: URL %q must start with /", i, s.URL))
		}
		for h := range s.Headers {
			switch strings.ToLower(h) {
			case "accept", "authorization", "content-type":
				errs = append(errs, fmt.Errorf("subrequest %d: header %s is inherited from the composite request and must not be set", i, h))
			}
		}
	}
	return errors.Join(errs...)
}
