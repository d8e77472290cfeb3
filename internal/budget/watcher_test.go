package budget_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite/sqlitetest"
)

// setup returns a store with an org whose budget posts to hook (none when
// empty), and a Watcher over it logging into logs.
func setup(t *testing.T, hook string, delivery budget.Delivery) (*store.Store, store.Org, *budget.Watcher, *bytes.Buffer) {
	t.Helper()
	st := sqlitetest.Open(t)
	org, err := st.Orgs().Create(t.Context(), store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "app"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Budgets().Set(t.Context(), store.Budget{OrgID: org.ID, SharePct: 80, Thresholds: []int{50, 75}, Webhook: secret.New(hook)},
		store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	w := budget.New(budget.Options{Store: st, Delivery: delivery, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	t.Cleanup(w.Stop)
	return st, org, w, &logs
}

// TestUsage pins the verdicts: the thresholds crossed are raised once a
// day, and the budget is spent at the share of the limit.
func TestUsage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, org, w, _ := setup(t, "", budget.Delivery{})
	for _, c := range []struct {
		used, limit int64
		spent       bool
		raised      int // notifications so far
	}{
		{100, 0, false, 0},    // no limit seen yet
		{399, 1000, false, 0}, // allowance 800: 50 % is 400
		{400, 1000, false, 1},
		{650, 1000, false, 2}, // 75 % is 600
		{700, 1000, false, 2},
		{800, 1000, true, 2},
		{10, 1000, false, 2},
	} {
		err := w.Usage(ctx, org, c.used, c.limit, 1)
		if spent := errors.Is(err, budget.ErrSpent); spent != c.spent {
			t.Errorf("Usage(%d/%d) = %v; want spent %v", c.used, c.limit, err, c.spent)
		}
		list, _ := st.Notifications().For(ctx, 1, true)
		if len(list) != c.raised {
			t.Errorf("after %d/%d: %d notifications; want %d", c.used, c.limit, len(list), c.raised)
		}
	}
	list, _ := st.Notifications().For(ctx, 1, true)
	if len(list) == 2 && !strings.Contains(list[0].Message, `Org "Acme" used 75% of its API budget: 650 of the 800 daily requests`) {
		t.Errorf("message = %q", list[0].Message)
	}
}

// TestWebhookFailures pins the delivery: retried, then recorded as failed
// with a reason that holds neither the URL nor its token, in the log as on
// the notification; redirects are not followed.
func TestWebhookFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		status int
		want   string
	}{
		{"unavailable", http.StatusServiceUnavailable, "after 3 attempts: the webhook answered 503 Service Unavailable"},
		{"redirect", http.StatusFound, "after 3 attempts: the webhook answered 302 Found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.Header().Set("Location", "https://elsewhere.example.com/")
				w.WriteHeader(c.status)
			}))
			defer srv.Close()
			hook := srv.URL + "/hook?token=s3cret"
			st, org, w, logs := setup(t, hook, budget.Delivery{Attempts: 3, Backoff: time.Millisecond, Timeout: 5 * time.Second})
			w.Resumed(t.Context(), org)
			w.Wait()
			list, err := st.Notifications().For(t.Context(), 1, true)
			if err != nil || len(list) != 1 {
				t.Fatalf("notifications = %+v, %v", list, err)
			}
			n := list[0]
			if n.WebhookStatus != store.WebhookFailed || n.WebhookError != c.want || hits.Load() != 3 {
				t.Errorf("webhook %s %q after %d hits; want failed %q after 3", n.WebhookStatus, n.WebhookError, hits.Load(), c.want)
			}
			if strings.Contains(logs.String(), "s3cret") || !strings.Contains(logs.String(), c.want) {
				t.Errorf("log = %s; want the failure without the token", logs)
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		hook := srv.URL + "/hook?token=s3cret"
		srv.Close()
		st, org, w, _ := setup(t, hook, budget.Delivery{Attempts: 2, Backoff: time.Millisecond, Timeout: 5 * time.Second})
		w.Paused(t.Context(), org, "budget spent", time.Now())
		w.Wait()
		list, _ := st.Notifications().For(t.Context(), 1, true)
		if len(list) != 1 || list[0].WebhookStatus != store.WebhookFailed || strings.Contains(list[0].WebhookError, "s3cret") ||
			!strings.HasPrefix(list[0].WebhookError, "after 2 attempts: posting: ") {
			t.Errorf("notifications = %+v", list)
		}
	})
}

// TestStopEndsTheBackoff pins that Stop does not wait out the pauses
// between attempts.
func TestStopEndsTheBackoff(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	st, org, w, _ := setup(t, srv.URL, budget.Delivery{Attempts: 5, Backoff: time.Hour, Timeout: 5 * time.Second})
	w.NeedsReauth(t.Context(), org, 0, "invalid_grant")
	w.Stop() // would wait an hour if the backoff were not cut short
	list, _ := st.Notifications().For(t.Context(), 1, true)
	if len(list) != 1 || list[0].WebhookStatus != store.WebhookFailed || !strings.HasPrefix(list[0].WebhookError, "after 1 attempt: ") {
		t.Errorf("notifications = %+v", list)
	}
}

// TestAllows pins when a paused org may be probed early: only when its
// budget, below the limit, is above the usage.
func TestAllows(t *testing.T) {
	t.Parallel()
	st, org, w, _ := setup(t, "", budget.Delivery{}) // 80 % of the limit
	for _, c := range []struct {
		used, limit int64
		want        bool
	}{
		{700, 1000, true},
		{800, 1000, false},
		{999, 1000, false},
		{10, 0, false}, // no limit seen
	} {
		if got := w.Allows(t.Context(), org, c.used, c.limit); got != c.want {
			t.Errorf("Allows(%d/%d) = %v; want %v", c.used, c.limit, got, c.want)
		}
	}
	if w.Allows(t.Context(), store.Org{ID: 999, Name: "gone"}, 1, 1000) {
		t.Error("Allows on an unknown org = true")
	}
	// At 100 %, Salesforce's own limit is what pauses the org: no early probe.
	if _, err := st.Budgets().Set(t.Context(), store.Budget{OrgID: org.ID, SharePct: 100}, store.AuditEntry{Action: "org.configure"}); err != nil {
		t.Fatal(err)
	}
	if w.Allows(t.Context(), org, 10, 1000) {
		t.Error("Allows with a budget of the whole limit = true")
	}
}
