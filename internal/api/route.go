package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// route is one entry of the route table. The table is the single source of
// the mux, the access checks and the OpenAPI document. Routes are built only
// by [guarded] and [public]: a route without an access rule cannot be written.
type route struct {
	method  string
	path    string // a ServeMux path pattern: "/api/v1/users/{id}/roles"
	summary string
	// action is checked with access.Decide before the handler runs; empty
	// only for public routes.
	action access.Action
	// resource gives the resource the action applies to; nil means none
	// (access.Resource{}).
	resource func(c *call) access.Resource
	status   int          // success status
	in       reflect.Type // request body type; nil: none
	inType   string       // a raw request body's content type (text/csv), for the OpenAPI document; in is then nil
	out      reflect.Type // response body type; nil: no body (204)
	handle   func(c *call) (any, error)
	raw      http.Handler // instead of handle, for text endpoints (metrics)
	rawType  string       // raw's content type, for the OpenAPI document
	query    []queryParam // query parameters, for the OpenAPI document
}

// queryParam is one query parameter a route reads.
type queryParam struct {
	name, about string
	required    bool
}

// guarded returns a route that only signed-in people may call, and only when
// access.Decide allows action. It panics on an action without a rule: the
// server refuses to start rather than serve an unchecked route.
func guarded(method, path string, action access.Action, summary string, handle func(c *call) (any, error)) route {
	if !action.Known() {
		panic(fmt.Sprintf("api: route %s %s: action %q has no access rule", method, path, action))
	}
	return route{method: method, path: path, action: action, summary: summary, status: http.StatusOK, handle: handle}
}

// public returns a route anyone may call without signing in: login, setup,
// health and the API description.
func public(method, path, summary string, handle func(c *call) (any, error)) route {
	return route{method: method, path: path, summary: summary, status: http.StatusOK, handle: handle}
}

// body declares the request and response body types, for decoding and for the
// OpenAPI document; a nil response means 204 No Content.
func (rt route) body(in, out any) route {
	if in != nil {
		rt.in = reflect.TypeOf(in)
	}
	if out != nil {
		rt.out = reflect.TypeOf(out)
	} else {
		rt.status = http.StatusNoContent
	}
	return rt
}

// rawBody declares a request body that is not JSON (a CSV import): the
// handler reads it itself; the OpenAPI document describes it as a string of
// contentType.
func (rt route) rawBody(contentType string) route {
	rt.inType = contentType
	return rt
}

// params declares the query parameters the handler reads, for the OpenAPI
// document; a name ending in "!" is required ("q!").
func (rt route) params(nameAbout ...string) route {
	for i := 0; i+1 < len(nameAbout); i += 2 {
		name, required := strings.CutSuffix(nameAbout[i], "!")
		rt.query = append(rt.query, queryParam{name: name, about: nameAbout[i+1], required: required})
	}
	return rt
}

// created makes the success status 201.
func (rt route) created() route {
	rt.status = http.StatusCreated
	return rt
}

// on sets the resource the action is decided on.
func (rt route) on(resource func(c *call) access.Resource) route {
	rt.resource = resource
	return rt
}

// self is the resource owned by the caller (their own tokens).
func self(c *call) access.Resource { return access.Resource{OwnerID: c.actor.ID} }

// pattern is the ServeMux pattern of the route.
func (rt route) pattern() string { return rt.method + " " + rt.path }

// call is one request to a route, with the signed-in person once known.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	user  User         // zero on public routes
	actor access.Actor // zero on public routes
	via   string       // "session" or "token"; empty on public routes
	// uses are the sheets' workflows, read once per request by sheetUses:
	// the access check and the handler both need them.
	uses syncer.SheetUses
}

// maxBody caps request bodies; the API takes small JSON documents only.
const maxBody = 1 << 20

// decode reads the JSON request body into v, refusing unknown fields,
// trailing data and bodies over maxBody.
func (c *call) decode(v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errSecondValue
	}
	if err == nil {
		return nil
	}
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooLarge  *http.MaxBytesError
		fieldName = "body"
		msg       string
	)
	switch {
	case errors.Is(err, io.EOF):
		msg = "is empty; send a JSON object"
	case errors.Is(err, errSecondValue):
		msg = "holds a second JSON value after the first; send one object"
	case errors.As(err, &syntax):
		msg = fmt.Sprintf("is not valid JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			fieldName = typeErr.Field
		}
		msg = fmt.Sprintf("must be a JSON %s (got %s)", jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &tooLarge):
		msg = fmt.Sprintf("is over %d bytes", tooLarge.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		fieldName = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		msg = "is not a field of this request; remove it (/api/v1/openapi.json lists the fields)"
	default:
		msg = "cannot be read: " + err.Error()
	}
	return invalid(FieldError{Field: fieldName, Message: msg})
}

// idParam is the path wildcard that always holds a positive integer id (a
// user's); the OpenAPI document types it as an integer, other wildcards as
// strings.
const idParam = "id"

var errSecondValue = errors.New("a second JSON value follows the first")

// jsonKind names t's JSON type for messages.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	default:
		return "number"
	}
}

// pathID returns the {id} path wildcard.
func (c *call) pathID() (int64, error) {
	v := c.r.PathValue(idParam)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(FieldError{Field: idParam, Message: fmt.Sprintf("is %q; ids are positive integers", v)})
	}
	return id, nil
}

// authorize checks one more action on a resource inside a handler, for
// routes whose rule depends on the request body (which roles change).
func (c *call) authorize(act access.Action, res access.Resource) error {
	if d := access.Decide(c.actor, act, res); !d.Allowed {
		return refused(d)
	}
	return nil
}

// audit returns an audit entry by the caller.
func (c *call) audit(act, subject, detail string) AuditEntry {
	return AuditEntry{ActorID: c.actor.ID, Action: act, Subject: subject, Detail: detail, At: c.s.now()}
}
