package search

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

func TestListViewChoiceRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, Config{})
	views, err := svc.ListViews(ctx, f.user, "Contact")
	if err != nil {
		t.Fatal(err)
	}
	if len(views) < 3 {
		t.Fatalf("Contact list views = %+v, want at least 3", views)
	}
	ids := func(vs []ListView) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	chosen, err := svc.Chosen(ctx, f.user, "Contact")
	if err != nil || !slices.Equal(ids(chosen), []string{views[0].ID}) {
		t.Fatalf("default choice = %v, %v; want the first view", ids(chosen), err)
	}
	tests := []struct {
		name string
		ids  []string
		ok   bool
	}{
		{"none", nil, false},
		{"three", []string{views[0].ID, views[1].ID, views[2].ID}, false},
		{"twice", []string{views[1].ID, views[1].ID}, false},
		{"not a view of the object", []string{"00B000000000000AAA"}, false},
		{"one", []string{views[2].ID}, true},
		{"two", []string{views[2].ID, views[1].ID}, true},
	}
	for _, tt := range tests {
		err := svc.Choose(ctx, f.user, "Contact", tt.ids)
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrChoice)) {
			t.Errorf("%s: Choose = %v", tt.name, err)
		}
	}
	chosen, err = svc.Chosen(ctx, f.user, "Contact")
	if err != nil || !slices.Equal(ids(chosen), []string{views[2].ID, views[1].ID}) {
		t.Fatalf("chosen = %v, %v", ids(chosen), err)
	}
	// The choice is the user's own.
	if other, _ := svc.Chosen(ctx, f.admin, "Contact"); !slices.Equal(ids(other), []string{views[0].ID}) {
		t.Errorf("admin's choice = %v, want the default", ids(other))
	}

	if _, err := svc.Results(ctx, f.user, "Contact", views[0].ID, 10); !errors.Is(err, ErrNotChosen) {
		t.Errorf("results of a view not enabled: %v", err)
	}
	all := views[slices.IndexFunc(views, func(v ListView) bool { return v.DeveloperName == "AllContacts" })]
	if err := svc.Choose(ctx, f.user, "Contact", []string{all.ID}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Results(ctx, f.user, "Contact", all.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 5 || res.Done || res.Label != all.Label || len(res.Columns) == 0 || res.Columns[0].Field != "Name" {
		t.Fatalf("results = %+v", res)
	}
	for _, r := range res.Rows {
		if len(r.Values) != len(res.Columns) || r.Values[0] == "" || r.ID == "" || r.URL == "" {
			t.Errorf("row = %+v", r)
		}
	}
	// Refreshing reads Salesforce again.
	before := f.user.Calls().API()
	if _, err := svc.Results(ctx, f.user, "Contact", all.ID, 5); err != nil {
		t.Fatal(err)
	}
	if n := f.user.Calls().API() - before; n != 2 {
		t.Errorf("refresh made %d API calls, want 2 (list views, results)", n)
	}
}

func TestListViewsOfUnknownObject(t *testing.T) {
	f := setup(t)
	svc := newService(t, Config{})
	if _, err := svc.ListViews(context.Background(), f.user, "Nope__c"); err == nil {
		t.Error("list views of an unknown object: no error")
	}
	if _, err := svc.ListViews(context.Background(), f.user, "../query"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("list views of a path: %v", err)
	}
}

// manyViews is a connection whose object has n list views; it counts the
// views the service pulled.
type manyViews struct {
	Conn      // only ListViews is called
	n, pulled int
}

func (m *manyViews) ListViews(context.Context, string) iter.Seq2[salesforce.ListView, error] {
	return func(yield func(salesforce.ListView, error) bool) {
		for i := range m.n {
			m.pulled++
			if !yield(salesforce.ListView{ID: fmt.Sprintf("00B%012d", i), Label: fmt.Sprint("View ", i)}, nil) {
				return
			}
		}
	}
}

func TestListViewsOffersTheFirst80(t *testing.T) {
	t.Parallel()
	svc := newService(t, Config{})
	for _, n := range []int{0, 3, MaxListViews, MaxListViews + 50} {
		conn := &manyViews{n: n}
		views, err := svc.ListViews(context.Background(), conn, "Account")
		if err != nil {
			t.Fatal(err)
		}
		if want := min(n, MaxListViews); len(views) != want || conn.pulled != want {
			t.Errorf("%d views: offered %d and pulled %d, want %d", n, len(views), conn.pulled, want)
		}
		if len(views) > 0 && (views[0].ID != "00B000000000000" || views[0].Label != "View 0") {
			t.Errorf("first view %+v", views[0])
		}
	}
}
