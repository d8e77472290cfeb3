package search

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxListViews is how many of an object's list views are offered: the
// first ones the org lists.
const MaxListViews = 80

// MaxChosen is how many list views a user may enable per object.
const MaxChosen = 2

// ListView is one list view of an object.
type ListView struct {
	ID            string `json:"id"`
	Label         string `json:"label"`
	DeveloperName string `json:"developerName"`
}

// ListViewResult is a page of a list view's records, as Salesforce
// computed it for the user.
type ListViewResult struct {
	ID      string
	Label   string
	Columns []Column // visible columns only
	Rows    []Row
	Done    bool // false when more records exist beyond the limit
	At      time.Time
}

// Column is one visible column of a list view.
type Column struct {
	Field string // fieldNameOrPath, e.g. "Account.Name"
	Label string
}

// Row is one record of a list view: values aligned with Columns.
type Row struct {
	ID     string // "" when the view has no Id column
	URL    string // opens the record in Salesforce, when ID is known
	Values []string
}

// checkObject refuses a name that cannot be an object API name.
func checkObject(object string) error {
	if !apiNameRE.MatchString(object) {
		return fmt.Errorf("%w: %q is not an object API name such as Account or Project__c", ErrInvalidConfig, object)
	}
	return nil
}

// ListViews returns the first MaxListViews list views object offers the
// user. One API call.
func (s *Service) ListViews(ctx context.Context, conn Conn, object string) ([]ListView, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	var out []ListView
	for v, err := range conn.ListViews(ctx, object) {
		if err != nil {
			return nil, err
		}
		out = append(out, ListView{ID: v.ID, Label: v.Label, DeveloperName: v.DeveloperName})
		if len(out) == MaxListViews {
			break
		}
	}
	return out, nil
}

// Choose enables ids (one or two of object's list views, no repeats) for
// the connection's user, replacing their earlier choice.
func (s *Service) Choose(ctx context.Context, conn Conn, object string, ids []string) error {
	switch {
	case len(ids) == 0:
		return &ChoiceError{Object: object, Reason: "at least one list view must stay enabled"}
	case len(ids) > MaxChosen:
		return &ChoiceError{Object: object, Reason: fmt.Sprintf("%d chosen; enable at most %d", len(ids), MaxChosen)}
	}
	views, err := s.ListViews(ctx, conn, object)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return &ChoiceError{Object: object, Reason: fmt.Sprintf("list view %s is chosen twice", id)}
		}
		if !slices.ContainsFunc(views, func(v ListView) bool { return v.ID == id }) {
			return &ChoiceError{Object: object, Reason: fmt.Sprintf("%s is not one of the %d list views you can use (%s)", id, len(views), labels(views))}
		}
	}
	if err := s.choices.SetChoice(ctx, userKey(conn), object, ids); err != nil {
		return fmt.Errorf("storing list view choice of %s: %w", object, err)
	}
	return nil
}

// Chosen returns the user's enabled list views of object: their choice,
// less views that no longer exist, or else the first view the org offers,
// so that one is always enabled (none when the object has no list view).
func (s *Service) Chosen(ctx context.Context, conn Conn, object string) ([]ListView, error) {
	views, err := s.ListViews(ctx, conn, object)
	if err != nil {
		return nil, err
	}
	ids, err := s.choices.Choice(ctx, userKey(conn), object)
	if err != nil {
		return nil, fmt.Errorf("loading list view choice of %s: %w", object, err)
	}
	var out []ListView
	for _, id := range ids {
		if i := slices.IndexFunc(views, func(v ListView) bool { return v.ID == id }); i >= 0 {
			out = append(out, views[i])
		}
	}
	if len(out) == 0 && len(views) > 0 {
		out = views[:1]
	}
	return out, nil
}

// Results fetches up to limit (1 to 2,000) records of one of the user's
// enabled list views, fresh from Salesforce: nothing is cached, so each
// call is a refresh. One API call, plus the one of Chosen.
func (s *Service) Results(ctx context.Context, conn Conn, object, id string, limit int) (*ListViewResult, error) {
	if limit < 1 || limit > 2000 {
		return nil, fmt.Errorf("%w: limit %d is not between 1 and 2000", ErrInvalidConfig, limit)
	}
	chosen, err := s.Chosen(ctx, conn, object)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(chosen, func(v ListView) bool { return v.ID == id }) {
		return nil, fmt.Errorf("%w: %s of %s; enabled: %s", ErrNotChosen, id, object, labels(chosen))
	}
	page, err := conn.ListViewResults(ctx, object, id, limit, 0)
	if err != nil {
		return nil, err
	}
	res := &ListViewResult{ID: page.ID, Label: page.Label, Done: page.Done, At: s.cfg.Now()}
	for _, c := range page.Columns {
		if !c.Hidden {
			res.Columns = append(res.Columns, Column{Field: c.FieldNameOrPath, Label: c.Label})
		}
	}
	tok := conn.Token()
	for _, rec := range page.Records {
		row := Row{}
		row.ID, _ = rec.Value("Id")
		if row.ID != "" {
			row.URL = RecordURL(tok.InstanceURL, object, row.ID)
		}
		for _, c := range res.Columns {
			v, _ := rec.Value(c.Field)
			row.Values = append(row.Values, v)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

func labels(views []ListView) string {
	var out []string
	for _, v := range views {
		out = append(out, v.ID+" "+strconv.Quote(v.Label))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
