package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"regexp"
	"strconv"
)

// MaxListViewLimit is the most records one list view results call returns.
const MaxListViewLimit = 2000

// ListView is one list view of an object, as the user may see it.
type ListView struct {
	ID            string `json:"id"`
	Label         string `json:"label"`
	DeveloperName string `json:"developerName"`
	// SOQLCompatible is false for views Salesforce cannot express as SOQL;
	// their describe has no query.
	SOQLCompatible bool   `json:"soqlCompatible"`
	URL            string `json:"url"`
	DescribeURL    string `json:"describeUrl"`
	ResultsURL     string `json:"resultsUrl"`
}

// ListViewColumn is one column of a list view, visible or not.
type ListViewColumn struct {
	FieldNameOrPath string `json:"fieldNameOrPath"` // "Name", "Owner.Alias"
	Label           string `json:"label"`
	// Hidden columns (often Id) are returned in results but not shown.
	Hidden         bool   `json:"hidden"`
	Type           string `json:"type"` // the field's type: string, reference, datetime ...
	SelectListItem string `json:"selectListItem"`
	Searchable     bool   `json:"searchable"`
	Sortable       bool   `json:"sortable"`
	// SortIndex and SortDirection ("ascending", "descending") are set when
	// the view sorts by this column.
	SortIndex     *int    `json:"sortIndex"`
	SortDirection *string `json:"sortDirection"`
}

// ListViewOrder is one sort key of a list view.
type ListViewOrder struct {
	FieldNameOrPath string `json:"fieldNameOrPath"`
	SortDirection   string `json:"sortDirection"` // ascending or descending
	NullsPosition   string `json:"nullsPosition"` // first or last
}

// ListViewDescribe is a list view's definition: its columns, order and
// the SOQL that computes it.
type ListViewDescribe struct {
	ID          string           `json:"id"`
	SObjectType string           `json:"sobjectType"`
	Query       string           `json:"query"`
	Scope       string           `json:"scope"` // everything, mine, team ...
	Columns     []ListViewColumn `json:"columns"`
	OrderBy     []ListViewOrder  `json:"orderBy"`
	// WhereCondition is the view's filter tree, as Salesforce sends it.
	WhereCondition json.RawMessage `json:"whereCondition"`
}

// ListViewResult is a page of a list view's records, as Salesforce
// computes the view for the user.
type ListViewResult struct {
	ID            string           `json:"id"`
	Label         string           `json:"label"`
	DeveloperName string           `json:"developerName"`
	Columns       []ListViewColumn `json:"columns"`
	Records       []ListViewRow    `json:"records"`
	// Size is the number of records in this page.
	Size int `json:"size"`
	// Done is false when more records follow: ask again with a larger
	// offset.
	Done bool `json:"done"`
}

// ListViewRow is one record of list view results: one cell per column.
type ListViewRow struct {
	Cells []ListViewCell `json:"columns"`
}

// ListViewCell is one value of a row. Salesforce sends every value as
// text, datetimes in its list view form ("Fri Aug 01 21:15:46 GMT 2014").
type ListViewCell struct {
	FieldNameOrPath string  `json:"fieldNameOrPath"`
	Value           *string `json:"value"` // nil for null
}

// Value returns the row's value of a column; ok is false when the row has
// no such column or the value is null.
func (r ListViewRow) Value(fieldNameOrPath string) (value string, ok bool) {
	for _, c := range r.Cells {
		if c.FieldNameOrPath == fieldNameOrPath && c.Value != nil {
			return *c.Value, true
		}
	}
	return "", false
}

// listViewIDRE matches a 15- or 18-character record ID.
var listViewIDRE = regexp.MustCompile(`^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$`)

// listViewPath returns the data path of one of object's list views, or
// of the object's list of views when id is "".
func (c *Client) listViewPath(object, id string) (string, error) {
	if err := checkName("object", object); err != nil {
		return "", err
	}
	p := "/sobjects/" + object + "/listviews"
	if id == "" {
		return c.dataPath(p), nil
	}
	if !listViewIDRE.MatchString(id) {
		return "", fmt.Errorf("list view ID %q is not a 15- or 18-character Salesforce ID (00B...)", id)
	}
	return c.dataPath(p + "/" + id), nil
}

// ListViews yields the list views of object the user can see, in
// Salesforce's order, following nextRecordsUrl page by page: one API call
// per page, and stopping the loop early sends no further request. An
// error is yielded once, as the last element.
func (c *Client) ListViews(ctx context.Context, object string) iter.Seq2[ListView, error] {
	return func(yield func(ListView, error) bool) {
		path, err := c.listViewPath(object, "")
		if err != nil {
			yield(ListView{}, fmt.Errorf("listing list views: %w", err))
			return
		}
		var query url.Values
		for {
			var page struct {
				ListViews      []ListView `json:"listviews"`
				Done           bool       `json:"done"`
				NextRecordsURL *string    `json:"nextRecordsUrl"`
			}
			if err := c.getJSON(ctx, path, query, &page); err != nil {
				yield(ListView{}, fmt.Errorf("listing %s list views: %w", object, err))
				return
			}
			for _, v := range page.ListViews {
				if !yield(v, nil) {
					return
				}
			}
			if page.Done || page.NextRecordsURL == nil || *page.NextRecordsURL == "" {
				return
			}
			if path, query, err = resolveDataPath(*page.NextRecordsURL); err != nil {
				yield(ListView{}, fmt.Errorf("listing %s list views: %w", object, err))
				return
			}
		}
	}
}

// ListViewDescribe returns the definition of object's list view id. One
// API call; an unknown view matches ErrNotFound.
func (c *Client) ListViewDescribe(ctx context.Context, object, id string) (*ListViewDescribe, error) {
	path, err := c.listViewPath(object, id)
	if err != nil {
		return nil, fmt.Errorf("describing list view: %w", err)
	}
	d := new(ListViewDescribe)
	if err := c.getJSON(ctx, path+"/describe", nil, d); err != nil {
		return nil, fmt.Errorf("describing %s list view %s: %w", object, id, err)
	}
	return d, nil
}

// ListViewResults returns up to limit records of object's list view id,
// skipping the first offset, with the view's columns. limit is 1 to
// MaxListViewLimit, or 0 for Salesforce's default (25); offset is 0 or
// more. One API call; nothing is cached.
func (c *Client) ListViewResults(ctx context.Context, object, id string, limit, offset int) (*ListViewResult, error) {
	path, err := c.listViewPath(object, id)
	if err != nil {
		return nil, fmt.Errorf("reading list view results: %w", err)
	}
	query := url.Values{}
	switch {
	case limit < 0 || limit > MaxListViewLimit:
		return nil, fmt.Errorf("reading %s list view %s: limit %d is not between 1 and %d (0 for Salesforce's default)", object, id, limit, MaxListViewLimit)
	case limit > 0:
		query.Set("limit", strconv.Itoa(limit))
	}
	switch {
	case offset < 0:
		return nil, fmt.Errorf("reading %s list view %s: offset %d is negative", object, id, offset)
	case offset > 0:
		query.Set("offset", strconv.Itoa(offset))
	}
	res := new(ListViewResult)
	if err := c.getJSON(ctx, path+"/results", query, res); err != nil {
		return nil, fmt.Errorf("reading %s list view %s: %w", object, id, err)
	}
	return res, nil
}
