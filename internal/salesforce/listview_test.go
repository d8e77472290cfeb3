package salesforce_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// views returns every list view of object as c.
func views(t *testing.T, c *salesforce.Client, object string) []salesforce.ListView {
	t.Helper()
	var out []salesforce.ListView
	for v, err := range c.ListViews(context.Background(), object) {
		if err != nil {
			t.Fatalf("list views of %s: %v", object, err)
		}
		out = append(out, v)
	}
	return out
}

func viewNamed(t *testing.T, vs []salesforce.ListView, developerName string) salesforce.ListView {
	t.Helper()
	i := slices.IndexFunc(vs, func(v salesforce.ListView) bool { return v.DeveloperName == developerName })
	if i < 0 {
		t.Fatalf("no list view %s among %+v", developerName, vs)
	}
	return vs[i]
}

func TestListViews(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	before := o.admin.Calls().API()
	contacts := views(t, o.admin, "Contact")
	if n := o.admin.Calls().API() - before; n != 1 {
		t.Errorf("listing made %d API calls, want 1", n)
	}
	var names []string
	for _, v := range contacts {
		names = append(names, v.DeveloperName)
		if !strings.HasPrefix(v.ID, "00B") || v.Label == "" || !strings.HasSuffix(v.ResultsURL, "/listviews/"+v.ID+"/results") ||
			!strings.HasSuffix(v.DescribeURL, "/describe") || !v.SOQLCompatible {
			t.Errorf("list view %+v", v)
		}
	}
	for _, want := range []string{"AllContacts", "MyContacts", "NewThisWeek"} {
		if !slices.Contains(names, want) {
			t.Errorf("Contact list views %v lack %s", names, want)
		}
	}
	// Stopping early sends nothing more; an unknown object is Salesforce's error.
	for range o.admin.ListViews(ctx, "Contact") {
		break
	}
	for _, err := range o.admin.ListViews(ctx, "Nope__c") {
		if ae, ok := errors.AsType[*salesforce.APIError](err); !ok || ae.Code() != "NOT_FOUND" && ae.Code() != "INVALID_TYPE" {
			t.Errorf("list views of an unknown object: %v", err)
		}
	}
	before = o.admin.Calls().API()
	for _, err := range o.admin.ListViews(ctx, "Contact/../query") {
		if err == nil || !strings.Contains(err.Error(), "not a Salesforce API name") {
			t.Errorf("list views of a path: %v", err)
		}
	}
	if n := o.admin.Calls().API() - before; n != 0 {
		t.Errorf("a bad object name sent %d calls", n)
	}
}

func TestListViewDescribe(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	all := viewNamed(t, views(t, o.admin, "Contact"), "AllContacts")
	d, err := o.admin.ListViewDescribe(ctx, "Contact", all.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range d.Columns {
		cols = append(cols, c.FieldNameOrPath)
	}
	if d.ID != all.ID || d.SObjectType != "Contact" || !strings.HasPrefix(d.Query, "SELECT ") || d.Scope != "everything" ||
		!slices.Equal(cols[:3], []string{"Name", "Account.Name", "Title"}) || len(d.OrderBy) == 0 || d.OrderBy[0].FieldNameOrPath != "Name" {
		t.Errorf("describe = %+v (columns %v)", d, cols)
	}
	if name := d.Columns[0]; name.SortIndex == nil || *name.SortIndex != 0 || name.SortDirection == nil || *name.SortDirection != "ascending" {
		t.Errorf("Name column = %+v, want the first sort key", name)
	}
	mine, err := o.admin.ListViewDescribe(ctx, "Contact", viewNamed(t, views(t, o.admin, "Contact"), "MyContacts").ID)
	if err != nil || mine.Scope != "mine" {
		t.Errorf("My Contacts: scope %v, %v", mine, err)
	}

	for _, tc := range []struct {
		name, object, id string
		notFound         bool // Salesforce answers 404; else refused before sending
	}{
		{"unknown view", "Contact", "00B000000000000AAA", true},
		{"view of another object", "Account", all.ID, true},
		{"not an ID", "Contact", "../../query", false},
		{"bad object", "Contact;", all.ID, false},
	} {
		before := o.admin.Calls().API()
		_, err := o.admin.ListViewDescribe(ctx, tc.object, tc.id)
		sent := o.admin.Calls().API() - before
		if tc.notFound && (!errors.Is(err, salesforce.ErrNotFound) || sent != 1) {
			t.Errorf("%s: %v after %d calls, want ErrNotFound", tc.name, err, sent)
		}
		if !tc.notFound && (err == nil || sent != 0) {
			t.Errorf("%s: %v after %d calls, want an error and no call", tc.name, err, sent)
		}
	}
}

func TestListViewResults(t *testing.T) {
	o := startOrg(t)
	ctx := context.Background()
	all := viewNamed(t, views(t, o.admin, "Contact"), "AllContacts")
	total, err := o.admin.Count(ctx, "SELECT COUNT() FROM Contact")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(res *salesforce.ListViewResult) []string {
		var out []string
		for _, r := range res.Records {
			id, ok := r.Value("Id")
			if !ok {
				t.Fatalf("row without Id: %+v", r)
			}
			out = append(out, id)
		}
		return out
	}
	first, err := o.admin.ListViewResults(ctx, "Contact", all.ID, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != all.ID || first.Label != all.Label || first.DeveloperName != "AllContacts" || first.Size != 5 || len(first.Records) != 5 || first.Done {
		t.Fatalf("first page = %+v", first)
	}
	if name, ok := first.Records[0].Value("Name"); !ok || name == "" {
		t.Errorf("first row has no Name: %+v", first.Records[0])
	}
	if _, ok := first.Records[0].Value("NoSuchColumn"); ok {
		t.Error("Value of a missing column is ok")
	}
	second, err := o.admin.ListViewResults(ctx, "Contact", all.ID, 5, 5)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ids(second), func(id string) bool { return slices.Contains(ids(first), id) }) {
		t.Errorf("offset 5 repeats rows of offset 0: %v, %v", ids(first), ids(second))
	}
	def, err := o.admin.ListViewResults(ctx, "Contact", all.ID, 0, 0)
	if err != nil || len(def.Records) != min(25, total) {
		t.Errorf("default limit: %d rows, %v; want %d", len(def.Records), err, min(25, total))
	}
	last, err := o.admin.ListViewResults(ctx, "Contact", all.ID, salesforce.MaxListViewLimit, 0)
	if err != nil || !last.Done || len(last.Records) != total {
		t.Errorf("every row: %d rows done=%t, %v; want %d done", len(last.Records), last.Done, err, total)
	}

	// Salesforce's sharing applies: "My Contacts" of the standard user
	// holds only their own.
	user := o.Connect(t, sfemutest.User)
	mine := viewNamed(t, views(t, user, "Contact"), "MyContacts")
	res, err := user.ListViewResults(ctx, "Contact", mine.ID, salesforce.MaxListViewLimit, 0)
	if err != nil {
		t.Fatal(err)
	}
	tok := user.Token()
	owned, err := o.admin.Count(ctx, "SELECT COUNT() FROM Contact WHERE OwnerId = '"+tok.UserID()+"'")
	if err != nil || len(res.Records) != owned || owned >= total {
		t.Errorf("user's My Contacts: %d rows, want %d of %d (%v)", len(res.Records), owned, total, err)
	}

	for _, tc := range []struct {
		limit, offset int
	}{{-1, 0}, {salesforce.MaxListViewLimit + 1, 0}, {10, -1}} {
		before := o.admin.Calls().API()
		if _, err := o.admin.ListViewResults(ctx, "Contact", all.ID, tc.limit, tc.offset); err == nil {
			t.Errorf("limit %d offset %d: no error", tc.limit, tc.offset)
		}
		if n := o.admin.Calls().API() - before; n != 0 {
			t.Errorf("limit %d offset %d: sent %d calls", tc.limit, tc.offset, n)
		}
	}
}
