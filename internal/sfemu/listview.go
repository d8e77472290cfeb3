package sfemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/sfid"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// listViewQueries is what the org offers for list views beyond their
// ListView records: each view's filter as SOQL. It is optional: an org
// without it still lists its views, but cannot describe or run them.
type listViewQueries interface {
	ListViewQuery(id string) (soql string, ok bool)
}

// listViewInfo is an entry of /listviews; keys in Salesforce's order.
type listViewInfo struct {
	DescribeURL    string `json:"describeUrl"`
	DeveloperName  string `json:"developerName"`
	ID             string `json:"id"`
	Label          string `json:"label"`
	ResultsURL     string `json:"resultsUrl"`
	SOQLCompatible bool   `json:"soqlCompatible"`
	URL            string `json:"url"`
}

// listViewRecords queries the object's ListView records as the caller.
func (c *call) listViewRecords(o *schema.Object, id string) ([]listViewInfo, error) {
	q := "SELECT Id, Name, DeveloperName FROM ListView WHERE SobjectType = '" + o.Name + "'"
	if id != "" {
		q += " AND Id = '" + id + "'"
	}
	res, err := c.runSOQL(q+" ORDER BY Name", false)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID            string `json:"Id"`
		Name          string `json:"Name"`
		DeveloperName string `json:"DeveloperName"`
	}
	if err := json.Unmarshal(res.AppendRecords(nil, 0, res.Records()), &rows); err != nil {
		return nil, err
	}
	out := make([]listViewInfo, len(rows))
	for i, r := range rows {
		base := c.url("sobjects", o.Name, "listviews", r.ID)
		out[i] = listViewInfo{DescribeURL: base + "/describe", DeveloperName: r.DeveloperName, ID: r.ID, Label: r.Name,
			ResultsURL: base + "/results", SOQLCompatible: true, URL: base}
	}
	return out, nil
}

// listViews serves GET /sobjects/{object}/listviews.
func (e *Emulator) listViews(c *call) error {
	o, err := c.object()
	if err != nil {
		return err
	}
	views, err := c.listViewRecords(o, "")
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, struct {
		Done           bool           `json:"done"`
		ListViews      []listViewInfo `json:"listviews"`
		NextRecordsURL *string        `json:"nextRecordsUrl"`
		Size           int            `json:"size"`
		SObjectType    string         `json:"sobjectType"`
	}{true, views, nil, len(views), o.Name})
}

// listView resolves {object} and {id} to the object and one of its list
// views.
func (c *call) listView() (*schema.Object, listViewInfo, error) {
	o, err := c.object()
	if err != nil {
		return nil, listViewInfo{}, err
	}
	id, err := sfid.To18(c.param("id"))
	if err != nil || sfid.KeyPrefix(id) != "00B" {
		return nil, listViewInfo{}, errNotFound
	}
	views, err := c.listViewRecords(o, id)
	if err != nil {
		return nil, listViewInfo{}, err
	}
	if len(views) != 1 {
		return nil, listViewInfo{}, errNotFound
	}
	return o, views[0], nil
}

// listView serves GET /sobjects/{object}/listviews/{id}.
func (e *Emulator) listView(c *call) error {
	_, lv, err := c.listView()
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, lv)
}

// listViewColumn describes one column of a list view.
type listViewColumn struct {
	AscendingLabel  *string `json:"ascendingLabel"`
	DescendingLabel *string `json:"descendingLabel"`
	FieldNameOrPath string  `json:"fieldNameOrPath"`
	Hidden          bool    `json:"hidden"`
	Label           string  `json:"label"`
	Searchable      bool    `json:"searchable"`
	SelectListItem  string  `json:"selectListItem"`
	SortDirection   *string `json:"sortDirection"`
	SortIndex       *int    `json:"sortIndex"`
	Sortable        bool    `json:"sortable"`
	Type            string  `json:"type"`

	field *schema.Field
}

// sortLabels are the labels list views show for sorting a column by type.
func sortLabels(t schema.FieldType) (asc, desc *string) {
	pair := func(a, d string) (*string, *string) { return &a, &d }
	switch {
	case t.IsText(), t == schema.TypePicklist, t == schema.TypeReference:
		return pair("Z-A", "A-Z") // as recorded: Salesforce swaps them
	case t.IsNumber():
		return pair("9-0", "0-9")
	case t == schema.TypeDate, t == schema.TypeDateTime:
		return pair("New to Old", "Old to New")
	}
	return nil, nil
}

// listViewPlan is a list view of an object with its query and columns.
type listViewPlan struct {
	object  *schema.Object
	view    listViewInfo
	soql    string
	columns []listViewColumn
	orderBy []map[string]string
	scope   string
}

// listViewPlan resolves the list view of {object} and {id}, reads its SOQL
// and derives its columns.
func (c *call) listViewPlan() (*listViewPlan, error) {
	o, lv, err := c.listView()
	if err != nil {
		return nil, err
	}
	lq, ok := any(c.org).(listViewQueries)
	if !ok {
		return nil, newAPIError(http.StatusNotFound, "NOT_FOUND", "List view filters are not available in this emulator build.")
	}
	text, ok := lq.ListViewQuery(lv.ID)
	if !ok {
		return nil, errNotFound
	}
	q, err := soql.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("list view %s has invalid SOQL %q: %w", lv.ID, text, err)
	}
	p := &listViewPlan{object: o, view: lv, soql: text, scope: "everything"}
	if strings.EqualFold(q.Scope, "mine") {
		p.scope = "mine"
	}
	sortIdx := map[string]int{}
	for i, ob := range q.OrderBy {
		if f, ok := ob.Expr.(*soql.Field); ok {
			path := strings.Join(f.Path, ".")
			dir, nulls := "ascending", "last"
			if ob.Desc {
				dir = "descending"
			}
			if ob.NullsFirst() {
				nulls = "first"
			}
			sortIdx[strings.ToLower(path)] = i
			p.orderBy = append(p.orderBy, map[string]string{"fieldNameOrPath": path, "nullsPosition": nulls, "sortDirection": dir})
		}
	}
	hasID := false
	for _, it := range q.Select {
		se, ok := it.(*soql.SelectExpr)
		if !ok {
			continue
		}
		f, ok := se.Expr.(*soql.Field)
		if !ok {
			continue
		}
		path := strings.Join(f.Path, ".")
		field := resolvePath(c.org.Registry(), o, f.Path)
		if field == nil {
			continue
		}
		col := listViewColumn{FieldNameOrPath: path, Label: field.Label, Searchable: field.Type.IsText(),
			SelectListItem: path, Sortable: field.Filterable, Type: string(field.Type), field: field}
		col.AscendingLabel, col.DescendingLabel = sortLabels(field.Type)
		if i, ok := sortIdx[strings.ToLower(path)]; ok {
			idx, dir := i, p.orderBy[i]["sortDirection"]
			col.SortIndex, col.SortDirection = &idx, &dir
		}
		hasID = hasID || strings.EqualFold(path, "Id")
		p.columns = append(p.columns, col)
	}
	if !hasID {
		idf := o.Field("Id")
		p.columns = append(p.columns, listViewColumn{FieldNameOrPath: "Id", Hidden: true, Label: idf.Label,
			SelectListItem: "Id", Type: "id", field: idf})
		p.soql = strings.Replace(p.soql, "SELECT ", "SELECT Id, ", 1)
	}
	return p, nil
}

// resolvePath follows a field path (Owner.Alias) to its last field.
func resolvePath(reg *schema.Registry, o *schema.Object, path []string) *schema.Field {
	for i, name := range path {
		if i == len(path)-1 {
			return o.Field(name)
		}
		rel := o.Relationship(name)
		if rel == nil || len(rel.ReferenceTo) == 0 {
			return nil
		}
		if o = reg.Object(rel.ReferenceTo[0]); o == nil {
			return nil
		}
	}
	return nil
}

// listViewDescribe serves GET /sobjects/{object}/listviews/{id}/describe.
func (e *Emulator) listViewDescribe(c *call) error {
	p, err := c.listViewPlan()
	if err != nil {
		return err
	}
	orderBy := p.orderBy
	if orderBy == nil {
		orderBy = []map[string]string{}
	}
	return c.json(http.StatusOK, map[string]any{
		"columns": p.columns, "id": p.view.ID, "orderBy": orderBy, "query": p.soql, "relatedEntityId": nil,
		"scope": p.scope, "scopeEntityId": nil, "sobjectType": p.object.Name,
		"whereCondition": map[string]any{"conditions": []any{}, "conjunction": "and"},
	})
}

// listViewResults serves GET /sobjects/{object}/listviews/{id}/results[?limit=&offset=].
func (e *Emulator) listViewResults(c *call) error {
	p, err := c.listViewPlan()
	if err != nil {
		return err
	}
	limit, offset, err := listViewPaging(c.r)
	if err != nil {
		return err
	}
	res, err := c.runSOQL(p.soql, false)
	if err != nil {
		return err
	}
	var recs []map[string]any
	dec := json.NewDecoder(bytes.NewReader(res.AppendRecords(nil, offset, limit)))
	dec.UseNumber()
	if err := dec.Decode(&recs); err != nil {
		return err
	}
	type cell struct {
		FieldNameOrPath string  `json:"fieldNameOrPath"`
		Value           *string `json:"value"`
	}
	type row struct {
		Columns []cell `json:"columns"`
	}
	rows := make([]row, len(recs))
	for i, rec := range recs {
		cells := make([]cell, len(p.columns))
		for j, col := range p.columns {
			cells[j] = cell{col.FieldNameOrPath, listViewValue(col.field, pathValue(rec, col.FieldNameOrPath))}
		}
		rows[i] = row{cells}
	}
	return c.json(http.StatusOK, map[string]any{
		"columns": p.columns, "developerName": p.view.DeveloperName, "done": offset+len(rows) >= res.Records(),
		"id": p.view.ID, "label": p.view.Label, "records": rows, "size": len(rows),
	})
}

// listViewPaging reads ?limit= (default 25, at most 2000) and ?offset=.
func listViewPaging(r *http.Request) (limit, offset int, err error) {
	limit = 25
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 2000 {
			return 0, 0, newAPIError(http.StatusBadRequest, "INVALID_INPUT", "limit must be a whole number from 1 to 2000, not "+strconv.Quote(s))
		}
	}
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			return 0, 0, newAPIError(http.StatusBadRequest, "INVALID_INPUT", "offset must be a whole number of 0 or more, not "+strconv.Quote(s))
		}
	}
	return limit, offset, nil
}

// pathValue follows "Owner.Alias" through nested relationship objects.
func pathValue(rec map[string]any, path string) any {
	var v any = rec
	for _, name := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = lookupKey(m, name); !ok {
			return nil
		}
	}
	return v
}

// listViewValue renders a value as list view results do: text, with
// datetimes in Java's Date.toString form ("Fri Aug 01 21:15:46 GMT 2014").
func listViewValue(f *schema.Field, v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
		if f.Type == schema.TypeDateTime {
			if t, err := time.Parse("2006-01-02T15:04:05.000-0700", x); err == nil {
				s = t.UTC().Format("Mon Jan 02 15:04:05 GMT 2006")
			}
		}
	case json.Number:
		s = x.String()
	case bool:
		s = strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x) // compound values came from JSON
		s = string(b)
	}
	return &s
}
