package sfemu

import (
	"net/http"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

// handlers maps methods to handlers, for route tables.
type handlers = map[string]func(*call) error

// buildRoutes is the REST resource table. Literal segments come before
// captures so "sobjects/Account/describe" is not read as a record ID.
func (e *Emulator) buildRoutes() []route {
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	return []route{
		{pattern: []string{}, methods: handlers{get: e.resources}},
		{pattern: []string{"limits"}, methods: handlers{get: e.limits}},
		{pattern: []string{"recent"}, methods: handlers{get: e.recentHandler}},
		{pattern: []string{"sobjects"}, methods: handlers{get: e.describeGlobal}},
		{pattern: []string{"sobjects", "{object}"}, methods: handlers{get: e.basicInfo, post: e.create}},
		{pattern: []string{"sobjects", "{object}", "describe"}, methods: handlers{get: e.describe}},
		{pattern: []string{"sobjects", "{object}", "updated"}, methods: handlers{get: e.getUpdated}},
		{pattern: []string{"sobjects", "{object}", "deleted"}, methods: handlers{get: e.getDeleted}},
		{pattern: []string{"sobjects", "{object}", "listviews"}, methods: handlers{get: e.listViews}},
		{pattern: []string{"sobjects", "{object}", "listviews", "{id}"}, methods: handlers{get: e.listView}},
		{pattern: []string{"sobjects", "{object}", "listviews", "{id}", "describe"}, methods: handlers{get: e.listViewDescribe}},
		{pattern: []string{"sobjects", "{object}", "listviews", "{id}", "results"}, methods: handlers{get: e.listViewResults}},
		{pattern: []string{"sobjects", "{object}", "{id}"}, methods: handlers{get: e.retrieve, patch: e.update, del: e.deleteRecord, post: e.createByID}},
		{pattern: []string{"sobjects", "{object}", "{field}", "{value}"}, methods: handlers{get: e.retrieve, patch: e.upsert, del: e.deleteRecord}},
		{pattern: []string{"query"}, methods: handlers{get: e.query}},
		{pattern: []string{"query", "{locator}"}, methods: handlers{get: e.queryMore}},
		{pattern: []string{"queryAll"}, methods: handlers{get: e.queryAll}},
		{pattern: []string{"queryAll", "{locator}"}, methods: handlers{get: e.queryMore}},
		{pattern: []string{"search"}, methods: handlers{get: e.search}},
		{pattern: []string{"parameterizedSearch"}, methods: handlers{get: e.parameterizedSearch, post: e.parameterizedSearch}, since: 36},
		{pattern: []string{"composite"}, methods: handlers{post: e.composite}, since: 34},
		{pattern: []string{"composite", "batch"}, methods: handlers{post: e.compositeBatch}, since: 34, cost: batchCost},
		{pattern: []string{"composite", "sobjects"}, methods: handlers{post: e.collectionCreate, patch: e.collectionUpdate, del: e.collectionDelete}, since: 42},
		{pattern: []string{"composite", "sobjects", "{object}"}, methods: handlers{get: e.collectionRetrieve, post: e.collectionRetrieve}, since: 42},
		{pattern: []string{"composite", "sobjects", "{object}", "{field}"}, methods: handlers{patch: e.collectionUpsert}, since: 46},
	}
}

// resources serves GET /services/data/vXX.X/: the resources of the version.
func (e *Emulator) resources(c *call) error {
	out := map[string]string{
		"sobjects": c.url("sobjects"),
		"query":    c.url("query"),
		"queryAll": c.url("queryAll"),
		"search":   c.url("search"),
		"limits":   c.url("limits"),
		"recent":   c.url("recent"),
		"identity": auth.RequestBaseURL(c.r, e.opts.BaseURL) + "/id/" + e.OrgID() + "/" + c.sess.UserID,
	}
	if c.v >= 34 {
		out["composite"] = c.url("composite")
	}
	if c.v >= 36 {
		out["parameterizedSearch"] = c.url("parameterizedSearch")
	}
	return c.json(http.StatusOK, out)
}

// limits serves GET /limits.
func (e *Emulator) limits(c *call) error {
	return c.json(http.StatusOK, e.usage.limitsBody(e.recordCount()))
}
