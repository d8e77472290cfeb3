package api

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// budgetOrg registers an org straight in the store.
func budgetOrg(t *testing.T, f *fixture) store.Org {
	t.Helper()
	o, err := f.db.Orgs().Create(context.Background(), store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "app"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestBudgetRoutesAccess calls each budget and usage route as each role:
// admins configure, everyone with a role reads, nobody else.
func TestBudgetRoutesAccess(t *testing.T) {
	t.Parallel()
	set := BudgetRequest{SharePct: new(80)}
	for _, c := range []struct {
		name         string
		roles        []access.Role
		method, path string
		body         any
		status       int
		code         Code
	}{
		{"system admin sets the budget", []access.Role{access.SystemAdmin}, "PUT", "budget", set, 200, ""},
		{"connector admin sets the budget", []access.Role{access.ConnectorAdmin}, "PUT", "budget", set, 200, ""},
		{"connector user may not set the budget", []access.Role{access.ConnectorUser}, "PUT", "budget", set, 403, Code(access.ReasonNotAdmin)},
		{"connector user reads the budget", []access.Role{access.ConnectorUser}, "GET", "budget", nil, 200, ""},
		{"no role may not read the budget", nil, "GET", "budget", nil, 403, Code(access.ReasonNoRole)},
		{"connector user reads the usage", []access.Role{access.ConnectorUser}, "GET", "usage", nil, 200, ""},
		{"no role may not read the usage", nil, "GET", "usage", nil, 403, Code(access.ReasonNoRole)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			o := budgetOrg(t, f)
			_, who := f.user("actor", c.roles...)
			f.do(who, c.method, "/api/v1/orgs/"+itoa(o.ID)+"/"+c.path, c.body).want(t, c.status, c.code)
		})
	}
	t.Run("signed out", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		f.do(anonymous, "GET", "/api/v1/orgs/1/usage", nil).want(t, 401, CodeAuthRequired)
	})
}

// TestBudgetSettings sets an org's budget through the API: defaults,
// partial changes, refusals naming the field, the webhook never shown back,
// and an audit entry with before and after.
func TestBudgetSettings(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := budgetOrg(t, f)
	admin, c := f.user("root", access.SystemAdmin)
	path := "/api/v1/orgs/" + itoa(o.ID) + "/budget"

	var got BudgetSettings
	r := f.do(c, "GET", path, nil)
	r.want(t, 200, "")
	r.decode(t, &got)
	if got.SharePct != 100 || !slices.Equal(got.Thresholds, []int{75, 90}) || got.WebhookSet {
		t.Errorf("default budget = %+v", got)
	}

	const hook = "https://hooks.example.com/services/T0/B0?token=s3cret"
	r = f.do(c, "PUT", path, BudgetRequest{SharePct: new(80), Thresholds: []int{90, 50}, WebhookURL: new(hook)})
	r.want(t, 200, "")
	if strings.Contains(string(r.body), "s3cret") || strings.Contains(string(r.body), "/services") {
		t.Errorf("the answer shows the webhook URL: %s", r.body)
	}
	r.decode(t, &got)
	if got.SharePct != 80 || !slices.Equal(got.Thresholds, []int{50, 90}) || !got.WebhookSet || got.WebhookHost != "https://hooks.example.com" {
		t.Errorf("after PUT: %+v", got)
	}
	// A partial change keeps the rest, the webhook included.
	f.do(c, "PUT", path, BudgetRequest{SharePct: new(60)}).want(t, 200, "")
	b, err := f.db.Budgets().Get(context.Background(), o.ID)
	if err != nil || b.SharePct != 60 || !slices.Equal(b.Thresholds, []int{50, 90}) || b.Webhook.Reveal() != hook {
		t.Errorf("stored after a partial change: %+v, %v", b, err)
	}

	for _, bad := range []struct {
		body  string
		field string
	}{
		{`{"share_pct": 0}`, "share_pct"},
		{`{"share_pct": 101}`, "share_pct"},
		{`{"thresholds": [50, 150]}`, "thresholds"},
		{`{"webhook_url": "http://hooks.example.com/x"}`, "webhook_url"},
		{`{"webhook_url": "ftp://hooks.example.com/x"}`, "webhook_url"},
		{`{"share": 80}`, "share"},
	} {
		r := f.do(c, "PUT", path, bad.body)
		r.want(t, 400, CodeInvalidInput)
		if e := r.errorBody(t); len(e.Details.Fields) != 1 || e.Details.Fields[0].Field != bad.field {
			t.Errorf("%s: %s; want a refusal naming %s", bad.body, r.body, bad.field)
		}
	}
	f.do(c, "PUT", path, BudgetRequest{WebhookURL: new("http://127.0.0.1:9/hook")}).want(t, 200, "")
	f.do(c, "PUT", path, BudgetRequest{WebhookURL: new("")}).want(t, 200, "")
	if b, _ := f.db.Budgets().Get(context.Background(), o.ID); !b.Webhook.IsZero() {
		t.Errorf("an empty webhook_url left %q", b.Webhook.Reveal())
	}
	f.do(c, "GET", "/api/v1/orgs/999/budget", nil).want(t, 404, CodeNotFound)
	f.do(c, "PUT", "/api/v1/orgs/999/budget", BudgetRequest{SharePct: new(50)}).want(t, 404, CodeNotFound)

	entries, _, err := f.db.Audit().List(context.Background(), store.AuditPage{})
	if err != nil {
		t.Fatal(err)
	}
	var budgetEntries []store.AuditEntry
	for _, e := range entries {
		if e.Action == string(access.OrgConfigure) {
			budgetEntries = append(budgetEntries, e)
		}
	}
	if len(budgetEntries) != 4 {
		t.Fatalf("%d org.configure audit entries; want 4", len(budgetEntries))
	}
	first := budgetEntries[len(budgetEntries)-1]
	if first.ActorID != admin.ID || first.Subject != "org "+itoa(o.ID) ||
		string(first.Before) != `{"share_pct":100,"thresholds":[75,90],"webhook":"none"}` ||
		string(first.After) != `{"share_pct":80,"thresholds":[50,90],"webhook":"https://hooks.example.com/…"}` {
		t.Errorf("first audit entry = %+v before %s after %s", first, first.Before, first.After)
	}
	for _, e := range budgetEntries {
		if strings.Contains(string(e.Before)+string(e.After)+e.Detail, "s3cret") {
			t.Errorf("the audit log holds the webhook token: %+v", e)
		}
	}
}

// TestUsageSeries reads an org's usage history through the API.
func TestUsageSeries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := budgetOrg(t, f)
	// The store stamps samples with the wall clock: move the API's clock
	// to now.
	f.advance(time.Since(f.clock()))
	_, c := f.user("ana", access.ConnectorUser)
	ctx := context.Background()
	if err := f.db.Usage().Record(ctx, o.ID, 1200, 15000, 40); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Orgs().RecordAPIUsage(ctx, o.ID, 1200, 15000); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Budgets().Set(ctx, store.Budget{OrgID: o.ID, SharePct: 80, Thresholds: []int{50}, Webhook: secret.New("https://h.example.com/x")}, store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	var got UsageSeries
	r := f.do(c, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/usage?days=2", nil)
	r.want(t, 200, "")
	r.decode(t, &got)
	if got.Used != 1200 || got.Limit != 15000 || got.Allowance != 12000 || got.Budget.SharePct != 80 || !got.Budget.WebhookSet ||
		len(got.Samples) != 1 || got.Samples[0].Calls != 40 || got.Samples[0].Used != 1200 {
		raw, _ := json.Marshal(got)
		t.Errorf("usage = %s", raw)
	}
	for _, q := range []string{"0", "31", "x"} {
		f.do(c, "GET", "/api/v1/orgs/"+itoa(o.ID)+"/usage?days="+q, nil).want(t, 400, CodeInvalidInput)
	}
	f.do(c, "GET", "/api/v1/orgs/999/usage", nil).want(t, 404, CodeNotFound)
}

// TestNotificationRoutes lists and reads notifications as their audiences:
// the owner, an admin, and someone they are not for.
func TestNotificationRoutes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := budgetOrg(t, f)
	owner, ownerC := f.user("owner", access.ConnectorUser)
	_, adminC := f.user("root", access.ConnectorAdmin)
	_, otherC := f.user("other", access.ConnectorUser)
	_, noRoleC := f.user("norole")
	ctx := context.Background()
	forAdmins, _, err := f.db.Notifications().Add(ctx, store.Notification{Admins: true, OrgID: o.ID, Kind: store.NotifyThreshold,
		Message: "Acme used 75%", Link: "/orgs/1/usage"})
	if err != nil {
		t.Fatal(err)
	}
	forOwner, _, err := f.db.Notifications().Add(ctx, store.Notification{UserID: owner.ID, Admins: true, OrgID: o.ID, Kind: store.NotifyNeedsReauth,
		Message: "Reconnect on /orgs/1", Link: "/orgs/1"})
	if err != nil {
		t.Fatal(err)
	}
	list := func(c caller) NotificationList {
		t.Helper()
		var l NotificationList
		r := f.do(c, "GET", "/api/v1/notifications", nil)
		r.want(t, 200, "")
		r.decode(t, &l)
		return l
	}
	ids := func(l NotificationList) []int64 {
		var out []int64
		for _, n := range l.Notifications {
			out = append(out, n.ID)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		who    caller
		want   []int64
		unread int
	}{
		{"owner", ownerC, []int64{forOwner.ID}, 1},
		{"admin", adminC, []int64{forOwner.ID, forAdmins.ID}, 2},
		{"someone else", otherC, nil, 0},
		{"no role", noRoleC, nil, 0},
	} {
		if l := list(c.who); !slices.Equal(ids(l), c.want) || l.Unread != c.unread {
			t.Errorf("%s: %v unread %d; want %v unread %d", c.name, ids(l), l.Unread, c.want, c.unread)
		}
	}
	f.do(otherC, "POST", "/api/v1/notifications/"+itoa(forOwner.ID)+"/read", nil).want(t, 404, CodeNotFound)
	f.do(ownerC, "POST", "/api/v1/notifications/"+itoa(forAdmins.ID)+"/read", nil).want(t, 404, CodeNotFound)
	f.do(ownerC, "POST", "/api/v1/notifications/"+itoa(forOwner.ID)+"/read", nil).want(t, 204, "")
	f.do(ownerC, "POST", "/api/v1/notifications/x/read", nil).want(t, 400, CodeInvalidInput)
	f.do(anonymous, "GET", "/api/v1/notifications", nil).want(t, 401, CodeAuthRequired)
	if l := list(ownerC); l.Unread != 0 || !l.Notifications[0].Read || l.Notifications[0].ForAdmins {
		t.Errorf("owner after reading: %+v", l)
	}
	if l := list(adminC); l.Unread != 2 || !l.Notifications[0].ForAdmins {
		t.Errorf("admin after the owner read: %+v; want reads per person", l)
	}
}
