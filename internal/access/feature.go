package access

import "fmt"

// Feature is a part of sfbridge (or, or-ed together, a set of them) that an admin setting opens to everyone or
// to chosen people only: logging activities, searching Salesforce. The
// setting itself is stored elsewhere (package store); [Actor.Features]
// carries what it grants the person asking.
type Feature uint8

// The features an admin setting governs.
const (
	FeatureActivity Feature = 1 << iota // activity logging: ActivityLog
	FeatureSearch                       // search and list views: SearchUse
)

// AllFeatures lists every feature, in a stable order.
var AllFeatures = []Feature{FeatureActivity, FeatureSearch}

var featureNames = map[Feature]string{FeatureActivity: "activity", FeatureSearch: "search"}

// String returns the feature's name as used in settings and URLs:
// "activity", "search".
func (f Feature) String() string {
	if n, ok := featureNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Feature(%d)", uint8(f))
}

// ParseFeature returns the feature named name ("activity", "search").
func ParseFeature(name string) (Feature, error) {
	for f, n := range featureNames {
		if n == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("access: %q is not a feature; use activity or search", name)
}

// Has reports whether the set holds every feature of g.
func (f Feature) Has(g Feature) bool { return g != 0 && f&g == g }

// Feature returns the feature an action needs granted, 0 for actions that
// need none. Callers fill [Actor.Features] before deciding such an action.
func (act Action) Feature() Feature {
	switch act {
	case ActivityLog:
		return FeatureActivity
	case SearchUse:
		return FeatureSearch
	}
	return 0
}

// granted returns the rule of an action open to the people the feature's
// admin setting grants it to, whatever their roles.
func granted(f Feature) func(Actor, Resource, ask) Decision {
	return func(a Actor, _ Resource, q ask) Decision {
		if a.Features.Has(f) {
			return q.allow()
		}
		return q.refuse(ReasonFeatureNotGranted, "An admin has not allowed you to %s. Ask a system admin or connector admin to add you in the "+f.String()+" settings.")
	}
}
