package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/store"
)

// testActivitySettings pins the admin's activity settings: the defaults
// until saved, then what was saved, whole (an empty Type mapping stays
// empty), each change audited with the state before and after.
func testActivitySettings(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	as := e.st.ActivitySettings()
	got, err := as.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(activity.DefaultSettings(), got); diff != "" {
		t.Errorf("settings before any save (-want +got):\n%s", diff)
	}
	resynced := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	for i, want := range []activity.Settings{
		{Scope: activity.ScopeOwned, Types: map[activity.Kind]string{activity.KindEmail: "Email", activity.KindLink: "Content Share"},
			ClosedStatus: "Done", RelatedObjects: []string{"Project__c"}, ResyncedAt: resynced},
		{Scope: activity.ScopeVisible, Types: map[activity.Kind]string{}, RelatedObjects: []string{}},
	} {
		if err := as.Set(ctx, want, store.AuditEntry{ActorID: 0, Action: "settings.features", Subject: "activity settings"}); err != nil {
			t.Fatal(err)
		}
		got, err := as.ActivitySettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("save %d read back (-want +got):\n%s", i, diff)
		}
	}
	log, _, err := e.st.Audit().List(ctx, store.AuditPage{})
	if err != nil || len(log) != 2 {
		t.Fatalf("audit log = %+v, %v; want two entries", log, err)
	}
	var before, after map[string]any
	for _, doc := range []struct {
		raw json.RawMessage
		to  *map[string]any
	}{{log[0].Before, &before}, {log[0].After, &after}} {
		if err := json.Unmarshal(doc.raw, doc.to); err != nil {
			t.Fatalf("audit document %s: %v", doc.raw, err)
		}
	}
	if before["scope"] != "owned" || after["scope"] != "visible" || fmt.Sprint(after["types"]) != "map[]" {
		t.Errorf("latest audit entry before %v, after %v; want scope owned then visible, no types after", before, after)
	}
}

// testActivityFind pins activity.Store.Find: one user's entries, by
// status, the most recent Limit, oldest first.
func testActivityFind(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	acts := e.st.Activities()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		user   string
		status activity.Status
	}{{"005A", activity.StatusLogged}, {"005B", activity.StatusLogged}, {"005A", activity.StatusFailed}, {"005A", activity.StatusLogged}} {
		en := entry(fmt.Sprintf("k%d", i), c.status, t0.Add(time.Duration(i)*time.Minute))
		en.UserID = c.user
		if _, _, err := acts.Claim(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	org := entry("", "", t0).OrgID
	tests := []struct {
		name string
		f    activity.Filter
		want []string
	}{
		{"all", activity.Filter{}, []string{"k0", "k1", "k2", "k3"}},
		{"one user", activity.Filter{OrgID: org, UserID: "005A"}, []string{"k0", "k2", "k3"}},
		{"one user's failures", activity.Filter{OrgID: org, UserID: "005A", Status: activity.StatusFailed}, []string{"k2"}},
		{"the two most recent", activity.Filter{OrgID: org, UserID: "005A", Limit: 2}, []string{"k2", "k3"}},
		{"another org", activity.Filter{OrgID: "00D000000000002"}, nil},
	}
	for _, tt := range tests {
		got, err := acts.Find(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, en := range got {
			keys = append(keys, en.Key)
		}
		if diff := cmp.Diff(tt.want, keys); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
