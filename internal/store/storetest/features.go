package storetest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/store"
)

// testFeatureRoles pins features granted to roles: a role grant opens the
// feature to every holder of the role, whatever their other roles; taking
// the role away or dropping it from the setting closes it again; a member
// keeps the feature without the role; the audit entry records the roles.
func testFeatureRoles(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	fs, users := e.st.FeatureSettings(), e.st.Users()
	id := map[string]int64{}
	for _, u := range []store.User{
		{Login: "ana", Roles: access.RolesOf(access.ConnectorUser)},
		{Login: "bob", Roles: access.RolesOf(access.ConnectorAdmin)},
		{Login: "cy"},
		{Login: "dee", Roles: access.RolesOf(access.ConnectorUser, access.ConnectorAdmin)},
	} {
		created, err := users.Create(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		id[u.Login] = created.ID
	}
	const (
		none   = access.Feature(0)
		search = access.FeatureSearch
		both   = access.FeatureActivity | access.FeatureSearch
	)
	audit := store.AuditEntry{ActorID: id["bob"], Action: "settings.features"}
	set := func(t *testing.T, fa store.FeatureAccess) {
		t.Helper()
		if err := fs.Set(ctx, fa, audit); err != nil {
			t.Fatalf("Set(%+v): %v", fa, err)
		}
	}
	// Activity logging is closed to all but chosen people for the whole
	// test, so only search follows the role grants.
	set(t, store.FeatureAccess{Feature: access.FeatureActivity})
	users1 := access.RolesOf(access.ConnectorUser)
	set(t, store.FeatureAccess{Feature: access.FeatureSearch, Members: []int64{id["cy"]}, Roles: users1})

	got, err := fs.Get(ctx, access.FeatureSearch)
	if want := (store.FeatureAccess{Feature: access.FeatureSearch, Members: []int64{id["cy"]}, Roles: users1}); err != nil || !cmp.Equal(got, want) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, want)
	}

	for _, step := range []struct {
		name   string
		change func(t *testing.T)
		want   map[string]access.Feature
	}{
		{"granted to connector users and to cy", func(*testing.T) {},
			map[string]access.Feature{"ana": search, "bob": none, "cy": search, "dee": search}},
		{"ana's role taken away", func(t *testing.T) {
			if _, err := users.SetRoles(ctx, id["ana"], 0); err != nil {
				t.Fatal(err)
			}
		}, map[string]access.Feature{"ana": none, "bob": none, "cy": search, "dee": search}},
		{"bob made a connector user", func(t *testing.T) {
			if _, err := users.SetRoles(ctx, id["bob"], access.RolesOf(access.ConnectorAdmin, access.ConnectorUser)); err != nil {
				t.Fatal(err)
			}
		}, map[string]access.Feature{"ana": none, "bob": search, "cy": search, "dee": search}},
		{"granted to connector admins instead", func(t *testing.T) {
			set(t, store.FeatureAccess{Feature: access.FeatureSearch, Roles: access.RolesOf(access.ConnectorAdmin)})
		}, map[string]access.Feature{"ana": none, "bob": search, "cy": none, "dee": search}},
		{"roles kept while everyone may", func(t *testing.T) {
			set(t, store.FeatureAccess{Feature: access.FeatureActivity, Everyone: true, Roles: access.RolesOf(access.SystemAdmin)})
		}, map[string]access.Feature{"ana": access.FeatureActivity, "bob": both, "cy": access.FeatureActivity, "dee": both}},
		{"no role chosen", func(t *testing.T) {
			set(t, store.FeatureAccess{Feature: access.FeatureSearch})
		}, map[string]access.Feature{"ana": access.FeatureActivity, "bob": access.FeatureActivity, "cy": access.FeatureActivity, "dee": access.FeatureActivity}},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.change(t)
			for login, want := range step.want {
				if got, err := fs.Granted(ctx, id[login]); err != nil || got != want {
					t.Errorf("Granted(%s) = %v, %v; want %v", login, got, err, want)
				}
			}
		})
	}
	if got, err := fs.Get(ctx, access.FeatureActivity); err != nil || got.Roles != access.RolesOf(access.SystemAdmin) || !got.Everyone {
		t.Errorf("activity setting = %+v, %v; want everyone, with the system admin role kept", got, err)
	}

	log, _, err := e.st.Audit().List(ctx, store.AuditPage{})
	if err != nil {
		t.Fatal(err)
	}
	var after []string
	for _, entry := range slices.Backward(log) { // List is newest first
		after = append(after, string(entry.After))
	}
	want := []string{
		`{"everyone":false,"members":[],"roles":[]}`,
		`{"everyone":false,"members":[` + strconv.FormatInt(id["cy"], 10) + `],"roles":["connector_user"]}`,
		`{"everyone":false,"members":[],"roles":["connector_admin"]}`,
		`{"everyone":true,"members":[],"roles":["system_admin"]}`,
		`{"everyone":false,"members":[],"roles":[]}`,
	}
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("audit entries' after (-want +got):\n%s", diff)
	}
}
