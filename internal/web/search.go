package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sfbridge/sfbridge/internal/api"
)

// listViewObjects are the objects the list views page offers first; any
// other object's API name may be typed.
var listViewObjects = []string{"Account", "Contact", "Lead", "Opportunity", "Case"}

// searchData is the Search page.
type searchData struct {
	Q      string
	Result *api.SearchResult // nil before a search
}

// searchPage searches Salesforce for ?q= (GET /api/v1/search).
func (c *console) searchPage(w http.ResponseWriter, r *http.Request, v *view) {
	d := searchData{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	status := http.StatusOK
	if d.Q != "" {
		var res api.SearchResult
		if err := c.api.do(nil, r, http.MethodGet, "/api/v1/search?"+url.Values{"q": {d.Q}}.Encode(), nil, &res); err != nil {
			status = c.explain(r, v, err)
		} else {
			d.Result = &res
		}
	}
	v.Data = d
	c.render(w, v, status, "search")
}

// listViewsData is the list views page of one object.
type listViewsData struct {
	Object  string
	Objects []string
	Views   []api.ListViewInfo
	// Results are the enabled views' records, in the order of Views.
	Results []api.ListViewRows
}

// listViews shows an object's list views, the one or two enabled, and
// their records fresh from Salesforce (GET /api/v1/listviews and
// /api/v1/listviews/results).
func (c *console) listViews(w http.ResponseWriter, r *http.Request, v *view) {
	object := strings.TrimSpace(r.URL.Query().Get("object"))
	if object == "" {
		object = listViewObjects[0]
	}
	c.renderListViews(w, r, v, http.StatusOK, object)
}

func (c *console) renderListViews(w http.ResponseWriter, r *http.Request, v *view, status int, object string) {
	d := listViewsData{Object: object, Objects: listViewObjects}
	var list api.ListViewList
	if err := c.api.do(nil, r, http.MethodGet, "/api/v1/listviews?"+url.Values{"object": {object}}.Encode(), nil, &list); err != nil {
		status = c.explain(r, v, err)
	}
	d.Views = list.Views
	for _, lv := range list.Views {
		if !lv.Enabled {
			continue
		}
		var rows api.ListViewRows
		q := url.Values{"object": {object}, "id": {lv.ID}}
		if err := c.api.do(nil, r, http.MethodGet, "/api/v1/listviews/results?"+q.Encode(), nil, &rows); err != nil {
			status = c.explain(r, v, err)
			continue
		}
		d.Results = append(d.Results, rows)
	}
	v.Data = d
	c.render(w, v, status, "listviews")
}

// chooseListViews enables the checked list views (PUT
// /api/v1/listviews/choices), which allows one or two.
func (c *console) chooseListViews(w http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, v, &api.Error{Code: api.CodeInvalidInput})
		return
	}
	object := strings.TrimSpace(r.PostForm.Get("object"))
	in := api.ListViewChoice{Object: object, IDs: r.PostForm["ids"]}
	if in.IDs == nil {
		in.IDs = []string{}
	}
	if err := c.api.do(w, r, http.MethodPut, "/api/v1/listviews/choices", in, nil); err != nil {
		c.renderListViews(w, r, v, c.explain(r, v, err), object)
		return
	}
	http.Redirect(w, r, "/search/listviews?"+url.Values{"object": {object}, "done": {"listviews_saved"}}.Encode(), http.StatusSeeOther)
}
