package api

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
)

// openAPI serves the OpenAPI 3.1 document, built from the route table.
func (s *Server) openAPI(*call) (any, error) { return s.OpenAPI(), nil }

// OpenAPI returns the OpenAPI 3.1 description of the server, generated from
// its route table: paths, access rules (x-sfbridge-action), request and
// response schemas (from the Go types) and the error codes.
func (s *Server) OpenAPI() map[string]any {
	g := schemaGen{schemas: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = g.operation(rt)
	}
	g.schemas["Error"] = g.schema(reflect.TypeFor[Error]())
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "sfbridge API",
			"version": "v1",
			"description": "Every error answers with an Error body whose code is stable (see x-sfbridge-error-codes). " +
				"Guarded operations need a session cookie or a personal API token, and are allowed by the access rule named in x-sfbridge-action.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "A personal API token (sfbp_…)."},
			},
		},
		"x-sfbridge-error-codes": errorCodeTable(),
	}
}

func errorCodeTable() map[string]any {
	out := map[string]any{}
	for _, c := range Codes() {
		out[string(c)] = map[string]any{"status": c.Status(), "description": codes[c].about}
	}
	return out
}

// schemaGen turns Go types into JSON Schemas, collecting named structs as
// components.
type schemaGen struct {
	schemas map[string]any
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

func (g *schemaGen) operation(rt route) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.summary,
		"responses":   map[string]any{},
	}
	if rt.action == "" {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"session": []any{}}, map[string]any{"token": []any{}}}
		op["x-sfbridge-action"] = string(rt.action)
		op["description"] = "Allowed to " + rt.action.Who() + "."
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		typ := "string"
		if m[1] == idParam {
			typ = "integer"
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
	}
	for _, q := range rt.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "required": q.required,
			"description": q.about, "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	switch {
	case rt.in != nil:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(rt.in)}}}
	case rt.inType != "":
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			rt.inType: map[string]any{"schema": map[string]any{"type": "string"}}}}
	}
	resp := map[string]any{"description": http.StatusText(rt.status)}
	switch {
	case rt.raw != nil:
		resp["content"] = map[string]any{rt.rawType: map[string]any{"schema": map[string]any{"type": "string"}}}
	case rt.out != nil:
		resp["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(rt.out)}}
	}
	responses := op["responses"].(map[string]any)
	responses[fmt.Sprint(rt.status)] = resp
	if rt.raw == nil {
		responses["default"] = map[string]any{"description": "An error; see x-sfbridge-error-codes.",
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	return op
}

// operationID is "put_users_id_roles" for PUT /api/v1/users/{id}/roles.
func operationID(rt route) string {
	p := strings.TrimPrefix(rt.path, "/api/v1")
	p = strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_").Replace(p)
	return strings.ToLower(rt.method) + p
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	roleType = reflect.TypeFor[access.Role]()
	codeType = reflect.TypeFor[Code]()
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case roleType:
		return map[string]any{"type": "string", "enum": access.AllRoles}
	case codeType:
		return map[string]any{"type": "string", "enum": Codes()}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object"}
		}
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		if _, ok := g.schemas[t.Name()]; !ok {
			g.schemas[t.Name()] = nil // claims the name before recursing
			g.schemas[t.Name()] = g.object(t)
		}
		return ref(t.Name())
	}
	return map[string]any{}
}

// object is the schema of a struct, following encoding/json's rules for
// names, omitempty and embedded structs.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props, required := map[string]any{}, []string{}
	g.fields(t, props, &required)
	obj := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(f.Type, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") {
			*required = append(*required, name)
		}
	}
}
