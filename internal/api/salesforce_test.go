package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
	"github.com/sfbridge/sfbridge/internal/store"
)

// linked is a Connections over clients linked in the test.
type linked struct {
	mu      sync.Mutex
	clients map[int64]*salesforce.Client
}

func (l *linked) ClientFor(_ context.Context, userID int64) (*salesforce.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.clients[userID]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("user %d: %w", userID, ErrNotConnected)
}

// sfFixture is a server whose people act in an emulated org: activities
// and list view choices in the server's SQLite database.
type sfFixture struct {
	*fixture
	org   *sfemutest.Org
	admin *salesforce.Client // the org's admin, to check what happened
	conns *linked
}

func setupSF(t *testing.T) *sfFixture {
	t.Helper()
	org := sfemutest.Start(t, sfemu.Options{Seed: "demo"})
	conns := &linked{clients: map[int64]*salesforce.Client{}}
	f := setup(t, func(o *Options) {
		db := o.Store.(dbStore).st
		o.Connections, o.Activities, o.Choices = conns, db.Activities(), db.ListViewChoices()
	})
	return &sfFixture{fixture: f, org: org, admin: org.Connect(t, sfemutest.Admin), conns: conns}
}

// person creates a signed-in person linked to the Salesforce user sfUser
// ("" for none).
func (f *sfFixture) person(login, sfUser string, roles ...access.Role) (User, caller) {
	f.t.Helper()
	u, c := f.user(login, roles...)
	if sfUser != "" {
		cl := f.org.Connect(f.t, sfUser)
		f.conns.mu.Lock()
		f.conns.clients[u.ID] = cl
		f.conns.mu.Unlock()
	}
	return u, c
}

// values returns the field of every record soql selects, as the org admin.
func (f *sfFixture) values(soql, field string) []string {
	f.t.Helper()
	var out []string
	for r, err := range f.admin.Query(context.Background(), soql) {
		if err != nil {
			f.t.Fatalf("%s: %v", soql, err)
		}
		v, _ := r.String(field)
		out = append(out, v)
	}
	return out
}

func TestLogActivityOnce(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	_, bob := f.person("bob", sfemutest.User)
	to := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")
	const nobody = "nobody@nowhere.example"
	req := ActivityRequest{Key: "share-1", Kind: "email", Recipients: []string{to[0], nobody}, Subject: "Pricing deck sfb-1",
		Link: "https://content.example.com/deck"}

	var first Activity
	f.do(ana, "POST", "/api/v1/activities", req).want(t, 201, "")
	r := f.do(ana, "POST", "/api/v1/activities", req)
	r.want(t, 201, "")
	r.decode(t, &first)
	if first.Status != "logged" || first.Object != "Task" || first.ActivityID == "" || first.Attempts != 1 {
		t.Fatalf("activity = %+v", first)
	}
	if !slices.Equal(first.Unknown, []string{nobody}) || len(first.Recipients) != 1 || first.Recipients[0].Email != to[0] {
		t.Errorf("recipients %+v, unknown %v; want %s known and %s unknown", first.Recipients, first.Unknown, to[0], nobody)
	}
	if tasks := f.values("SELECT Id FROM Task WHERE Subject = 'Pricing deck sfb-1'", "Id"); !slices.Equal(tasks, []string{first.ActivityID}) {
		t.Errorf("tasks in Salesforce = %v, want exactly [%s]: one key logs once", tasks, first.ActivityID)
	}

	unknown := req
	unknown.Key, unknown.Recipients = "share-2", []string{nobody}
	r = f.do(ana, "POST", "/api/v1/activities", unknown)
	r.want(t, 422, CodeUnknownRecipients)
	if msg := r.errorBody(t).Message; !strings.Contains(msg, nobody) {
		t.Errorf("message %q does not name the unknown address", msg)
	}
	bad := req
	bad.Key, bad.Recipients = "share-3", []string{"not an address"}
	r = f.do(ana, "POST", "/api/v1/activities", bad)
	r.want(t, 400, CodeInvalidInput)
	if fe := r.errorBody(t).Details.Fields[0]; fe.Field != "recipients[0]" {
		t.Errorf("invalid field %q, want recipients[0]", fe.Field)
	}

	// The key is ana's: bob neither sees nor reuses it.
	f.do(bob, "POST", "/api/v1/activities", req).want(t, 400, CodeInvalidInput)
	for _, tc := range []struct {
		who   caller
		query string
		want  []string
	}{
		{ana, "", []string{"share-1", "share-2"}},
		{ana, "?status=logged", []string{"share-1"}},
		// Nothing was logged for share-2, but the attempt stays visible,
		// to retry once the contact exists.
		{ana, "?status=failed", []string{"share-2"}},
		{bob, "", nil},
	} {
		var list ActivityList
		r := f.do(tc.who, "GET", "/api/v1/activities"+tc.query, nil)
		r.want(t, 200, "")
		r.decode(t, &list)
		var keys []string
		for _, a := range list.Activities {
			keys = append(keys, a.Key)
		}
		if !slices.Equal(keys, tc.want) {
			t.Errorf("GET /activities%s = %v, want %v", tc.query, keys, tc.want)
		}
	}
	f.do(ana, "POST", "/api/v1/activities/share-2/retry", nil).want(t, 422, CodeUnknownRecipients)
	f.do(ana, "GET", "/api/v1/activities?status=done", nil).want(t, 400, CodeInvalidInput)
	f.do(ana, "POST", "/api/v1/activities/share-1/retry", nil).want(t, 409, CodeNotRetryable)
	f.do(ana, "POST", "/api/v1/activities/missing/retry", nil).want(t, 404, CodeNotFound)
}

func TestLogMeetingAndLink(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	to := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")
	start := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	end := start.Add(45 * time.Minute)
	for _, tc := range []struct {
		req    ActivityRequest
		object string
	}{
		{ActivityRequest{Key: "m1", Kind: "meeting", Recipients: to, Subject: "Demo sfb-m", Start: &start, End: &end}, "Event"},
		{ActivityRequest{Key: "l1", Kind: "link", Recipients: to, Subject: "Link sfb-l", Link: "https://content.example.com/x"}, "Task"},
	} {
		var a Activity
		r := f.do(ana, "POST", "/api/v1/activities", tc.req)
		r.want(t, 201, "")
		r.decode(t, &a)
		if a.Status != "logged" || a.Object != tc.object {
			t.Errorf("%s: %+v, want a logged %s", tc.req.Kind, a, tc.object)
			continue
		}
		got := f.values("SELECT Subject FROM "+tc.object+" WHERE Id = '"+a.ActivityID+"'", "Subject")
		if !slices.Equal(got, []string{tc.req.Subject}) {
			t.Errorf("%s %s in Salesforce has subject %v, want %q", tc.object, a.ActivityID, got, tc.req.Subject)
		}
	}
	noEnd := ActivityRequest{Key: "m2", Kind: "meeting", Recipients: to, Subject: "Demo", Start: &start}
	f.do(ana, "POST", "/api/v1/activities", noEnd).want(t, 400, CodeInvalidInput)
}

func TestSuggestRecipients(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	email := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")[0]
	var list RecipientList
	r := f.do(ana, "GET", "/api/v1/recipients?q="+url.QueryEscape(email[:4]), nil)
	r.want(t, 200, "")
	r.decode(t, &list)
	if !slices.ContainsFunc(list.Recipients, func(rc Recipient) bool { return rc.Email == email }) {
		t.Errorf("suggestions for %q = %+v; want %s among them", email[:4], list.Recipients, email)
	}
	f.do(ana, "GET", "/api/v1/recipients?q=a", nil).want(t, 400, CodeInvalidInput)
}

func TestNotConnected(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, eve := f.person("eve", "")
	for _, path := range []string{"/api/v1/search?q=acme", "/api/v1/activities", "/api/v1/listviews?object=Account"} {
		r := f.do(eve, "GET", path, nil)
		r.want(t, 409, CodeNotConnected)
		if msg := r.errorBody(t).Message; !strings.Contains(msg, "sfbridge org connect") {
			t.Errorf("%s: message %q does not say how to connect", path, msg)
		}
	}
}

func TestSearchWithOwnAccess(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	_, bob := f.person("bob", sfemutest.User)
	tok := f.org.Connect(t, sfemutest.User).Token()
	userID := tok.UserID()
	lead := f.values("SELECT Id FROM Lead WHERE OwnerId != '"+userID+"' ORDER BY Id LIMIT 1", "Id")[0]
	last := f.values("SELECT LastName FROM Lead WHERE Id = '"+lead+"'", "LastName")[0]
	found := func(c caller) bool {
		var res SearchResult
		r := f.do(c, "GET", "/api/v1/search?q="+url.QueryEscape(last), nil)
		r.want(t, 200, "")
		r.decode(t, &res)
		for _, g := range res.Groups {
			for _, h := range g.Hits {
				if h.ID == lead {
					if g.Object != "Lead" || !strings.Contains(h.URL, lead) {
						t.Errorf("hit %+v in group %s: want group Lead and a link to the record", h, g.Object)
					}
					return true
				}
			}
		}
		return false
	}
	if !found(ana) {
		t.Errorf("the admin does not find lead %s (%s)", lead, last)
	}
	if found(bob) {
		t.Errorf("the standard user found the admin's private lead %s", lead)
	}
	f.do(ana, "GET", "/api/v1/search?q=*", nil).want(t, 400, CodeInvalidInput)
}

func TestListViews(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, ana := f.person("ana", sfemutest.Admin)
	var views ListViewList
	r := f.do(ana, "GET", "/api/v1/listviews?object=Account", nil)
	r.want(t, 200, "")
	r.decode(t, &views)
	if len(views.Views) < 3 || !views.Views[0].Enabled || views.Views[1].Enabled {
		t.Fatalf("views = %+v; want three or more, the first enabled by default", views)
	}
	ids := []string{views.Views[1].ID, views.Views[2].ID}
	r = f.do(ana, "PUT", "/api/v1/listviews/choices", ListViewChoice{Object: "Account", IDs: ids})
	r.want(t, 200, "")
	r.decode(t, &views)
	var enabled []string
	for _, v := range views.Views {
		if v.Enabled {
			enabled = append(enabled, v.ID)
		}
	}
	if !slices.Equal(enabled, ids) {
		t.Errorf("enabled %v, want %v", enabled, ids)
	}
	three := append(ids, views.Views[0].ID)
	f.do(ana, "PUT", "/api/v1/listviews/choices", ListViewChoice{Object: "Account", IDs: three}).want(t, 400, CodeInvalidInput)

	var rows ListViewRows
	r = f.do(ana, "GET", "/api/v1/listviews/results?object=Account&limit=5", nil)
	r.want(t, 200, "")
	r.decode(t, &rows)
	if rows.ID != ids[0] || len(rows.Columns) == 0 || len(rows.Rows) == 0 || len(rows.Rows) > 5 {
		t.Errorf("results = %+v; want up to 5 rows of view %s", rows, ids[0])
	}
	f.do(ana, "GET", "/api/v1/listviews/results?object=Account&id="+views.Views[0].ID, nil).want(t, 409, CodeListViewNotEnabled)
	f.do(ana, "GET", "/api/v1/listviews/results?object=Account&limit=0", nil).want(t, 400, CodeInvalidInput)
}

func TestFeatureSettings(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", "", access.SystemAdmin)
	ana, anaC := f.person("ana", sfemutest.Admin, access.ConnectorUser)
	_, bob := f.person("bob", sfemutest.User, access.ConnectorUser)

	for _, feature := range []string{"activity", "search"} {
		path := "/api/v1/settings/" + feature
		var got FeatureSetting
		r := f.do(root, "GET", path, nil)
		r.want(t, 200, "")
		r.decode(t, &got)
		if !got.Everyone || len(got.Members) != 0 {
			t.Errorf("%s default = %+v, want everyone", feature, got)
		}
		f.do(bob, "GET", path, nil).want(t, 403, Code(access.ReasonNotAdmin))
		f.do(bob, "PUT", path, FeatureSetting{Everyone: true}).want(t, 403, Code(access.ReasonNotAdmin))
		f.do(root, "PUT", path, FeatureSetting{Members: []int64{999}}).want(t, 400, CodeInvalidInput)
		r = f.do(root, "PUT", path, FeatureSetting{Members: []int64{ana.ID}})
		r.want(t, 200, "")
	}
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/search?q=acme", nil},
		{"GET", "/api/v1/listviews?object=Account", nil},
		{"GET", "/api/v1/activities", nil},
		{"POST", "/api/v1/activities", ActivityRequest{Key: "k", Kind: "email", Recipients: []string{"a@example.com"}, Subject: "s"}},
	} {
		r := f.do(bob, tc.method, tc.path, tc.body)
		r.want(t, 403, Code(access.ReasonFeatureNotGranted))
		if r.errorBody(t).Details.Action == "" {
			t.Errorf("%s %s: refusal does not name the action", tc.method, tc.path)
		}
	}
	f.do(anaC, "GET", "/api/v1/search?q=acme", nil).want(t, 200, "")
	f.do(anaC, "GET", "/api/v1/activities", nil).want(t, 200, "")
	// Back to everyone: bob may search again.
	f.do(root, "PUT", "/api/v1/settings/search", FeatureSetting{Everyone: true}).want(t, 200, "")
	f.do(bob, "GET", "/api/v1/search?q=acme", nil).want(t, 200, "")
}

// TestUnavailable: a server without the services says so, with the same
// refusal codes for the rest.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, c := f.user("ana", access.ConnectorUser)
	for _, path := range []string{"/api/v1/search?q=acme", "/api/v1/activities", "/api/v1/recipients?q=an"} {
		f.do(c, "GET", path, nil).want(t, 503, CodeUnavailable)
	}
}

// countingConnector records the clients asked of it.
type countingConnector struct {
	mu    sync.Mutex
	asked [][2]int64
}

func (c *countingConnector) Client(_ context.Context, orgID, userID int64) (*salesforce.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, [2]int64{orgID, userID})
	return nil, errors.New("no client in this test")
}

func TestStoreConnections(t *testing.T) {
	t.Parallel()
	db := testDB(t)
	ctx := context.Background()
	u, err := db.Users().Create(ctx, store.User{Login: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.Users().Create(ctx, store.User{Login: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Connections().Save(ctx, store.Connection{OrgID: org.ID, UserID: u.ID, AccessToken: secret.New("00D!x"),
		InstanceURL: "https://acme.my.salesforce.com", TokenIssuedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	cc := &countingConnector{}
	conns := StoreConnections(db, cc)
	if _, err := conns.ClientFor(ctx, other.ID); !errors.Is(err, ErrNotConnected) {
		t.Errorf("a person without a connection: %v, want ErrNotConnected", err)
	}
	if _, err := conns.ClientFor(ctx, u.ID); err == nil || errors.Is(err, ErrNotConnected) {
		t.Errorf("a connected person: %v, want the connector's error", err)
	}
	if want := [][2]int64{{org.ID, u.ID}}; !slices.Equal(cc.asked, want) {
		t.Errorf("connector asked for %v, want %v", cc.asked, want)
	}
}

// TestSalesforceErrorBodies pins the bodies of the refusals of activity
// logging, search and their settings.
func TestSalesforceErrorBodies(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", "", access.SystemAdmin)
	ana, anaC := f.person("ana", sfemutest.Admin)
	_, bob := f.person("bob", sfemutest.User)
	f.do(root, "PUT", "/api/v1/settings/search", FeatureSetting{Members: []int64{ana.ID}}).want(t, 200, "")
	var out bytes.Buffer
	for _, rq := range []struct {
		c            caller
		method, path string
		body         any
	}{
		{root, "GET", "/api/v1/activities", nil},
		{bob, "GET", "/api/v1/search?q=acme", nil},
		{bob, "PUT", "/api/v1/settings/activity", FeatureSetting{Everyone: true}},
		{root, "PUT", "/api/v1/settings/activity", FeatureSetting{Members: []int64{-1}}},
		{anaC, "GET", "/api/v1/search?q=%22%28", nil},
		{anaC, "POST", "/api/v1/activities", ActivityRequest{Key: "k1", Kind: "call", Recipients: []string{"a@example.com"}, Subject: "s"}},
		{anaC, "POST", "/api/v1/activities", ActivityRequest{Key: "k2", Kind: "email", Recipients: []string{"nobody@nowhere.example"}, Subject: "s"}},
		{anaC, "GET", "/api/v1/listviews?object=Not-An-Object", nil},
	} {
		r := f.do(rq.c, rq.method, rq.path, rq.body)
		fmt.Fprintf(&out, "%s %s -> %d\n%s\n", rq.method, rq.path, r.StatusCode, r.body)
	}
	golden(t, "salesforce_errors.golden", out.Bytes())
}
