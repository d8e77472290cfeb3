package bulk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// createQuery serves POST /jobs/query. The query is checked and run at
// once, so a bad query is refused with the REST API's error (MALFORMED_QUERY,
// INVALID_FIELD ...); the job then shows InProgress for the processing delay
// and completes with the records as they were when it was created.
func (req *request) createQuery() error {
	var body struct {
		Operation       string `json:"operation"`
		Query           string `json:"query"`
		ContentType     string `json:"contentType"`
		ColumnDelimiter string `json:"columnDelimiter"`
		LineEnding      string `json:"lineEnding"`
	}
	if err := decodeBody(req.r, &body); err != nil {
		return err
	}
	if body.Operation != "query" && body.Operation != "queryAll" {
		return invalidJob("Invalid operation %q for a query job: use query or queryAll", body.Operation)
	}
	if strings.TrimSpace(body.Query) == "" {
		return invalidJob("The job has no query: set query to a SOQL SELECT statement")
	}
	if body.ContentType != "" && body.ContentType != "CSV" {
		return invalidJob("Invalid contentType %q: Bulk API 2.0 returns CSV only", body.ContentType)
	}
	d, err := newDialect(body.ColumnDelimiter, body.LineEnding)
	if err != nil {
		return err
	}
	q, err := soql.Parse(body.Query)
	if err != nil {
		return queryError(err)
	}
	if err := checkBulkQuery(q); err != nil {
		return err
	}
	opt := query.Options{APIVersion: strconv.FormatFloat(req.version, 'f', 1, 64), All: body.Operation == "queryAll"}
	res, err := req.h.cfg.Query.Query(req.r.Context(), req.who, body.Query, opt)
	if err != nil {
		return queryError(err)
	}
	reg := req.h.cfg.Schema.Registry()
	obj := reg.Object(q.From)
	if obj == nil { // the engine accepted it: the schema changed meanwhile
		return queryError(soql.NewError(soql.CodeInvalidType, body.Query, q.FromPos, "sObject type '"+q.From+"' is not supported."))
	}
	cols, err := newColumns(q, obj)
	if err != nil {
		return err
	}
	if u := req.h.cfg.Usage; u != nil && !u.Spend(AllocQueryJobs, 1) {
		return newError(http.StatusBadRequest, codeExceededQuota,
			"The org has used its daily allocation of Bulk API 2.0 query jobs (DailyBulkV2QueryJobs)")
	}
	j, err := req.newJob(body.Operation, obj.Name, d)
	if err != nil {
		return err
	}
	j.result, j.columns, j.state, j.closedAt = res, cols, stateUploadComplete, j.created
	info := j.info(shapeCreate)
	req.h.add(j)
	req.writeJSON(http.StatusOK, info)
	return nil
}

// queryError renders a SOQL error as the REST API does: its code, and the
// message with the query's line and a caret.
func queryError(err error) error {
	var se *soql.Error
	if errors.As(err, &se) {
		return newError(http.StatusBadRequest, string(se.Code), se.Error())
	}
	return err
}

// checkBulkQuery refuses what Bulk API 2.0 does not run: aggregates, GROUP
// BY, OFFSET, TYPEOF, FIELDS() and parent-to-child subqueries.
// (Compound fields are refused once the fields are resolved.)
func checkBulkQuery(q *soql.Query) error {
	switch {
	case q.IsCount() || q.IsAggregate():
		return unsupportedQuery("Aggregate functions and GROUP BY are not supported in Bulk API 2.0 queries: query the records and aggregate them yourself, or use the REST query resource")
	case q.Offset != nil:
		return unsupportedQuery("OFFSET is not supported in Bulk API 2.0 queries: the results are paged with locators")
	}
	for _, it := range q.Select {
		switch it.(type) {
		case *soql.SubQuery:
			return unsupportedQuery("Aggregate Relationship is not supported in Bulk Query with CSV content type: query the child object with a child-to-parent relationship instead")
		case *soql.TypeOf:
			return unsupportedQuery("TYPEOF is not supported in Bulk API 2.0 queries: select the polymorphic relationship's fields (What.Name, What.Type)")
		case *soql.FieldsFunc:
			return unsupportedQuery("FIELDS() is not supported in Bulk API 2.0 queries: list the fields")
		}
	}
	return nil
}

// queryResults serves GET /jobs/query/{id}/results?locator=&maxRecords=:
// one page of the results as CSV, with Sforce-NumberOfRecords and
// Sforce-Locator (the literal "null" on the last page).
func (req *request) queryResults() error {
	j, err := req.find()
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	limit := req.h.cfg.MaxRecords
	if s := q.Get("maxRecords"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return newError(http.StatusBadRequest, codeAPIError, "maxRecords "+strconv.Quote(s)+" is not valid: give a positive number of records")
		}
		limit = n
	}
	j.mu.Lock()
	req.h.advanceLocked(req.r.Context(), j)
	st, res, cols, d := j.state, j.result, j.columns, j.dialect
	j.mu.Unlock()
	if st != stateJobComplete {
		return invalidState("Job %s is %s: its results are available once it is JobComplete", j.id, st)
	}
	start := 0
	if loc := q.Get("locator"); loc != "" {
		n, ok := decodeLocator(loc)
		if !ok || n > res.Records() {
			return errBadLocator
		}
		start = n
	}
	n := min(limit, res.Records()-start)
	next := "null"
	if start+n < res.Records() {
		next = encodeLocator(start + n)
	}
	h := req.w.Header()
	h.Set("Content-Type", "text/csv")
	h.Set("Sforce-NumberOfRecords", strconv.Itoa(n))
	h.Set("Sforce-Locator", next)
	req.w.WriteHeader(http.StatusOK)
	if req.r.Method == http.MethodHead {
		return nil
	}
	return cols.render(req.w, res, d, start, n)
}

// newColumns resolves the select list of a query on obj into the CSV's
// columns. It refuses compound fields, as Salesforce does.
func newColumns(q *soql.Query, obj *schema.Object) (*columns, error) {
	cs := newColumnSet()
	for _, it := range q.Select {
		se := it.(*soql.SelectExpr) // checkBulkQuery let nothing else through
		f, _ := se.Expr.(*soql.Field)
		wrapped := false
		if call, ok := se.Expr.(*soql.Call); ok && len(call.Args) == 1 {
			f, _ = call.Args[0].(*soql.Field)
			wrapped = call.Name == "toLabel" || call.Name == "FORMAT"
		}
		if f == nil {
			return nil, unsupportedQuery("Only fields can be selected in Bulk API 2.0 queries")
		}
		path := f.Path
		if len(path) > 1 && (strings.EqualFold(path[0], q.Alias) || strings.EqualFold(path[0], obj.Name) && obj.Relationship(path[0]) == nil) {
			path = path[1:]
		}
		names, leaf := resolvePath(obj, path)
		if leaf != nil && leaf.Type.IsCompound() {
			return nil, newError(http.StatusBadRequest, "FUNCTIONALITY_NOT_ENABLED", "Selecting compound data not supported in Bulk Query")
		}
		typ := schema.TypeString
		if leaf != nil && !wrapped {
			typ = leaf.Type
		}
		cs.add(names, typ)
	}
	return cs, nil
}

// resolvePath gives a field path's canonical names (Account.Name for
// account.name) and its leaf field; nil for the Type of a polymorphic
// relationship. A name the schema lacks is kept as written.
func resolvePath(obj *schema.Object, path []string) ([]string, *schema.Field) {
	names := make([]string, len(path))
	copy(names, path)
	if len(path) == 1 {
		f := obj.Field(path[0])
		if f == nil {
			return names, nil
		}
		names[0] = f.Name
		return names, f
	}
	rel := obj.Relationship(path[0])
	if rel == nil {
		return names, nil
	}
	names[0] = rel.RelationshipName
	for _, t := range rel.Targets {
		rest, leaf := resolvePath(t, path[1:])
		if leaf != nil {
			return append(names[:1], rest...), leaf
		}
	}
	return names, nil
}
