package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func groupOf(res *Result, object string) *Group {
	for i := range res.Groups {
		if res.Groups[i].Object == object {
			return &res.Groups[i]
		}
	}
	return nil
}

func TestSearchGroupsByObject(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := newService(t, Config{})
	// A contact's account name finds the account and, through Account.Name
	// (searched in ALL FIELDS only for the account), the account itself.
	contact := first(t, f.admin, "SELECT LastName, Account.Name FROM Contact WHERE AccountId != null ORDER BY Id")
	last, _ := contact.String("LastName")
	before := f.admin.Calls().API()
	res, err := svc.Search(ctx, f.admin, last)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.admin.Calls().API() - before
	if calls < 1 {
		t.Fatalf("search made %d calls", calls)
	}
	if want := []string{"Lead", "Account", "Contact", "Opportunity", "ContentDocument", "Report", "Dashboard", "Case"}; !slices.Equal(res.Searched, want) {
		t.Errorf("searched %v, want %v", res.Searched, want)
	}
	g := groupOf(res, "Contact")
	if g == nil {
		t.Fatalf("no Contact group in %+v", res.Groups)
	}
	hit := g.Hits[slices.IndexFunc(g.Hits, func(h Hit) bool { return h.ID == contact.ID() })]
	accountName, _ := contact.String("Account.Name")
	tok := f.admin.Token()
	if hit.URL != tok.InstanceURL+"/lightning/r/Contact/"+contact.ID()+"/view" || !strings.Contains(hit.Title, last) ||
		len(hit.Fields) != 2 || hit.Fields[1].Field != "Account.Name" || hit.Fields[1].Value != accountName || g.Label != "Contacts" {
		t.Errorf("hit = %+v", hit)
	}
	// Groups follow the configured order.
	var order []string
	for _, g := range res.Groups {
		order = append(order, g.Object)
	}
	if !slices.IsSortedFunc(order, func(a, b string) int { return slices.Index(res.Searched, a) - slices.Index(res.Searched, b) }) {
		t.Errorf("groups in order %v", order)
	}

	// Warm describes: one API call per search.
	before = f.admin.Calls().API()
	if _, err := svc.Search(ctx, f.admin, "Dashboards"); err != nil {
		t.Fatal(err)
	}
	if calls := f.admin.Calls().API() - before; calls != 1 {
		t.Errorf("warm search made %d API calls, want 1", calls)
	}
}

func TestSearchCachesPerUser(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc := newService(t, Config{Now: clk.Now})
	calls := func(fn func()) int64 {
		before := f.admin.Calls().API() + f.user.Calls().API()
		fn()
		return f.admin.Calls().API() + f.user.Calls().API() - before
	}
	search := func(c interface{ Conn }, term string) *Result {
		t.Helper()
		res, err := svc.Search(ctx, c, term)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var first *Result
	if n := calls(func() { first = search(f.admin, "Sales") }); n == 0 {
		t.Fatal("first search made no call")
	}
	tests := []struct {
		name    string
		advance time.Duration
		conn    Conn
		term    string
		calls   int64
	}{
		{"same term", time.Minute, f.admin, "Sales", 0},
		{"other case and spacing", time.Minute, f.admin, "  sales ", 0},
		{"other user", 0, f.user, "Sales", -1}, // describes of a new user too
		{"other term", 0, f.admin, "Service", 1},
		{"after the TTL", DefaultTTL, f.admin, "Sales", 1},
	}
	for _, tt := range tests {
		clk.now = clk.now.Add(tt.advance)
		var res *Result
		n := calls(func() { res = search(tt.conn, tt.term) })
		if (tt.calls < 0 && n == 0) || (tt.calls >= 0 && n != tt.calls) {
			t.Errorf("%s: %d API calls, want %d", tt.name, n, tt.calls)
		}
		if tt.calls == 0 && res != first {
			t.Errorf("%s: not the cached result", tt.name)
		}
	}

	search(f.user, "Service")
	svc.Forget(f.admin)
	if n := calls(func() { search(f.admin, "Sales") }); n != 1 {
		t.Errorf("after Forget: %d API calls, want 1", n)
	}
	if n := calls(func() { search(f.user, "Service") }); n != 0 {
		t.Errorf("Forget dropped another user's results: %d API calls", n)
	}

	nocache := newService(t, Config{TTL: -1})
	search2 := func() { _, _ = nocache.Search(ctx, f.admin, "Sales") }
	search2()
	if n := calls(search2); n != 1 {
		t.Errorf("with the cache off: %d calls, want 1", n)
	}
}

func TestSearchRespectsUserAccess(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	userTok := f.user.Token()
	lead := first(t, f.admin, "SELECT LastName FROM Lead WHERE OwnerId != '"+userTok.UserID()+"' ORDER BY Id")
	last, _ := lead.String("LastName")
	cfg := Config{Objects: []Object{
		{Name: "Lead", Fields: []string{"Name", "Rating"}},
		{Name: "Account", Fields: []string{"Name", "AnnualRevenue"}},
		{Name: "Invoice__c", Fields: []string{"Name"}}, // not in this org
	}}
	svc := newService(t, cfg)
	found := func(res *Result) bool {
		g := groupOf(res, "Lead")
		return g != nil && slices.ContainsFunc(g.Hits, func(h Hit) bool { return h.ID == lead.ID() })
	}
	adminRes, err := svc.Search(ctx, f.admin, last)
	if err != nil || !found(adminRes) {
		t.Fatalf("admin search: %v, %+v", err, adminRes)
	}
	userRes, err := svc.Search(ctx, f.user, last)
	if err != nil {
		t.Fatal(err)
	}
	if found(userRes) {
		t.Errorf("the standard user found the admin's private lead %s", lead.ID())
	}
	if want := []string{"Lead", "Account"}; !slices.Equal(userRes.Searched, want) {
		t.Errorf("searched %v, want %v", userRes.Searched, want)
	}
	// Field-level security: AnnualRevenue is hidden from the standard user.
	account := first(t, f.admin, "SELECT Name FROM Account ORDER BY Id")
	name, _ := account.String("Name")
	for _, tc := range []struct {
		conn   Conn
		fields []string
	}{{f.admin, []string{"Name", "AnnualRevenue"}}, {f.user, []string{"Name"}}} {
		res, err := svc.Search(ctx, tc.conn, name)
		if err != nil {
			t.Fatal(err)
		}
		g := groupOf(res, "Account")
		if g == nil {
			t.Fatalf("no account found for %q", name)
		}
		var got []string
		for _, v := range g.Hits[0].Fields {
			got = append(got, v.Field)
		}
		if !slices.Equal(got, tc.fields) {
			t.Errorf("account fields %v, want %v", got, tc.fields)
		}
	}
}

func TestSearchCustomObject(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	schema := "version: 1\nobjects:\n- name: Project__c\n  fields:\n  - {name: Phase__c, type: picklist, values: [Plan, Build]}\n"
	if err := f.Emu.AddSchema("project.yaml", []byte(schema)); err != nil {
		t.Fatal(err)
	}
	id, err := f.admin.Create(ctx, "Project__c", newRecord("Project__c", "Name", "Zephyr rollout", "Phase__c", "Build"))
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, Config{Objects: append(DefaultObjects(), Object{Name: "Project__c", Fields: []string{"Name", "Phase__c"}})})
	res, err := svc.Search(ctx, f.admin, "zephyr")
	if err != nil {
		t.Fatal(err)
	}
	g := groupOf(res, "Project__c")
	if g == nil || len(g.Hits) != 1 || g.Hits[0].ID != id || g.Hits[0].Title != "Zephyr rollout" || g.Hits[0].Fields[1].Value != "Build" {
		t.Errorf("groups = %+v", res.Groups)
	}
}

func TestSearchTermRules(t *testing.T) {
	t.Parallel()
	svc := newService(t, Config{})
	for _, term := range []string{"", " a ", `x\`, "(*)", strings.Repeat("x", MaxTermLength+1)} {
		if _, err := svc.Search(context.Background(), nil, term); !errors.Is(err, ErrInvalidTerm) {
			t.Errorf("Search(%q) = %v, want ErrInvalidTerm", term, err)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", Config{}, true},
		{"custom", Config{Objects: []Object{{Name: "Project__c", Fields: []string{"Name", "Owner.Name"}}}}, true},
		{"bad object", Config{Objects: []Object{{Name: "Account;", Fields: []string{"Name"}}}}, false},
		{"twice", Config{Objects: []Object{{Name: "Account", Fields: []string{"Name"}}, {Name: "account", Fields: []string{"Name"}}}}, false},
		{"no fields", Config{Objects: []Object{{Name: "Account"}}}, false},
		{"deep path", Config{Objects: []Object{{Name: "Contact", Fields: []string{"Account.Owner.Name"}}}}, false},
		{"per object", Config{PerObject: 201}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidConfig)) {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}
