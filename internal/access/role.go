package access

import (
	"fmt"
	"strings"
)

// Role is one of the three roles a person may hold. A person may hold
// several; see [Roles].
type Role string

const (
	// SystemAdmin administers the whole server: every admin right, and the
	// only role that may make someone a connector admin or a system admin.
	SystemAdmin Role = "system_admin"
	// ConnectorAdmin registers Salesforce orgs, manages connector users and
	// the restricted-access list, and oversees everyone's workflows.
	ConnectorAdmin Role = "connector_admin"
	// ConnectorUser creates workflows and runs their own.
	ConnectorUser Role = "connector_user"
)

// AllRoles lists every role, in the order used by [Roles.List].
var AllRoles = []Role{SystemAdmin, ConnectorAdmin, ConnectorUser}

// ParseRole returns the role named s ("system_admin", "connector_admin",
// "connector_user").
func ParseRole(s string) (Role, error) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("%w: %q; use one of %s", ErrUnknownRole, s, RolesOf(AllRoles...))
}

func (r Role) bit() Roles {
	for i, known := range AllRoles {
		if known == r {
			return 1 << i
		}
	}
	return 0
}

// Roles is a set of roles. The zero value holds no role: such a person may
// sign in, see themselves and manage their own API tokens, nothing more.
type Roles uint8

// RolesOf returns the set holding the given roles. Unknown roles are ignored;
// parse untrusted names with [ParseRole] first.
func RolesOf(roles ...Role) Roles {
	var s Roles
	for _, r := range roles {
		s |= r.bit()
	}
	return s
}

// Has reports whether the set holds r.
func (s Roles) Has(r Role) bool {
	b := r.bit()
	return b != 0 && s&b != 0
}

// IsAdmin reports whether the set holds an admin role: system admin or
// connector admin.
func (s Roles) IsAdmin() bool { return s.Has(SystemAdmin) || s.Has(ConnectorAdmin) }

// With returns the set plus r.
func (s Roles) With(r Role) Roles { return s | r.bit() }

// Without returns the set minus r.
func (s Roles) Without(r Role) Roles { return s &^ r.bit() }

// List returns the roles in the set, in the order of [AllRoles]. It never
// returns nil, so an empty set encodes as a JSON empty array.
func (s Roles) List() []Role {
	list := []Role{}
	for _, r := range AllRoles {
		if s.Has(r) {
			list = append(list, r)
		}
	}
	return list
}

// String returns the roles joined with ", ", or "none".
func (s Roles) String() string {
	list := s.List()
	if len(list) == 0 {
		return "none"
	}
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
