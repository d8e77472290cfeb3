package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// usageFixture is a console with people of each role, an org with some
// usage history and a budget, and notifications for them.
type usageFixture struct {
	*fixture
	org                store.Org
	owner, admin, user api.User
}

func newUsageFixture(t *testing.T) usageFixture {
	t.Helper()
	f := setup(t)
	ctx := context.Background()
	uf := usageFixture{fixture: f}
	uf.admin = f.user("root@example.com", access.SystemAdmin)
	uf.owner = f.user("owner@example.com", access.ConnectorUser)
	uf.user = f.user("cu@example.com", access.ConnectorUser)
	f.user("norole@example.com")
	var err error
	if uf.org, err = f.db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "app"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Usage().Record(ctx, uf.org.ID, 9000, 15000, 120); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Orgs().RecordAPIUsage(ctx, uf.org.ID, 9000, 15000); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Budgets().Set(ctx, store.Budget{OrgID: uf.org.ID, SharePct: 80, Thresholds: []int{50, 75},
		Webhook: secret.New("https://hooks.example.com/T0?token=s3cret")}, store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []store.Notification{
		{Admins: true, OrgID: uf.org.ID, Kind: store.NotifyThreshold, Dedup: "threshold:75", Link: "/orgs/1/usage", WebhookStatus: store.WebhookFailed, WebhookError: "after 4 attempts: the webhook answered 503 Service Unavailable",
			Message: "Org Acme used 75%", Data: []byte(`{"org":"Acme","used":9000,"limit":15000,"share_pct":80,"allowance":12000,"threshold":75}`)},
		{UserID: uf.owner.ID, Admins: true, OrgID: uf.org.ID, Kind: store.NotifyNeedsReauth, Link: "/orgs/1", WebhookStatus: store.WebhookSent,
			Message: "Reconnect on /orgs/1", Data: []byte(`{"org":"Acme","reason":"invalid_grant: expired access/refresh token"}`)},
	} {
		if _, _, err := f.db.Notifications().Add(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	return uf
}

// stable replaces what depends on the day and hour the test runs (chart
// labels, dates) so that a page can be compared with its golden file.
func stable(body string) string {
	now := time.Now().UTC()
	for _, layout := range []string{"Jan 2 15h", "02/01 15h", "15:04", "Jan 2, 2006", "02/01/2006", "2 janv. 2006"} {
		for _, t := range []time.Time{now, now.Add(-time.Hour)} {
			body = strings.ReplaceAll(body, t.Truncate(time.Hour).Format(layout), "TIME")
			body = strings.ReplaceAll(body, t.Format(layout), "TIME")
		}
	}
	return regexp.MustCompile(`\?v=[0-9a-f]+`).ReplaceAllString(body, "?v=HASH")
}

// TestUsagePagesGolden pins the usage and notifications pages in both
// languages; -update rewrites testdata/pages/usage-*.html and
// notifications-*.html.
func TestUsagePagesGolden(t *testing.T) {
	uf := newUsageFixture(t)
	for _, tc := range []struct{ name, lang, login, path string }{
		{"usage-admin-en", "en", "root@example.com", "/orgs/1/usage"},
		{"usage-user-fr", "fr", "cu@example.com", "/orgs/1/usage?days=30"},
		{"notifications-admin-en", "en", "root@example.com", "/notifications"},
		{"notifications-owner-fr", "fr", "owner@example.com", "/notifications"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := uf.signedIn(tc.login)
			b.header.Set("Accept-Language", tc.lang)
			r := b.get(tc.path)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", tc.path, r.status)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), stable(r.body))
		})
	}
}

// TestUsagePage checks who sees what on the usage page, and the budget
// form: saved, refused with the field named, never showing the webhook.
func TestUsagePage(t *testing.T) {
	uf := newUsageFixture(t)
	admin := uf.signedIn("root@example.com")
	r := admin.get("/orgs/1/usage")
	r.has(t, "API usage of Acme", "9000 of 15000 daily API requests used", "sfbridge may use 12000 of them: 80 % of the limit.",
		`class="chart-mark"`, "budget (80 %)", "warning at 75 %", `name="share_pct"`, "kept: https://hooks.example.com/…")
	r.lacks(t, "s3cret", "/T0")

	user := uf.signedIn("cu@example.com")
	r = user.get("/orgs/1/usage")
	r.has(t, "API usage of Acme", `class="chart-mark"`, "https://hooks.example.com")
	r.lacks(t, `name="share_pct"`, "s3cret")
	if r := user.post("/orgs/1/usage", url.Values{"share_pct": {"50"}}); r.status != http.StatusForbidden {
		t.Errorf("a connector user saved the budget: %d", r.status)
	}
	if r := uf.signedIn("norole@example.com").get("/orgs/1/usage"); r.status != http.StatusForbidden {
		t.Errorf("someone without a role sees the usage: %d", r.status)
	}
	if r := admin.get("/orgs/99/usage"); r.status != http.StatusNotFound {
		t.Errorf("an unknown org: %d", r.status)
	}

	r = admin.post("/orgs/1/usage", url.Values{"share_pct": {"60"}, "thresholds": {"90, 50"}})
	if r.path != "/orgs/1/usage?done=budget_saved" {
		t.Fatalf("saving ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "API budget saved.", `value="50, 90"`, "sfbridge may use 9000 of them: 60 % of the limit.")
	if b, _ := uf.db.Budgets().Get(context.Background(), 1); b.SharePct != 60 || b.Webhook.IsZero() {
		t.Errorf("stored budget = %+v; want 60 %% with the webhook kept", b)
	}
	r = admin.post("/orgs/1/usage", url.Values{"share_pct": {"150"}, "thresholds": {"50"}, "webhook_url": {"http://example.com/x"}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("a bad share: %d", r.status)
	}
	r.has(t, "Give a whole percentage from 1 to 100.", `value="150"`)
	r = admin.post("/orgs/1/usage", url.Values{"share_pct": {"60"}, "thresholds": {"50"}, "webhook_url": {"ftp://example.com/x"}})
	r.has(t, "Give an https URL", `value="ftp://example.com/x"`) // shown back to be corrected, not typed again
	admin.post("/orgs/1/usage", url.Values{"share_pct": {"60"}, "thresholds": {"50"}, "webhook_remove": {"1"}})
	if b, _ := uf.db.Budgets().Get(context.Background(), 1); !b.Webhook.IsZero() {
		t.Errorf("the webhook was not removed")
	}
}

// TestNotificationsPage checks the list, the unread badge in the header,
// and reading a notification, which leads where it points.
func TestNotificationsPage(t *testing.T) {
	uf := newUsageFixture(t)
	badge := regexp.MustCompile(`data-testid="unread"><span class="visually-hidden"> </span>(\d+)<`)
	unread := func(r response) int {
		m := badge.FindStringSubmatch(r.body)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	owner := uf.signedIn("owner@example.com")
	r := owner.get("/")
	if unread(r) != 1 {
		t.Errorf("the owner's badge shows %d; want 1", unread(r))
	}
	r = owner.get("/notifications")
	r.has(t, "A Salesforce connection to org Acme was revoked or expired (invalid_grant: expired access/refresh token)", "sent to the webhook")
	r.lacks(t, "used 75 %")
	if got := uf.signedIn("cu@example.com").get("/"); unread(got) != 0 || strings.Contains(got.body, `data-testid="unread"`) {
		t.Errorf("someone with nothing to read sees a badge")
	}
	admin := uf.signedIn("root@example.com")
	r = admin.get("/notifications")
	r.has(t, "Org Acme used 75 % of its API budget: 9000 of the 12000 daily requests", "not delivered to the webhook: after 4 attempts", "sent to the admins")
	if unread(r) != 2 {
		t.Errorf("the admin's badge shows %d; want 2", unread(r))
	}
	r = owner.post("/notifications/2/read", url.Values{"next": {"/orgs/1/usage"}})
	if r.path != "/orgs/1/usage" {
		t.Errorf("reading led to %s; want the notification's page", r.path)
	}
	if r := owner.get("/"); unread(r) != 0 {
		t.Errorf("after reading, the owner's badge shows %d", unread(r))
	}
	if r := admin.get("/"); unread(r) != 2 {
		t.Errorf("the owner's read changed the admin's badge: %d", unread(r))
	}
	if r := uf.signedIn("cu@example.com").post("/notifications/2/read", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("reading someone else's notification: %d", r.status)
	}
	if r := owner.post("/notifications/2/read", url.Values{"next": {"https://evil.example.com/"}}); r.path != "/notifications" {
		t.Errorf("a foreign next led to %s", r.path)
	}
}
