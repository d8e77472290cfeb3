package sfemu

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
)

// call is one REST request being served: the request, its API version, the
// caller's session and the path segments after /services/data/vXX.X/.
type call struct {
	e      *Emulator
	w      http.ResponseWriter
	r      *http.Request
	v      version
	sess   auth.Session
	segs   []string
	params map[string]string // {name} captures of the matched route

	// The org the call works on (fixed for the call even if an admin
	// resets the org meanwhile), its query engine and OAuth server.
	org    *org.Org
	engine *query.Engine
	auth   *auth.Server

	// A route's cost function may read the body ahead of the handler.
	batch    *batchRequest
	parseErr error
}

// param returns a captured path segment.
func (c *call) param(name string) string { return c.params[name] }

// json writes a JSON response.
func (c *call) json(status int, v any) error {
	writeJSON(c.w, c.r, status, v)
	return nil
}

// noContent writes a 204.
func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// url is a path under the call's version root, "/services/data/v60.0/" + rest.
func (c *call) url(rest ...string) string { return c.v.base() + "/" + strings.Join(rest, "/") }

// route is a REST resource: a path pattern after the version ("sobjects",
// "{object}", "describe"), the handler per method, and the first version
// that has it.
type route struct {
	pattern []string
	methods map[string]func(*call) error
	since   version
	// cost is how many API requests a call spends; 0 means 1. A function
	// lets composite batch count its subrequests.
	cost func(*call) int
}

// methodOrder is the order methods are listed in Allow headers.
var methodOrder = []string{http.MethodHead, http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}

// match reports whether segs fit the pattern, and the captures.
func (rt *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(rt.pattern) {
		return nil, false
	}
	var params map[string]string
	for i, p := range rt.pattern {
		if name, ok := strings.CutPrefix(p, "{"); ok {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.TrimSuffix(name, "}")] = segs[i]
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return params, true
}

func (rt *route) allowed() []string {
	var out []string
	for _, m := range methodOrder {
		_, ok := rt.methods[m]
		if m == http.MethodHead {
			_, ok = rt.methods[http.MethodGet]
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// handler returns the route's handler for a method (HEAD is served as GET).
func (rt *route) handler(method string) (func(*call) error, bool) {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	h, ok := rt.methods[method]
	return h, ok
}

// splitPath splits "/services/data/v60.0/sobjects/Account/" into the
// version segment and the rest ("sobjects", "Account"). A trailing slash
// is ignored, as Salesforce does.
func splitPath(p string) (versionSeg string, rest []string) {
	p = strings.TrimPrefix(p, "/services/data")
	p = strings.Trim(p, "/")
	if p == "" {
		return "", nil
	}
	segs := strings.Split(p, "/")
	return segs[0], segs[1:]
}

// serveREST serves /services/data/...: the versions list without a
// session, everything else behind the session check, faults and the API
// request limit.
func (e *Emulator) serveREST(w http.ResponseWriter, r *http.Request) {
	vseg, segs := splitPath(r.URL.Path)
	if isJobsPath(segs) {
		r.Body = http.MaxBytesReader(w, r.Body, maxJobBodyBytes)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	}
	if vseg == "" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeAPIError(w, r, methodNotAllowed(r.Method, http.MethodHead, http.MethodGet))
			return
		}
		writeJSON(w, r, http.StatusOK, versions())
		return
	}
	v, ok := parseVersion(vseg)
	if !ok {
		writeAPIError(w, r, errNotFound)
		return
	}
	cur := e.world()
	sess, err := cur.auth.Authenticate(r)
	if err != nil {
		if errors.Is(err, auth.ErrInvalidAuthHeader) {
			writeAPIError(w, r, errInvalidAuthHeader)
		} else {
			writeAPIError(w, r, errInvalidSession)
		}
		return
	}
	c := &call{e: e, w: w, r: r, v: v, sess: sess, segs: segs, org: cur.org, engine: cur.engine, auth: cur.auth}
	if !sess.HasScope("api") {
		c.fail(errNoAPIScope)
		return
	}
	if stop := e.requestFaults(c); stop {
		return
	}
	if isJobsPath(segs) {
		e.serveBulk(c, cur.bulk)
		return
	}
	rt, params, ok := e.findRoute(segs)
	if ok && v < rt.since {
		ok = false
	}
	cost := 1
	if ok && rt.cost != nil {
		cost = rt.cost(c)
	}
	if !e.usage.spend(cost) {
		w.Header().Set("Sforce-Limit-Info", e.usage.header())
		c.fail(errLimitExceeded)
		return
	}
	w.Header().Set("Sforce-Limit-Info", e.usage.header())
	if !ok {
		c.fail(errNotFound)
		return
	}
	c.params = params
	e.dispatch(c, rt)
}

// dispatch runs the route's handler for the call's method.
func (e *Emulator) dispatch(c *call, rt *route) {
	h, ok := rt.handler(c.r.Method)
	if !ok {
		c.fail(methodNotAllowed(c.r.Method, rt.allowed()...))
		return
	}
	if err := h(c); err != nil {
		c.fail(err)
	}
}

// findRoute returns the first route matching the segments.
func (e *Emulator) findRoute(segs []string) (*route, map[string]string, bool) {
	for i := range e.routes {
		if params, ok := e.routes[i].match(segs); ok {
			return &e.routes[i], params, true
		}
	}
	return nil, nil, false
}

// fail renders an error returned by a handler. Errors that are not
// Salesforce errors are bugs or environment failures: they are logged with
// an error ID and answered 500 UNKNOWN_EXCEPTION with that ID.
func (c *call) fail(err error) {
	writeAPIError(c.w, c.r, c.e.toAPIError(err))
}

// toAPIError maps any handler error onto a REST error.
func (e *Emulator) toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if se := asSchemaError(err); se != nil {
		return se
	}
	if qe := asQueryError(err); qe != nil {
		return qe
	}
	ue := e.unknownException()
	e.log.Error("serving a REST call", "errorId", ue.Message[strings.LastIndex(ue.Message, ": ")+2:], "err", err)
	return ue
}
