package activity

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
)

// orgInfo is what the service reads from an org's describes, per user.
type orgInfo struct {
	// loaded is when the describes were read: settings re-synced later
	// (Settings.ResyncedAt) make the service read them again.
	loaded time.Time
	// types holds each object's active Type values; an object without a
	// Type field has no entry.
	types map[string][]string
	// statuses are the active values of Task.Status.
	statuses []string
	// relations: TaskRelation and EventRelation the user may create.
	relations map[string]bool
	// targets are the objects Task.WhatId may point to, which are the
	// objects that allow activities.
	targets []string
	// prefixes maps key prefixes to object names.
	prefixes map[string]string
}

// org returns the connection's orgInfo, read once and again after
// st.ResyncedAt.
func (s *Service) org(ctx context.Context, conn Conn, st Settings) (*orgInfo, error) {
	key := orgKey(conn)
	s.mu.Lock()
	info, ok := s.orgs[key]
	s.mu.Unlock()
	if ok && !info.loaded.Before(st.ResyncedAt) {
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

// describePaths are the describes the service reads, in one composite call
// of GET subrequests: they bypass the connection's describe cache, so that
// a re-sync sees what an admin just changed.
var describePaths = []struct{ ref, url string }{
	{"global", "/sobjects/"},
	{"Task", "/sobjects/Task/describe"},
	{"Event", "/sobjects/Event/describe"},
}

func (s *Service) loadOrg(ctx context.Context, conn Conn) (*orgInfo, error) {
	loaded := s.now()
	cr := salesforce.CompositeRequest{}
	for _, p := range describePaths {
		cr.Subrequests = append(cr.Subrequests, salesforce.Subrequest{Method: http.MethodGet, URL: p.url, ReferenceID: p.ref})
	}
	resps, err := conn.Composite(ctx, cr)
	if err != nil {
		return nil, fmt.Errorf("reading the org's describes: %w", err)
	}
	if len(resps) != len(describePaths) {
		return nil, fmt.Errorf("reading the org's describes: %d answers to %d requests", len(resps), len(describePaths))
	}
	var global salesforce.GlobalDescribe
	if err := resps[0].Decode(&global); err != nil {
		return nil, fmt.Errorf("reading the org's objects: %w", err)
	}
	info := &orgInfo{loaded: loaded, types: map[string][]string{}, relations: map[string]bool{}, prefixes: map[string]string{}}
	for _, o := range global.SObjects {
		if o.KeyPrefix != "" {
			info.prefixes[o.KeyPrefix] = o.Name
		}
		if o.Name == "TaskRelation" || o.Name == "EventRelation" {
			info.relations[o.Name] = o.Createable
		}
	}
	for i, object := range []string{"Task", "Event"} {
		var d salesforce.SObjectDescribe
		if err := resps[i+1].Decode(&d); err != nil {
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
		if f := d.Field("Status"); f != nil {
			info.statuses = activeValues(f.PicklistValues)
		}
	}
	return info, nil
}

// closedStatus returns the Task Status st marks a share done with, or an
// error matching ErrNoClosedStatus when the org has no such value.
func (info *orgInfo) closedStatus(st Settings) (string, error) {
	closed := st.ClosedStatus
	if closed == "" {
		closed = "Completed"
	}
	if !slices.Contains(info.statuses, closed) {
		return "", fmt.Errorf("%w: %q is not a value of Task.Status (values: %s); set the closed status in the activity settings",
			ErrNoClosedStatus, closed, strings.Join(info.statuses, ", "))
	}
	return closed, nil
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
	return &RelatedObjectError{Object: object, Reason: "the org has no such object, or you cannot see it; create it in Salesforce, then re-sync"}
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

// typeCheck checks the Type st maps kind to; false when it maps none.
func (info *orgInfo) typeCheck(st Settings, kind Kind) (TypeCheck, bool) {
	v, ok := st.Types[kind]
	if !ok || v == "" {
		return TypeCheck{}, false
	}
	object := kind.Object()
	values, hasType := info.types[object]
	return TypeCheck{Kind: kind, Object: object, Value: v, Missing: hasType && !slices.Contains(values, v), Values: values}, true
}
