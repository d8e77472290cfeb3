package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
)

// auditRoutes registers the audit log page.
func (c *console) auditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /audit", c.guard(access.AuditView, nil, c.audit))
}

// auditRow is one entry of the audit log page.
type auditRow struct {
	api.AuditInfo
	When          string // UTC, to the second
	Before, After string // the states, indented JSON; "" for none
}

// auditData is the audit log page.
type auditData struct {
	Rows   []auditRow
	Actor  string // the filters, shown back in the form
	Action string
	Next   string // the URL of the next (older) page; "" on the last
}

// audit shows a page of the audit log through GET /api/v1/audit, filtered
// by actor and action.
func (c *console) audit(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	d := auditData{Actor: q.Get("actor"), Action: q.Get("action")}
	params := url.Values{}
	for _, k := range []string{"actor", "action", "before"} {
		if q.Get(k) != "" {
			params.Set(k, q.Get(k))
		}
	}
	var page api.AuditPage
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/audit?"+params.Encode(), nil, &page); err != nil {
		status := c.explain(r, v, err)
		if status != http.StatusBadRequest {
			c.render(w, v, status, "error")
			return
		}
		// A bad filter: the form shows what is wrong.
		if _, bad := v.Fields["actor"]; bad {
			v.Fields["actor"] = v.T("audit.field.actor")
		}
		v.Data = d
		c.render(w, v, status, "audit")
		return
	}
	for _, e := range page.Entries {
		d.Rows = append(d.Rows, auditRow{AuditInfo: e, When: e.At.UTC().Format("2006-01-02 15:04:05 UTC"),
			Before: indentJSON(e.Before), After: indentJSON(e.After)})
	}
	if page.Next != 0 {
		params.Set("before", strconv.FormatInt(page.Next, 10))
		d.Next = "/audit?" + params.Encode()
	}
	v.Data = d
	c.render(w, v, http.StatusOK, "audit")
}

// indentJSON returns a JSON document indented for reading, "" for none.
func indentJSON(doc json.RawMessage) string {
	if len(doc) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		return string(doc)
	}
	return buf.String()
}
