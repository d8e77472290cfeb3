package sfemu

import (
	"net/http"
	"strings"
	"testing"
)

func TestListViews(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.Seed = "demo" }))
	r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Account/listviews", nil)
	var list struct {
		Done        bool           `json:"done"`
		ListViews   []listViewInfo `json:"listviews"`
		Size        int            `json:"size"`
		SObjectType string         `json:"sobjectType"`
	}
	r.decode(t, &list)
	if r.status != http.StatusOK || !list.Done || list.Size == 0 || list.Size != len(list.ListViews) || list.SObjectType != "Account" {
		t.Fatalf("listviews: %d %s", r.status, r.body)
	}
	lv := list.ListViews[0]
	if !strings.HasPrefix(lv.ID, "00B") || lv.ResultsURL != "/services/data/v60.0/sobjects/Account/listviews/"+lv.ID+"/results" {
		t.Errorf("entry: %+v", lv)
	}
	r = f.do(t, http.MethodGet, lv.URL, nil)
	var one listViewInfo
	r.decode(t, &one)
	if one != lv {
		t.Errorf("single list view %+v, want %+v", one, lv)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Contact/listviews/"+lv.ID, nil); r.status != http.StatusNotFound {
		t.Errorf("an Account view under Contact: %d", r.status)
	}

	_, capable := any(f.e.world().org).(listViewQueries)
	r = f.do(t, http.MethodGet, lv.ResultsURL+"?limit=3", nil)
	if !capable {
		// The org does not expose list view filters yet: describe and
		// results are 404 rather than made up.
		if r.status != http.StatusNotFound {
			t.Errorf("results without list view filters: %d %s", r.status, r.body)
		}
		return
	}
	var res struct {
		Columns []listViewColumn `json:"columns"`
		Records []struct {
			Columns []struct {
				FieldNameOrPath string  `json:"fieldNameOrPath"`
				Value           *string `json:"value"`
			} `json:"columns"`
		} `json:"records"`
		Size int `json:"size"`
	}
	r.decode(t, &res)
	if r.status != http.StatusOK || res.Size == 0 || res.Size > 3 || len(res.Records[0].Columns) != len(res.Columns) {
		t.Errorf("results: %d %s", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, lv.DescribeURL, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `"query":"SELECT`) {
		t.Errorf("describe: %d %s", r.status, r.body)
	}
}
