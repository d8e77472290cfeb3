package storetest

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/store"
)

// entry returns an activity entry logged at at.
func entry(key string, status activity.Status, at time.Time) activity.Entry {
	return activity.Entry{Key: key, OrgID: "00D000000000001", UserID: "005000000000001", Status: status, Object: "Task",
		Request:    activity.Request{Key: key, Kind: activity.KindEmail, Recipients: []string{"ana@example.com"}, Subject: "Deck", Date: at},
		Recipients: []activity.Recipient{{ID: "003000000000001", Object: "Contact", Name: "Ana", Email: "ana@example.com"}},
		Unknown:    []string{"bob@example.com"}, CreatedAt: at, UpdatedAt: at}
}

// testActivities pins the SQL activity.Store: one claim per key, even
// concurrently; entries round-trip whole; lists filter and sort.
func testActivities(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	acts := e.st.Activities()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

	const racers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		inserted int
	)
	for range racers {
		wg.Go(func() {
			_, ok, err := acts.Claim(ctx, entry("k1", activity.StatusPending, t0))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				inserted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if inserted != 1 {
		t.Fatalf("%d concurrent claims of one key inserted %d times, want 1", racers, inserted)
	}

	logged := entry("k1", activity.StatusLogged, t0)
	logged.ActivityID, logged.RelationIDs, logged.Attempts = "00T000000000001", []string{"0RT000000000001"}, 1
	logged.UpdatedAt = t0.Add(time.Minute)
	if err := acts.Put(ctx, logged); err != nil {
		t.Fatal(err)
	}
	got, ok, err := acts.Claim(ctx, entry("k1", activity.StatusPending, t0.Add(time.Hour)))
	if err != nil || ok {
		t.Fatalf("second claim: inserted %v, %v", ok, err)
	}
	if diff := cmp.Diff(logged, got); diff != "" {
		t.Errorf("claimed entry differs from the stored one (-want +got):\n%s", diff)
	}

	if _, _, err := acts.Claim(ctx, entry("k3", activity.StatusFailed, t0.Add(2*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := acts.Claim(ctx, entry("k2", activity.StatusFailed, t0.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status activity.Status
		want   []string
	}{{"", []string{"k1", "k2", "k3"}}, {activity.StatusFailed, []string{"k2", "k3"}}, {activity.StatusPending, nil}} {
		list, err := acts.List(ctx, tc.status)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range list {
			keys = append(keys, e.Key)
		}
		if !slices.Equal(keys, tc.want) {
			t.Errorf("List(%q) = %v, want %v", tc.status, keys, tc.want)
		}
	}

	for name, err := range map[string]error{
		"get": func() error { _, err := acts.Get(ctx, "missing"); return err }(),
		"put": acts.Put(ctx, entry("missing", activity.StatusFailed, t0)),
	} {
		if !errors.Is(err, activity.ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s of a missing key: %v, want activity.ErrNotFound and store.ErrNotFound", name, err)
		}
	}
}

// testListViewChoices pins the SQL search.ChoiceStore.
func testListViewChoices(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	ch := e.st.ListViewChoices()
	const ana, bob = "00D1/005A", "00D1/005B"
	steps := []struct {
		user, object string
		set          []string // nil: only read
		want         []string
	}{
		{ana, "Account", nil, nil},
		{ana, "Account", []string{"00B1", "00B2"}, []string{"00B1", "00B2"}},
		{ana, "Account", []string{"00B3"}, []string{"00B3"}},
		{bob, "Account", nil, nil},
		{ana, "Lead", nil, nil},
		{ana, "Account", []string{}, nil},
	}
	for i, s := range steps {
		if s.set != nil {
			if err := ch.SetChoice(ctx, s.user, s.object, s.set); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		got, err := ch.Choice(ctx, s.user, s.object)
		if err != nil || !slices.Equal(got, s.want) {
			t.Errorf("step %d: Choice(%s, %s) = %v, %v; want %v", i, s.user, s.object, got, err, s.want)
		}
	}
}

// testFeatureSettings pins who may use activity logging and search: everyone
// by default, then the chosen members, with an audit entry per change.
func testFeatureSettings(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	fs := e.st.FeatureSettings()
	var users []int64
	for _, login := range []string{"ana", "bob"} {
		u, err := e.st.Users().Create(ctx, store.User{Login: login})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	ana, bob := users[0], users[1]
	both := access.FeatureActivity | access.FeatureSearch
	for _, id := range users {
		if got, err := fs.Granted(ctx, id); err != nil || got != both {
			t.Fatalf("default grants of user %d = %v, %v; want both features", id, got, err)
		}
	}
	if err := fs.Set(ctx, store.FeatureAccess{Feature: access.FeatureSearch, Members: []int64{bob, bob}}, store.AuditEntry{ActorID: ana, Action: "settings.features"}); err != nil {
		t.Fatal(err)
	}
	got, err := fs.Get(ctx, access.FeatureSearch)
	if err != nil || got.Everyone || !slices.Equal(got.Members, []int64{bob}) {
		t.Errorf("search setting = %+v, %v; want members [%d] only", got, err, bob)
	}
	for id, want := range map[int64]access.Feature{ana: access.FeatureActivity, bob: both} {
		if g, err := fs.Granted(ctx, id); err != nil || g != want {
			t.Errorf("grants of user %d = %v, %v; want %v", id, g, err, want)
		}
	}
	err = fs.Set(ctx, store.FeatureAccess{Feature: access.FeatureActivity, Members: []int64{999}}, store.AuditEntry{ActorID: ana, Action: "settings.features"})
	if !errors.Is(err, store.ErrConstraint) {
		t.Errorf("a member who is no user: %v, want ErrConstraint", err)
	}
	if g, _ := fs.Granted(ctx, ana); g != access.FeatureActivity {
		t.Errorf("a refused change changed the grants: %v", g)
	}
	log, _, err := e.st.Audit().List(ctx, store.AuditPage{})
	if err != nil || len(log) != 1 || string(log[0].After) != `{"everyone":false,"members":[`+strconv.FormatInt(bob, 10)+`],"roles":[]}` {
		t.Errorf("audit log = %+v, %v; want one entry with the new members", log, err)
	}
}
