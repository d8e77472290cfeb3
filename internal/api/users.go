package api

import (
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/access"
)

// UserInfo is a person as the API shows them.
type UserInfo struct {
	ID               int64         `json:"id"`
	Login            string        `json:"login"`
	DisplayName      string        `json:"display_name"`
	Roles            []access.Role `json:"roles"`
	OnRestrictedList bool          `json:"on_restricted_list"`
}

func userInfo(u User, list Restricted) UserInfo {
	return UserInfo{ID: u.ID, Login: u.Login, DisplayName: u.DisplayName, Roles: u.Roles.List(), OnRestrictedList: list.has(u.ID)}
}

// Me is the signed-in person, with what the console needs to show them.
type Me struct {
	UserInfo
	RestrictedListOn bool `json:"restricted_list_on"`
	// CanCreateWorkflows says whether access.Decide allows them to create
	// workflows now.
	CanCreateWorkflows bool   `json:"can_create_workflows"`
	AuthenticatedBy    string `json:"authenticated_by,omitempty"` // "session" or "token"
	// Features are the features an admin setting opens to them
	// (access.Feature names: activity, search).
	Features []string `json:"features"`
}

// me describes u to themselves. On login and setup c.actor is not yet set,
// so it is built here.
func (s *Server) me(c *call, u User) (Me, error) {
	list, err := s.opts.Store.Restricted(c.r.Context())
	if err != nil {
		return Me{}, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	actor := actorOf(u, list)
	features, err := s.granted(c.r.Context(), u.ID)
	if err != nil {
		return Me{}, err
	}
	names := []string{}
	for _, f := range access.AllFeatures {
		if features.Has(f) {
			names = append(names, f.String())
		}
	}
	return Me{
		Features:           names,
		UserInfo:           userInfo(u, list),
		RestrictedListOn:   list.On,
		CanCreateWorkflows: access.Decide(actor, access.WorkflowCreate, access.Resource{}).Allowed,
		AuthenticatedBy:    c.via,
	}, nil
}

func (s *Server) getMe(c *call) (any, error) { return s.me(c, c.user) }

// UserList is the list of people.
type UserList struct {
	Users []UserInfo `json:"users"`
}

func (s *Server) listUsers(c *call) (any, error) {
	ctx := c.r.Context()
	users, err := s.opts.Store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	list, err := s.opts.Store.Restricted(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	out := UserList{Users: make([]UserInfo, len(users))}
	for i, u := range users {
		out.Users[i] = userInfo(u, list)
	}
	return out, nil
}

// CreateUserRequest adds a person. Giving roles needs the right to assign
// each of them.
type CreateUserRequest struct {
	Login       string        `json:"login"`
	DisplayName string        `json:"display_name,omitempty"`
	Password    string        `json:"password"`
	Roles       []access.Role `json:"roles,omitempty"`
}

func (s *Server) createUser(c *call) (any, error) {
	var in CreateUserRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	roles, err := parseRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	if err := authorizeRoleChange(c, 0, 0, roles); err != nil {
		return nil, err
	}
	nu, err := s.newUser(c, in.Login, in.DisplayName, in.Password, roles)
	if err != nil {
		return nil, err
	}
	u, err := s.opts.Store.CreateUser(c.r.Context(), nu,
		c.audit(string(access.UserCreate), "user "+nu.Login, "created with roles "+roles.String()))
	if errors.Is(err, ErrConflict) {
		return nil, invalid(FieldError{"login", fmt.Sprintf("is %q, already someone's login (logins compare case-insensitively); choose another", nu.Login)})
	}
	if err != nil {
		return nil, fmt.Errorf("creating user %q: %w", nu.Login, err)
	}
	list, err := s.opts.Store.Restricted(c.r.Context())
	if err != nil {
		return nil, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	return userInfo(u, list), nil
}

// RolesRequest replaces a person's roles.
type RolesRequest struct {
	Roles []access.Role `json:"roles"`
}

func (s *Server) setRoles(c *call) (any, error) {
	id, err := c.pathID()
	if err != nil {
		return nil, err
	}
	var in RolesRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Roles == nil {
		return nil, invalid(FieldError{"roles", "is missing; send the full list of roles, [] for none"})
	}
	roles, err := parseRoles(in.Roles)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	u, err := s.opts.Store.User(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading user %d: %w", id, err)
	}
	if err := authorizeRoleChange(c, id, u.Roles, roles); err != nil {
		return nil, err
	}
	if roles != u.Roles {
		audit := c.audit("roles.set", fmt.Sprintf("user %d", id), fmt.Sprintf("roles %s -> %s", u.Roles, roles))
		err := s.opts.Store.SetRoles(ctx, id, roles, audit)
		if errors.Is(err, ErrConflict) {
			return nil, errorf(CodeLastSystemAdmin, "This would leave sfbridge without a system admin. Make someone else a system admin first.")
		}
		if err != nil {
			return nil, fmt.Errorf("setting the roles of user %d: %w", id, err)
		}
		u.Roles = roles
	}
	list, err := s.opts.Store.Restricted(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	return userInfo(u, list), nil
}

// assignAction is the action that gives or takes each role.
var assignAction = map[access.Role]access.Action{
	access.SystemAdmin:    access.AssignSystemAdmin,
	access.ConnectorAdmin: access.AssignConnectorAdmin,
	access.ConnectorUser:  access.AssignConnectorUser,
}

// authorizeRoleChange checks the right to give or take every role that
// differs between from and to, for user target (0 for a new user).
func authorizeRoleChange(c *call, target int64, from, to access.Roles) error {
	for _, r := range access.AllRoles {
		if from.Has(r) != to.Has(r) {
			if err := c.authorize(assignAction[r], access.Resource{OwnerID: target}); err != nil {
				return err
			}
		}
	}
	return nil
}

func parseRoles(names []access.Role) (access.Roles, error) {
	var roles access.Roles
	for i, name := range names {
		r, err := access.ParseRole(string(name))
		if err != nil {
			return 0, invalid(FieldError{fmt.Sprintf("roles[%d]", i),
				fmt.Sprintf("is %q, not a role; use one of %s", name, access.RolesOf(access.AllRoles...))})
		}
		roles = roles.With(r)
	}
	return roles, nil
}
