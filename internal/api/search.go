package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/search"
)

// SearchResult is what a search found, grouped by object.
type SearchResult struct {
	Term   string        `json:"term"`
	Groups []SearchGroup `json:"groups"`
	// Searched are the objects searched: those you may search, of the
	// configured ones.
	Searched []string  `json:"searched"`
	At       time.Time `json:"at"` // when Salesforce answered (results are kept a few minutes)
}

// SearchGroup is the hits of one object.
type SearchGroup struct {
	Object string      `json:"object"`
	Label  string      `json:"label"` // plural label: "Accounts"
	Hits   []SearchHit `json:"hits"`
}

// SearchHit is one record found.
type SearchHit struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	URL    string        `json:"url"` // opens the record in Salesforce
	Fields []SearchField `json:"fields"`
}

// SearchField is one field of a hit that you may read.
type SearchField struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ListViewList is an object's list views, each saying whether you enabled
// it.
type ListViewList struct {
	Object string         `json:"object"`
	Views  []ListViewInfo `json:"views"`
}

// ListViewInfo is one list view.
type ListViewInfo struct {
	ID            string `json:"id"`
	Label         string `json:"label"`
	DeveloperName string `json:"developerName"`
	Enabled       bool   `json:"enabled"`
}

// ListViewChoice enables one or two list views of an object.
type ListViewChoice struct {
	Object string   `json:"object"`
	IDs    []string `json:"ids"`
}

// ListViewRows is the records of an enabled list view.
type ListViewRows struct {
	ID      string           `json:"id"`
	Label   string           `json:"label"`
	Columns []ListViewColumn `json:"columns"`
	Rows    []ListViewRow    `json:"rows"`
	Done    bool             `json:"done"` // false when more records exist
	At      time.Time        `json:"at"`
}

// ListViewColumn is a visible column of a list view.
type ListViewColumn struct {
	Field string `json:"field"`
	Label string `json:"label"`
}

// ListViewRow is one record of a list view, its values in column order.
type ListViewRow struct {
	ID     string   `json:"id,omitempty"`
	URL    string   `json:"url,omitempty"`
	Values []string `json:"values"`
}

// defaultListViewRows is how many records a list view answers unless
// ?limit= says otherwise (1 to 2000).
const defaultListViewRows = 50

func (s *Server) search(c *call) (any, error) {
	svc, conn, err := s.searchConn(c)
	if err != nil {
		return nil, err
	}
	res, err := svc.Search(c.r.Context(), conn, c.r.URL.Query().Get("q"))
	if err != nil {
		return nil, searchError(err)
	}
	out := SearchResult{Term: res.Term, Groups: []SearchGroup{}, Searched: append([]string{}, res.Searched...), At: res.At.UTC()}
	for _, g := range res.Groups {
		sg := SearchGroup{Object: g.Object, Label: g.Label, Hits: []SearchHit{}}
		for _, h := range g.Hits {
			hit := SearchHit{ID: h.ID, Title: h.Title, URL: h.URL, Fields: []SearchField{}}
			for _, v := range h.Fields {
				hit.Fields = append(hit.Fields, SearchField(v))
			}
			sg.Hits = append(sg.Hits, hit)
		}
		out.Groups = append(out.Groups, sg)
	}
	return out, nil
}

func (s *Server) listViews(c *call) (any, error) {
	svc, conn, err := s.searchConn(c)
	if err != nil {
		return nil, err
	}
	return s.viewList(c, svc, conn, c.r.URL.Query().Get("object"))
}

func (s *Server) chooseListViews(c *call) (any, error) {
	var in ListViewChoice
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	svc, conn, err := s.searchConn(c)
	if err != nil {
		return nil, err
	}
	if err := svc.Choose(c.r.Context(), conn, in.Object, in.IDs); err != nil {
		return nil, searchError(err)
	}
	return s.viewList(c, svc, conn, in.Object)
}

// viewList lists object's list views, marking the enabled ones.
func (s *Server) viewList(c *call, svc *search.Service, conn *salesforce.Client, object string) (ListViewList, error) {
	ctx := c.r.Context()
	views, err := svc.ListViews(ctx, conn, object)
	if err != nil {
		return ListViewList{}, searchError(err)
	}
	chosen, err := svc.Chosen(ctx, conn, object)
	if err != nil {
		return ListViewList{}, searchError(err)
	}
	out := ListViewList{Object: object, Views: []ListViewInfo{}}
	for _, v := range views {
		enabled := false
		for _, ch := range chosen {
			enabled = enabled || ch.ID == v.ID
		}
		out.Views = append(out.Views, ListViewInfo{ID: v.ID, Label: v.Label, DeveloperName: v.DeveloperName, Enabled: enabled})
	}
	return out, nil
}

func (s *Server) listViewResults(c *call) (any, error) {
	q := c.r.URL.Query()
	object, id := q.Get("object"), q.Get("id")
	limit := defaultListViewRows
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 2000 {
			return nil, invalid(FieldError{Field: "limit", Message: fmt.Sprintf("is %q; send a number from 1 to 2000", v)})
		}
		limit = n
	}
	svc, conn, err := s.searchConn(c)
	if err != nil {
		return nil, err
	}
	if id == "" {
		chosen, err := svc.Chosen(c.r.Context(), conn, object)
		if err != nil {
			return nil, searchError(err)
		}
		if len(chosen) == 0 {
			return nil, errorf(CodeListViewNotEnabled, object+" has no list view you can use.")
		}
		id = chosen[0].ID
	}
	res, err := svc.Results(c.r.Context(), conn, object, id, limit)
	if err != nil {
		return nil, searchError(err)
	}
	out := ListViewRows{ID: res.ID, Label: res.Label, Columns: []ListViewColumn{}, Rows: []ListViewRow{}, Done: res.Done, At: res.At.UTC()}
	for _, col := range res.Columns {
		out.Columns = append(out.Columns, ListViewColumn(col))
	}
	for _, r := range res.Rows {
		out.Rows = append(out.Rows, ListViewRow{ID: r.ID, URL: r.URL, Values: append([]string{}, r.Values...)})
	}
	return out, nil
}

// searchConn returns the search service and the caller's connection.
func (s *Server) searchConn(c *call) (*search.Service, *salesforce.Client, error) {
	if s.searcher == nil {
		return nil, nil, errorf(CodeUnavailable, "Search is not set up on this server.")
	}
	conn, err := s.clientFor(c)
	return s.searcher, conn, err
}

// searchError maps the search service's errors onto API errors.
func searchError(err error) error {
	var (
		term   *search.TermError
		choice *search.ChoiceError
	)
	switch {
	case errors.As(err, &term):
		return invalid(FieldError{Field: "q", Message: term.Reason})
	case errors.As(err, &choice):
		return invalid(FieldError{Field: "ids", Message: choice.Error()})
	case errors.Is(err, search.ErrNotChosen):
		return errorf(CodeListViewNotEnabled, "That list view is not one you enabled ("+err.Error()+"); enable it with PUT /api/v1/listviews/choices.")
	case errors.Is(err, search.ErrInvalidConfig):
		return invalid(FieldError{Field: "object", Message: strings.TrimPrefix(err.Error(), search.ErrInvalidConfig.Error()+": ")})
	}
	return salesforceError(err)
}

// routes of search and list views, for the route table.
func (s *Server) searchRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/search", access.SearchUse, "Search Salesforce for ?q= across the configured objects, with your own access; results grouped by object, with links", s.search).
			body(nil, SearchResult{}).params("q!", "the words to find (2 to 100 characters; searched as plain words)"),
		guarded(http.MethodGet, v1+"/listviews", access.SearchUse, "The list views of ?object= you can use, and which you enabled", s.listViews).
			body(nil, ListViewList{}).params("object!", "an object API name: Account, Project__c"),
		guarded(http.MethodPut, v1+"/listviews/choices", access.SearchUse, "Enable one or two list views of an object", s.chooseListViews).
			body(ListViewChoice{}, ListViewList{}),
		guarded(http.MethodGet, v1+"/listviews/results", access.SearchUse, "The records of an enabled list view of ?object= (?id=, default the first enabled; ?limit=, default 50), fresh from Salesforce", s.listViewResults).
			body(nil, ListViewRows{}).params("object!", "an object API name: Account, Project__c",
			"id", "an enabled list view's id; default the first enabled", "limit", "records to answer, 1 to 2000; default 50"),
	}
}
