package activity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RecipientScope says which contacts and leads recipients may resolve to.
type RecipientScope string

// The recipient scopes.
const (
	ScopeVisible RecipientScope = "visible" // every contact and lead the user can see
	ScopeOwned   RecipientScope = "owned"   // only those the user owns
)

// DefaultRelatedObjects are the objects activities may always be related to.
var DefaultRelatedObjects = []string{"Account", "Opportunity"}

// Settings are an org's activity logging settings, chosen by its admin.
type Settings struct {
	// Scope limits recipients; empty means ScopeVisible.
	Scope RecipientScope
	// Types maps each kind to a value of the org's Task.Type (Event.Type
	// for meetings) picklist. A kind not in the map gets no Type. Nil means
	// DefaultTypes.
	Types map[Kind]string
	// ClosedStatus is the Task Status that marks a share done; empty means
	// "Completed", which must then be a value of the org's picklist.
	ClosedStatus string
	// RelatedObjects are custom objects activities may be related to, on
	// top of DefaultRelatedObjects. Each must allow activities.
	RelatedObjects []string
	// ResyncedAt is when an admin last asked to read the org's describes
	// again (after adding a Type value or allowing activities on an
	// object): what the service read before is read again. Zero: never.
	ResyncedAt time.Time
}

// DefaultTypes maps the kinds onto Salesforce's standard Type values.
func DefaultTypes() map[Kind]string {
	return map[Kind]string{KindEmail: "Email", KindLink: "Other", KindMeeting: "Meeting"}
}

// DefaultSettings returns the settings of an org whose admin chose nothing.
func DefaultSettings() Settings {
	return Settings{Scope: ScopeVisible, Types: DefaultTypes()}
}

// Validate checks the settings without asking Salesforce.
func (s Settings) Validate() error {
	if s.Scope != "" && s.Scope != ScopeVisible && s.Scope != ScopeOwned {
		return fmt.Errorf("activity settings: scope %q is not %q or %q", s.Scope, ScopeVisible, ScopeOwned)
	}
	for k := range s.Types {
		if !k.valid() {
			return fmt.Errorf("activity settings: types: %q is not one of email, link, meeting", k)
		}
	}
	for _, o := range s.RelatedObjects {
		if !strings.HasSuffix(o, "__c") {
			return fmt.Errorf("activity settings: related objects: %q is not a custom object (API name ending in __c); Account and Opportunity are always allowed", o)
		}
	}
	return nil
}

// withDefaults fills the zero fields with their defaults.
func (s Settings) withDefaults() Settings {
	if s.Scope == "" {
		s.Scope = ScopeVisible
	}
	if s.Types == nil {
		s.Types = DefaultTypes()
	}
	return s
}

// relatedObjects are the objects s lets activities be related to.
func (s Settings) relatedObjects() []string {
	return append(slices.Clone(DefaultRelatedObjects), s.RelatedObjects...)
}

// SettingsSource gives the settings in force. A Service that uses one
// (Service.UseSettings) reads it at every Log, Retry, RelatedObjects and
// Check, so that what an admin saves applies at once, in every process.
// The store package's ActivitySettings is one.
type SettingsSource interface {
	ActivitySettings(ctx context.Context) (Settings, error)
}

// Report is what an org's describes say of Settings, as the admin who
// checks them sees the org.
type Report struct {
	// Types is one line per kind with a Type, in the order email, link,
	// meeting.
	Types []TypeCheck
	// Related is one line per object activities may be related to:
	// DefaultRelatedObjects, then Settings.RelatedObjects.
	Related []RelatedCheck
}

// TypeCheck is one share kind's Type mapping checked against the org.
type TypeCheck struct {
	Kind   Kind
	Object string // Task or Event
	Value  string
	// Missing says that Value is not an active value of the org's
	// Object.Type picklist: logging the kind fails until an admin adds the
	// value in Salesforce and re-syncs, or changes the mapping. Values are
	// the org's active values (none when Object has no Type field, and
	// then the activity simply gets no Type).
	Missing bool
	Values  []string
}

// RelatedCheck is one object activities may be related to, checked.
type RelatedCheck struct {
	Object string
	// Err is nil when the object allows activities, else a
	// *RelatedObjectError saying why not and what to do.
	Err error
}

// Refused returns the joined *RelatedObjectError of every related object
// that does not allow activities, or nil.
func (r Report) Refused() error {
	var errs []error
	for _, c := range r.Related {
		errs = append(errs, c.Err)
	}
	return errors.Join(errs...)
}

// Missing returns the Type mappings whose value the org does not have.
func (r Report) Missing() []TypeCheck {
	var out []TypeCheck
	for _, t := range r.Types {
		if t.Missing {
			out = append(out, t)
		}
	}
	return out
}
