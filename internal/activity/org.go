package activity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// orgInfo is what the service reads from an org's describes, per user.
type orgInfo struct {
	// types holds each object's active Type values; an object without a
	// Type field has no entry.
	types map[string][]string
	// closed is the Task Status to use, or closedErr why there is none.
	closed    string
	closedErr error
	// relations: TaskRelation and EventRelation the user may create.
	relations map[string]bool
	// targets are the objects Task.WhatId may point to, which are the
	// objects that allow activities.
	targets []string
	// prefixes maps key prefixes to object names.
	prefixes map[string]string
}

// org returns the connection's orgInfo, read once.
func (s *Service) org(ctx context.Context, conn Conn) (*orgInfo, error) {
	key := orgKey(conn)
	s.mu.Lock()
	info, ok := s.orgs[key]
	s.mu.Unlock()
	if ok {
		return info, nil
	}
	info, err := s.loadOrg(ctx, conn)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.orgs[key] = info
	s.mu.Unlock()
	return info, nil
}

func (s *Service) loadOrg(ctx context.Context, conn Conn) (*orgInfo, error) {
	global, err := conn.DescribeGlobal(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the org's objects: %w", err)
	}
	info := &orgInfo{types: map[string][]string{}, relations: map[string]bool{}, prefixes: map[string]string{}}
	for _, o := range global.SObjects {
		if o.KeyPrefix != "" {
			info.prefixes[o.KeyPrefix] = o.Name
		}
		if o.Name == "TaskRelation" || o.Name == "EventRelation" {
			info.relations[o.Name] = o.Createable
		}
	}
	for _, object := range []string{"Task", "Event"} {
		d, err := conn.Describe(ctx, object)
		if err != nil {
			return nil, fmt.Errorf("describing %s: %w", object, err)
		}
		if f := d.Field("Type"); f != nil && f.Type == "picklist" {
			info.types[object] = activeValues(f.PicklistValues)
		}
		if object != "Task" {
			continue
		}
		if f := d.Field("WhatId"); f != nil {
			info.targets = f.ReferenceTo
		}
		var statuses []string
		if f := d.Field("Status"); f != nil {
			statuses = activeValues(f.PicklistValues)
		}
		info.closed = s.settings.ClosedStatus
		if info.closed == "" {
			info.closed = "Completed"
		}
		if !slices.Contains(statuses, info.closed) {
			info.closedErr = fmt.Errorf("%w: %q is not a value of Task.Status (values: %s); set the closed status in the activity settings",
				ErrNoClosedStatus, info.closed, strings.Join(statuses, ", "))
		}
	}
	return info, nil
}

// allowsActivities reports with a *RelatedObjectError why object cannot
// hold activities, or nil.
func (info *orgInfo) allowsActivities(object string) error {
	if slices.ContainsFunc(info.targets, func(t string) bool { return strings.EqualFold(t, object) }) {
		return nil
	}
	for _, name := range info.prefixes {
		if strings.EqualFold(name, object) {
			return &RelatedObjectError{Object: name, Reason: "its definition does not allow activities; in Setup > Object Manager > " + name +
				" > Edit, tick \"Allow Activities\", then re-sync"}
		}
	}
	return &RelatedObjectError{Object: object, Reason: "the org has no such object, or you cannot see it"}
}

func activeValues(values []salesforce.PicklistValue) []string {
	var out []string
	for _, v := range values {
		if v.Active {
			out = append(out, v.Value)
		}
	}
	return out
}
