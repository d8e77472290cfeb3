package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest"
)

// TestFeatureRoleSettings: a feature setting names roles; unknown roles are
// refused with the list of known ones; the answer and GET give the roles
// in one order, without repeats; a body without roles sets none.
func TestFeatureRoleSettings(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", "", access.SystemAdmin)
	ana, _ := f.person("ana", "")
	for _, tc := range []struct {
		name string
		in   FeatureSetting
		want FeatureSetting
	}{
		{"one role", FeatureSetting{Roles: []access.Role{access.ConnectorUser}},
			FeatureSetting{Members: []int64{}, Roles: []access.Role{access.ConnectorUser}}},
		{"repeats and order", FeatureSetting{Members: []int64{ana.ID}, Roles: []access.Role{access.ConnectorUser, access.SystemAdmin, access.ConnectorUser}},
			FeatureSetting{Members: []int64{ana.ID}, Roles: []access.Role{access.SystemAdmin, access.ConnectorUser}}},
		{"kept while everyone may", FeatureSetting{Everyone: true, Roles: []access.Role{access.ConnectorAdmin}},
			FeatureSetting{Everyone: true, Members: []int64{}, Roles: []access.Role{access.ConnectorAdmin}}},
		{"no roles sent", FeatureSetting{Members: []int64{ana.ID}},
			FeatureSetting{Members: []int64{ana.ID}, Roles: []access.Role{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, feature := range []string{"activity", "search"} {
				path := "/api/v1/settings/" + feature
				var put, got FeatureSetting
				r := f.do(root, "PUT", path, tc.in)
				r.want(t, 200, "")
				r.decode(t, &put)
				f.do(root, "GET", path, nil).decode(t, &got)
				if !cmp.Equal(put, tc.want) || !cmp.Equal(got, tc.want) {
					t.Errorf("PUT %s %+v answered %+v, then GET %+v; want %+v", path, tc.in, put, got, tc.want)
				}
			}
		})
	}

	before := FeatureSetting{Members: []int64{ana.ID}, Roles: []access.Role{}}
	for _, bad := range [][]access.Role{{"sales_team"}, {access.ConnectorUser, "Connector_User"}, {""}} {
		r := f.do(root, "PUT", "/api/v1/settings/search", FeatureSetting{Roles: bad})
		r.want(t, 400, CodeInvalidInput)
		fields := r.errorBody(t).Details.Fields
		at := "roles[" + itoa(int64(len(bad)-1)) + "]"
		if len(fields) != 1 || fields[0].Field != at || !strings.Contains(fields[0].Message, "use one of system_admin, connector_admin, connector_user") {
			t.Errorf("roles %q: field errors %+v; want %s naming the known roles", bad, fields, at)
		}
		var got FeatureSetting
		f.do(root, "GET", "/api/v1/settings/search", nil).decode(t, &got)
		if !cmp.Equal(got, before) {
			t.Errorf("a refused change changed the setting: %+v", got)
		}
	}
}

// TestFeatureGrantedThroughRole: a feature granted to the connector user
// role lets every connector user log and search, refuses the others, and
// follows role changes at once; each change is audited with its roles.
func TestFeatureGrantedThroughRole(t *testing.T) {
	t.Parallel()
	f := setupSF(t)
	_, root := f.person("root", "", access.SystemAdmin)
	carl, carlC := f.person("carl", sfemutest.Admin, access.ConnectorUser)
	_, eve := f.person("eve", sfemutest.User, access.ConnectorAdmin)
	to := f.values("SELECT Email FROM Contact WHERE Email != null ORDER BY Id LIMIT 1", "Email")[0]
	users := FeatureSetting{Roles: []access.Role{access.ConnectorUser}}
	for _, feature := range []string{"activity", "search"} {
		f.do(root, "PUT", "/api/v1/settings/"+feature, users).want(t, 200, "")
	}

	n := 0
	logShare := func(c caller) response {
		n++
		return f.do(c, "POST", "/api/v1/activities", ActivityRequest{Key: "role-" + itoa(int64(n)), Kind: "email", Recipients: []string{to}, Subject: "Role grant sfb-" + itoa(int64(n))})
	}
	logShare(carlC).want(t, 201, "")
	f.do(carlC, "GET", "/api/v1/search?q=acme", nil).want(t, 200, "")
	logShare(eve).want(t, 403, Code(access.ReasonFeatureNotGranted))
	f.do(eve, "GET", "/api/v1/search?q=acme", nil).want(t, 403, Code(access.ReasonFeatureNotGranted))
	var me Me
	f.do(carlC, "GET", "/api/v1/me", nil).decode(t, &me)
	if !slices.Equal(me.Features, []string{"activity", "search"}) {
		t.Errorf("carl's features = %v, want both through his role", me.Features)
	}

	// Carl loses the role: the next request is refused.
	f.do(root, "PUT", "/api/v1/users/"+itoa(carl.ID)+"/roles", RolesRequest{Roles: []access.Role{access.ConnectorAdmin}}).want(t, 200, "")
	logShare(carlC).want(t, 403, Code(access.ReasonFeatureNotGranted))
	f.do(carlC, "GET", "/api/v1/search?q=acme", nil).want(t, 403, Code(access.ReasonFeatureNotGranted))

	var log AuditPage
	f.do(root, "GET", "/api/v1/audit?action=settings.features", nil).decode(t, &log)
	if len(log.Entries) != 2 {
		t.Fatalf("%d audit entries of the feature settings, want 2", len(log.Entries))
	}
	for _, e := range log.Entries {
		if string(e.Before) != `{"everyone":true,"members":[],"roles":[]}` || string(e.After) != `{"everyone":false,"members":[],"roles":["connector_user"]}` ||
			!strings.Contains(e.Detail, "roles connector_user") {
			t.Errorf("audit entry %s: %s, before %s, after %s", e.Subject, e.Detail, e.Before, e.After)
		}
	}
}
