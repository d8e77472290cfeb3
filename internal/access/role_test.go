package access

import (
	"errors"
	"slices"
	"testing"
)

func TestRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		roles Roles
		list  []Role
		admin bool
		str   string
	}{
		{0, []Role{}, false, "none"},
		{RolesOf(ConnectorUser), []Role{ConnectorUser}, false, "connector_user"},
		{RolesOf(ConnectorUser, SystemAdmin), []Role{SystemAdmin, ConnectorUser}, true, "system_admin, connector_user"},
		{RolesOf(ConnectorAdmin, ConnectorAdmin), []Role{ConnectorAdmin}, true, "connector_admin"},
		{RolesOf(Role("root")), []Role{}, false, "none"},
		{RolesOf(AllRoles...).Without(SystemAdmin), []Role{ConnectorAdmin, ConnectorUser}, true, "connector_admin, connector_user"},
		{Roles(0).With(SystemAdmin), []Role{SystemAdmin}, true, "system_admin"},
	}
	for _, tt := range tests {
		if got := tt.roles.List(); !slices.Equal(got, tt.list) {
			t.Errorf("%v.List() = %v, want %v", tt.roles, got, tt.list)
		}
		if got := tt.roles.IsAdmin(); got != tt.admin {
			t.Errorf("%v.IsAdmin() = %v, want %v", tt.roles, got, tt.admin)
		}
		if got := tt.roles.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, r := range AllRoles {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	_, err := ParseRole("admin")
	if !errors.Is(err, ErrUnknownRole) {
		t.Fatalf("ParseRole(admin) error = %v, want ErrUnknownRole", err)
	}
	const want = `access: unknown role: "admin"; use one of system_admin, connector_admin, connector_user`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}
