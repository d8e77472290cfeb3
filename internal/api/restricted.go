package api

import (
	"errors"
	"fmt"
)

// RestrictedList is the restricted-access list as the API shows it.
type RestrictedList struct {
	On      bool       `json:"on"`
	Members []UserInfo `json:"members"`
	// Added lists the people turning the list on added because they own
	// workflows; only in the answer to turning it on.
	Added []int64 `json:"added,omitempty"`
}

// RestrictedToggle turns the restricted-access list on or off.
type RestrictedToggle struct {
	On *bool `json:"on"`
}

// RemovedMember is the answer to removing someone from the list.
type RemovedMember struct {
	// DisabledWorkflows are the ids of the workflows the removal disabled.
	DisabledWorkflows []int64 `json:"disabled_workflows"`
}

func (s *Server) getRestricted(c *call) (any, error) { return s.restrictedList(c, nil) }

func (s *Server) restrictedList(c *call, added []int64) (RestrictedList, error) {
	ctx := c.r.Context()
	list, err := s.opts.Store.Restricted(ctx)
	if err != nil {
		return RestrictedList{}, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	out := RestrictedList{On: list.On, Members: make([]UserInfo, 0, len(list.Members)), Added: added}
	for _, id := range list.Members {
		u, err := s.opts.Store.User(ctx, id)
		if err != nil {
			return RestrictedList{}, fmt.Errorf("reading list member %d: %w", id, err)
		}
		out.Members = append(out.Members, userInfo(u, list))
	}
	return out, nil
}

func (s *Server) toggleRestricted(c *call) (any, error) {
	var in RestrictedToggle
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.On == nil {
		return nil, invalid(FieldError{"on", "is missing; send true to turn the list on, false to turn it off"})
	}
	state := map[bool]string{true: "on", false: "off"}[*in.On]
	added, err := s.opts.Store.SetRestrictedOn(c.r.Context(), *in.On,
		c.audit("restricted.toggle", "restricted-access list", "turned the restricted-access list "+state))
	if err != nil {
		return nil, fmt.Errorf("turning the restricted-access list %s: %w", state, err)
	}
	return s.restrictedList(c, added)
}

// memberTarget reads the member id and requires the list to be on: members
// are edited only while it is on, as in the Smartsheet connector.
func (s *Server) memberTarget(c *call) (int64, error) {
	id, err := c.pathID()
	if err != nil {
		return 0, err
	}
	list, err := s.opts.Store.Restricted(c.r.Context())
	if err != nil {
		return 0, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	if !list.On {
		return 0, errorf(CodeRestrictedOff, "The restricted-access list is off. Turn it on (PUT /api/v1/access/restricted) before adding or removing people.")
	}
	return id, nil
}

func (s *Server) addRestricted(c *call) (any, error) {
	id, err := s.memberTarget(c)
	if err != nil {
		return nil, err
	}
	err = s.opts.Store.AddRestricted(c.r.Context(), id,
		c.audit("restricted.add", fmt.Sprintf("user %d", id), "added to the restricted-access list"))
	if errors.Is(err, ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("There is no user %d.", id))
	}
	if err != nil {
		return nil, fmt.Errorf("adding user %d to the restricted-access list: %w", id, err)
	}
	return nil, nil
}

func (s *Server) removeRestricted(c *call) (any, error) {
	id, err := s.memberTarget(c)
	if err != nil {
		return nil, err
	}
	disabled, err := s.opts.Store.RemoveRestricted(c.r.Context(), id,
		c.audit("restricted.remove", fmt.Sprintf("user %d", id), "removed from the restricted-access list; their workflows are disabled"))
	if errors.Is(err, ErrNotFound) {
		return nil, errorf(CodeNotFound, fmt.Sprintf("User %d is not on the restricted-access list.", id))
	}
	if err != nil {
		return nil, fmt.Errorf("removing user %d from the restricted-access list: %w", id, err)
	}
	if disabled == nil {
		disabled = []int64{}
	}
	return RemovedMember{DisabledWorkflows: disabled}, nil
}
