package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
)

// ActivitySettingsStore keeps the admin's activity logging settings, which
// the activity service reads at every log. [NewStore]'s store is one.
type ActivitySettingsStore interface {
	activity.SettingsSource
	// SetActivitySettings replaces the settings with its audit entry, in
	// one transaction.
	SetActivitySettings(ctx context.Context, s activity.Settings, audit AuditEntry) error
}

// ActivitySettings are how activities are logged (GET and PUT
// /api/v1/settings/activity-logging).
type ActivitySettings struct {
	// Scope says which contacts and leads recipients resolve to: visible
	// (every one the person logging can see) or owned (only those they
	// own).
	Scope string `json:"scope"`
	// Types maps each share kind (email, link, meeting) to a value of the
	// org's Task.Type picklist (Event.Type for meetings); a kind left out
	// gets no Type.
	Types map[string]string `json:"types"`
	// ClosedStatus is the Task Status of a logged share; empty means
	// Completed.
	ClosedStatus string `json:"closedStatus,omitempty"`
	// RelatedObjects are the custom objects (API names ending in __c) an
	// activity may be related to, on top of Account and Opportunity; each
	// must allow activities in Salesforce.
	RelatedObjects []string `json:"relatedObjects"`
	// ResyncedAt is when an admin last re-read the org's picklists and
	// objects (POST .../resync); ignored in a PUT.
	ResyncedAt *time.Time `json:"resyncedAt,omitempty"`
}

// ActivitySettingsView is the settings and what the org says of them, read
// through the caller's own Salesforce connection.
type ActivitySettingsView struct {
	Settings ActivitySettings `json:"settings"`
	// Types is each kind's Type checked against the org's picklist.
	Types []TypeMapping `json:"types"`
	// Related is each object activities may be related to, checked.
	Related []RelatedObject `json:"related"`
	// CheckError says why the org could not be read (no connection, for
	// one); Types and Related are then empty.
	CheckError string `json:"checkError,omitempty"`
}

// TypeMapping is one share kind's Type value, checked.
type TypeMapping struct {
	Kind   string `json:"kind"`
	Object string `json:"object"` // Task or Event
	Value  string `json:"value"`
	// Missing: the org's picklist has no such active value, so logging
	// this kind fails until an admin adds it in Salesforce and re-syncs.
	Missing bool     `json:"missing"`
	Values  []string `json:"values"` // the org's active values
}

// RelatedObject is one object activities may be related to, checked.
type RelatedObject struct {
	Object  string `json:"object"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"` // why not, and what to do
}

func (s *Server) getActivitySettings(c *call) (any, error) {
	svc, st, err := s.activitySettings(c)
	if err != nil {
		return nil, err
	}
	return s.activitySettingsView(c, svc, st), nil
}

func (s *Server) putActivitySettings(c *call) (any, error) {
	var in ActivitySettings
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	svc, saved, err := s.activitySettings(c)
	if err != nil {
		return nil, err
	}
	st, err := settingsFrom(in)
	if err != nil {
		return nil, err
	}
	st.ResyncedAt = saved.ResyncedAt
	conn, err := s.clientFor(c)
	if err != nil {
		return nil, err
	}
	rep, err := svc.Check(c.r.Context(), conn, st)
	if err != nil {
		return nil, activityError(err)
	}
	var refused []FieldError
	for _, rc := range rep.Related {
		if rc.Err != nil {
			i := slices.Index(st.RelatedObjects, rc.Object)
			refused = append(refused, FieldError{Field: fmt.Sprintf("relatedObjects[%d]", i), Message: rc.Err.Error()})
		}
	}
	if len(refused) > 0 {
		return nil, invalid(refused...)
	}
	if err := s.saveActivitySettings(c, st, "saved the activity settings"); err != nil {
		return nil, err
	}
	return viewOf(st, rep), nil
}

func (s *Server) resyncActivitySettings(c *call) (any, error) {
	svc, st, err := s.activitySettings(c)
	if err != nil {
		return nil, err
	}
	conn, err := s.clientFor(c)
	if err != nil {
		return nil, err
	}
	if err := svc.Resync(c.r.Context(), conn); err != nil {
		return nil, activityError(err)
	}
	st.ResyncedAt = s.now()
	if err := s.saveActivitySettings(c, st, "re-read the org's Task Type values and the objects that allow activities"); err != nil {
		return nil, err
	}
	return s.activitySettingsView(c, svc, st), nil
}

// activitySettings returns the activity service and the saved settings.
func (s *Server) activitySettings(c *call) (*activity.Service, activity.Settings, error) {
	if s.activity == nil || s.opts.ActivitySettingsStore == nil {
		return nil, activity.Settings{}, errorf(CodeUnavailable, "This server keeps no activity settings; they come from its configuration.")
	}
	st, err := s.opts.ActivitySettingsStore.ActivitySettings(c.r.Context())
	if err != nil {
		return nil, activity.Settings{}, err
	}
	return s.activity, st, nil
}

func (s *Server) saveActivitySettings(c *call, st activity.Settings, detail string) error {
	return s.opts.ActivitySettingsStore.SetActivitySettings(c.r.Context(), st,
		c.audit(string(access.FeatureSettings), "activity settings", detail))
}

// activitySettingsView checks st through the caller's connection; a
// failure to read the org is reported in the view, not returned.
func (s *Server) activitySettingsView(c *call, svc *activity.Service, st activity.Settings) ActivitySettingsView {
	conn, err := s.clientFor(c)
	var rep activity.Report
	if err == nil {
		rep, err = svc.Check(c.r.Context(), conn, st)
	}
	v := viewOf(st, rep)
	if err != nil {
		if e, ok := activityError(err).(*Error); ok {
			v.CheckError = e.Message
		} else {
			s.log.Error("api: checking the activity settings", "err", err)
			v.CheckError = "The org could not be read; the server log has the details."
		}
	}
	return v
}

// settingsFrom reads the settings of a PUT, saying which field is wrong.
func settingsFrom(in ActivitySettings) (activity.Settings, error) {
	st := activity.Settings{Scope: activity.RecipientScope(in.Scope), ClosedStatus: strings.TrimSpace(in.ClosedStatus),
		Types: map[activity.Kind]string{}, RelatedObjects: []string{}}
	var bad []FieldError
	if st.Scope != activity.ScopeVisible && st.Scope != activity.ScopeOwned {
		bad = append(bad, FieldError{Field: "scope", Message: fmt.Sprintf("is %q; use visible (every contact and lead the person can see) or owned (only theirs)", in.Scope)})
	}
	for k, v := range in.Types {
		kind := activity.Kind(k)
		if kind != activity.KindEmail && kind != activity.KindLink && kind != activity.KindMeeting {
			bad = append(bad, FieldError{Field: "types." + k, Message: "is not a share kind; use email, link or meeting"})
			continue
		}
		if v = strings.TrimSpace(v); v != "" {
			st.Types[kind] = v
		}
	}
	for i, o := range in.RelatedObjects {
		o = strings.TrimSpace(o)
		switch {
		case slices.ContainsFunc(activity.DefaultRelatedObjects, func(d string) bool { return strings.EqualFold(d, o) }):
			continue // always allowed
		case !strings.HasSuffix(o, "__c"):
			bad = append(bad, FieldError{Field: fmt.Sprintf("relatedObjects[%d]", i), Message: fmt.Sprintf("is %q; give a custom object's API name, ending in __c (Account and Opportunity are always allowed)", o)})
		case !slices.Contains(st.RelatedObjects, o):
			st.RelatedObjects = append(st.RelatedObjects, o)
		}
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return activity.Settings{}, invalid(bad...)
	}
	return st, nil
}

func viewOf(st activity.Settings, rep activity.Report) ActivitySettingsView {
	in := ActivitySettings{Scope: string(st.Scope), Types: map[string]string{}, ClosedStatus: st.ClosedStatus,
		RelatedObjects: append([]string{}, st.RelatedObjects...)}
	for k, v := range st.Types {
		in.Types[string(k)] = v
	}
	if !st.ResyncedAt.IsZero() {
		t := st.ResyncedAt.UTC()
		in.ResyncedAt = &t
	}
	v := ActivitySettingsView{Settings: in, Types: []TypeMapping{}, Related: []RelatedObject{}}
	for _, t := range rep.Types {
		v.Types = append(v.Types, TypeMapping{Kind: string(t.Kind), Object: t.Object, Value: t.Value, Missing: t.Missing,
			Values: append([]string{}, t.Values...)})
	}
	for _, r := range rep.Related {
		ro := RelatedObject{Object: r.Object, Allowed: r.Err == nil}
		if r.Err != nil {
			ro.Reason = r.Err.Error()
		}
		v.Related = append(v.Related, ro)
	}
	return v
}

// activitySettingsRoutes are the admin's activity settings, for the route
// table.
func (s *Server) activitySettingsRoutes(v1 string) []route {
	path := v1 + "/settings/activity-logging"
	return []route{
		guarded(http.MethodGet, path, access.FeatureSettings, "How activities are logged (recipient scope, Type mapping, related objects), checked against the org through your connection", s.getActivitySettings).
			body(nil, ActivitySettingsView{}),
		guarded(http.MethodPut, path, access.FeatureSettings, "Change how activities are logged; a related object that does not allow activities is refused with the reason", s.putActivitySettings).
			body(ActivitySettings{}, ActivitySettingsView{}),
		guarded(http.MethodPost, path+"/resync", access.FeatureSettings, "Read the org's Task Type values and the objects that allow activities again, after changing them in Salesforce", s.resyncActivitySettings).
			body(nil, ActivitySettingsView{}),
	}
}

var _ ActivitySettingsStore = dbStore{}

func (d dbStore) ActivitySettings(ctx context.Context) (activity.Settings, error) {
	return d.st.ActivitySettings().Get(ctx)
}

func (d dbStore) SetActivitySettings(ctx context.Context, s activity.Settings, audit AuditEntry) error {
	return d.st.ActivitySettings().Set(ctx, s, storeAudit(audit))
}

// useActivitySettings makes the activity service read the saved settings
// at every log, when the server keeps them.
func (s *Server) useActivitySettings() {
	if s.opts.ActivitySettingsStore == nil {
		s.opts.ActivitySettingsStore, _ = s.opts.Store.(ActivitySettingsStore)
	}
	if s.activity != nil && s.opts.ActivitySettingsStore != nil {
		s.activity.UseSettings(s.opts.ActivitySettingsStore)
	}
}
