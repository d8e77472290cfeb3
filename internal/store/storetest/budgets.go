package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// testBudgets pins an org's API budget: defaults until set, validation,
// the webhook sealed at rest and kept out of the audit log, and the cascade
// when the org goes.
func testBudgets(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	budgets := e.st.Budgets()

	got, err := budgets.Get(ctx, f.org.ID)
	if err != nil || got.SharePct != store.DefaultSharePct || !slices.Equal(got.Thresholds, store.DefaultThresholds) || !got.Webhook.IsZero() {
		t.Fatalf("default budget = %+v, %v", got, err)
	}
	if _, err := budgets.Get(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("budget of an unknown org: %v, want ErrNotFound", err)
	}

	for _, c := range []struct {
		name string
		b    store.Budget
		want string
	}{
		{"share zero", store.Budget{SharePct: 0}, "share_pct is 0"},
		{"share over 100", store.Budget{SharePct: 101}, "share_pct is 101"},
		{"threshold over 100", store.Budget{SharePct: 80, Thresholds: []int{50, 120}}, "thresholds holds 120"},
		{"threshold twice", store.Budget{SharePct: 80, Thresholds: []int{50, 50}}, "holds 50 twice"},
		{"plain http webhook", store.Budget{SharePct: 80, Webhook: secret.New("http://hooks.example.com/x")}, "webhook_url is not an https URL"},
		{"webhook with user", store.Budget{SharePct: 80, Webhook: secret.New("https://u:p@hooks.example.com/x")}, "webhook_url"},
	} {
		c.b.OrgID = f.org.ID
		_, err := budgets.Set(ctx, c.b, store.AuditEntry{ActorID: f.user.ID, Action: "org.configure"})
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want ErrInvalid saying %q", c.name, err, c.want)
		}
	}

	const hook = "https://hooks.example.com/sfbridge?token=s3cret"
	saved, err := budgets.Set(ctx, store.Budget{OrgID: f.org.ID, SharePct: 80, Thresholds: []int{90, 50, 75}, Webhook: secret.New(hook)},
		store.AuditEntry{ActorID: f.user.ID, Action: "org.configure", Subject: "org 1"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(saved.Thresholds, []int{50, 75, 90}) {
		t.Errorf("thresholds saved as %v; want them sorted", saved.Thresholds)
	}
	got, err = budgets.Get(ctx, f.org.ID)
	if err != nil || got.SharePct != 80 || !slices.Equal(got.Thresholds, []int{50, 75, 90}) || got.Webhook.Reveal() != hook || got.UpdatedAt.IsZero() {
		t.Errorf("budget after Set = %+v, %v", got, err)
	}
	if got.Allowance(15000) != 12000 {
		t.Errorf("Allowance(15000) = %d; want 12000", got.Allowance(15000))
	}
	if raw := e.raw(t, `SELECT webhook_url FROM org_budgets WHERE org_id = $1`, f.org.ID); bytes.Contains(raw, []byte("s3cret")) || len(raw) == 0 {
		t.Errorf("the webhook URL is stored in clear: %q", raw)
	}
	log, _, err := e.st.Audit().List(ctx, store.AuditPage{})
	if err != nil || len(log) != 1 {
		t.Fatalf("audit log = %+v, %v; want one entry", log, err)
	}
	if want := `{"share_pct":100,"thresholds":[75,90],"webhook":"none"}`; string(log[0].Before) != want {
		t.Errorf("audit before = %s; want %s", log[0].Before, want)
	}
	if want := `{"share_pct":80,"thresholds":[50,75,90],"webhook":"https://hooks.example.com/…"}`; string(log[0].After) != want {
		t.Errorf("audit after = %s; want %s (no path, no token)", log[0].After, want)
	}
	// Clearing the webhook and rotating keys.
	if _, err := budgets.Set(ctx, store.Budget{OrgID: f.org.ID, SharePct: 80}, store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := budgets.Get(ctx, f.org.ID); !got.Webhook.IsZero() || len(got.Thresholds) != 0 {
		t.Errorf("after clearing: %+v", got)
	}
	if err := e.st.Orgs().Delete(ctx, f.org.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "org_budgets"); n != 0 {
		t.Errorf("%d budgets left after the org was deleted", n)
	}
}

// testBudgetWebhookRotation pins that the sealed webhook URL is re-sealed
// with the other secrets.
func testBudgetWebhookRotation(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	open := func(keys ...secret.Key) *store.Store {
		st, err := store.Open(ctx, borrowed{Driver: e.drv}, store.Options{Keyring: keyring(t, keys...), Now: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st1 := open(k1)
	o, err := st1.Orgs().Create(ctx, store.Org{Name: "o", LoginURL: "https://login.salesforce.com", ClientID: "x", ClientSecret: secret.New("client")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st1.Budgets().Set(ctx, store.Budget{OrgID: o.ID, SharePct: 50, Webhook: secret.New("https://h.example.com/x")}, store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	if n, err := open(k2, k1).RotateSecrets(ctx); err != nil || n != 2 {
		t.Fatalf("RotateSecrets = %d, %v; want the client secret and the webhook re-sealed", n, err)
	}
	if b, err := open(k2).Budgets().Get(ctx, o.ID); err != nil || b.Webhook.Reveal() != "https://h.example.com/x" {
		t.Errorf("after retiring k1: %+v, %v", b, err)
	}
}

// testUsageSamples pins the usage history: one row per org per hour, calls
// added up, figures replaced, and rows past the retention deleted.
func testUsageSamples(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	usage := e.st.Usage()
	start := e.clock.Now().UTC().Truncate(time.Hour)

	steps := []struct {
		advance           time.Duration
		used, limit, call int64
	}{
		{0, 100, 15000, 4},
		{10 * time.Minute, 130, 15000, 6}, // the same hour
		{time.Hour, 200, 15000, 1},        // the next hour
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		if err := usage.Record(ctx, f.org.ID, s.used, s.limit, s.call); err != nil {
			t.Fatal(err)
		}
	}
	got, err := usage.Since(ctx, f.org.ID, start)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		hour               time.Time
		used, limit, calls int64
	}
	var rows []row
	for _, s := range got {
		rows = append(rows, row{s.Hour, s.Used, s.Limit, s.Calls})
	}
	want := []row{{start, 130, 15000, 10}, {start.Add(time.Hour), 200, 15000, 1}}
	if !slices.Equal(rows, want) {
		t.Errorf("samples = %+v; want %+v", rows, want)
	}
	days, err := usage.DailyCalls(ctx, start)
	if err != nil || len(days) != 1 || days[0].Calls != 11 || !days[0].Day.Equal(start.Truncate(24*time.Hour)) {
		t.Errorf("DailyCalls = %+v, %v; want one day of 11 calls", days, err)
	}
	if err := usage.Record(ctx, f.org.ID, -1, 0, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("negative usage: %v, want ErrInvalid", err)
	}
	// A month later the first samples are gone.
	e.clock.Advance(store.UsageRetention + time.Hour)
	if err := usage.Record(ctx, f.org.ID, 5, 15000, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := usage.Since(ctx, f.org.ID, start); len(got) != 1 || got[0].Used != 5 {
		t.Errorf("after the retention: %+v; want only the new sample", got)
	}
}

// testNotifications pins notifications: audiences, once-only per org and
// dedup key, read marks per person, webhook status.
func testNotifications(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	f := e.fixture(t)
	other, err := e.st.Users().Create(ctx, store.User{Login: "other"})
	if err != nil {
		t.Fatal(err)
	}
	ns := e.st.Notifications()
	if _, _, err := ns.Add(ctx, store.Notification{Kind: store.NotifyPaused, Message: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a notification for nobody: %v, want ErrInvalid", err)
	}
	forAdmins := store.Notification{Admins: true, OrgID: f.org.ID, Kind: store.NotifyThreshold, Dedup: "threshold:75:2026-03-15",
		Message: "Acme used 75 % of its API budget", Link: "/orgs/1/usage", Data: json.RawMessage(`{"threshold":75}`), WebhookStatus: store.WebhookPending}
	a, added, err := ns.Add(ctx, forAdmins)
	if err != nil || !added || a.ID == 0 {
		t.Fatalf("Add = %+v, %v, %v", a, added, err)
	}
	if _, added, err := ns.Add(ctx, forAdmins); err != nil || added {
		t.Errorf("the same threshold twice: added %v, %v; want it skipped", added, err)
	}
	mine, added, err := ns.Add(ctx, store.Notification{UserID: f.user.ID, Admins: true, OrgID: f.org.ID, Kind: store.NotifyNeedsReauth,
		Message: "Reconnect on /orgs/1", Link: "/orgs/1"})
	if err != nil || !added {
		t.Fatal(err)
	}
	if _, added, err := ns.Add(ctx, store.Notification{UserID: other.ID, Kind: store.NotifyNeedsReauth, Message: "Reconnect", Link: "/orgs/1"}); err != nil || !added {
		t.Fatal(err)
	}

	ids := func(list []store.Notification) []int64 {
		var out []int64
		for _, n := range list {
			out = append(out, n.ID)
		}
		return out
	}
	for _, c := range []struct {
		user   int64
		admin  bool
		want   []int64
		unread int
	}{
		{f.user.ID, true, []int64{mine.ID, a.ID}, 2},
		{f.user.ID, false, []int64{mine.ID}, 1},
		{other.ID, true, []int64{mine.ID + 1, mine.ID, a.ID}, 3},
		{other.ID, false, []int64{mine.ID + 1}, 1},
	} {
		list, err := ns.For(ctx, c.user, c.admin)
		if err != nil || !slices.Equal(ids(list), c.want) {
			t.Errorf("For(%d, admin %v) = %v, %v; want %v", c.user, c.admin, ids(list), err, c.want)
		}
		if n, err := ns.Unread(ctx, c.user, c.admin); err != nil || n != c.unread {
			t.Errorf("Unread(%d, admin %v) = %d, %v; want %d", c.user, c.admin, n, err, c.unread)
		}
	}
	if err := ns.MarkRead(ctx, a.ID, f.user.ID, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reading the admins' notification as a non-admin: %v, want ErrNotFound", err)
	}
	for range 2 { // twice is not an error
		if err := ns.MarkRead(ctx, a.ID, f.user.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := ns.Unread(ctx, f.user.ID, true); n != 1 {
		t.Errorf("unread after reading one = %d; want 1", n)
	}
	if n, _ := ns.Unread(ctx, other.ID, true); n != 3 {
		t.Errorf("another admin's unread = %d; want 3 (reads are per person)", n)
	}
	if err := ns.SetWebhook(ctx, a.ID, store.WebhookFailed, "503 after 4 attempts"); err != nil {
		t.Fatal(err)
	}
	got, err := ns.Get(ctx, a.ID, f.user.ID)
	if err != nil || !got.Read || got.WebhookStatus != store.WebhookFailed || got.WebhookError != "503 after 4 attempts" ||
		string(got.Data) != `{"threshold":75}` || got.Dedup != forAdmins.Dedup || got.OrgID != f.org.ID {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if err := ns.SetWebhook(ctx, 999, store.WebhookSent, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetWebhook on a missing notification: %v", err)
	}
	// Past the retention, the next notification takes the old ones away.
	e.clock.Advance(store.NotificationRetention + time.Hour)
	if _, _, err := ns.Add(ctx, store.Notification{UserID: other.ID, Kind: store.NotifyResumed, Message: "Acme resumed", Link: "/orgs/1/usage"}); err != nil {
		t.Fatal(err)
	}
	if list, _ := ns.For(ctx, other.ID, true); len(list) != 1 || list[0].Kind != store.NotifyResumed {
		t.Errorf("after the retention: %+v; want only the new notification", list)
	}
	if n := e.count(t, "notification_reads"); n != 0 {
		t.Errorf("%d read marks left of deleted notifications", n)
	}
}
