package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/activity"
	"github.com/sfbridge/sfbridge/internal/search"
	"github.com/sfbridge/sfbridge/internal/store"
)

// FeatureStore keeps the admin settings of who may log activities and who
// may search (access.Feature). [NewStore]'s store is one.
type FeatureStore interface {
	// Feature returns f's setting; every feature is open to everyone until
	// an admin chooses otherwise.
	Feature(ctx context.Context, f access.Feature) (FeatureSetting, error)
	// SetFeature replaces f's setting with its audit entry, in one
	// transaction. A member who is no user returns ErrNotFound.
	SetFeature(ctx context.Context, f access.Feature, s FeatureSetting, audit AuditEntry) error
	// Granted returns the features open to userID: to everyone, to them by
	// name, or to a role they hold.
	Granted(ctx context.Context, userID int64) (access.Feature, error)
}

// FeatureSetting says who may use a feature: everyone, or only the members
// and the holders of the roles (docs/adr/0325-features-granted-to-roles.md).
type FeatureSetting struct {
	// Everyone opens the feature to every signed-in person; when false only
	// Members and the holders of Roles may use it.
	Everyone bool `json:"everyone"`
	// Members are user ids, sorted. They are kept while Everyone is true.
	Members []int64 `json:"members"`
	// Roles open the feature to everyone holding one of them ("all
	// connector users"), in the order of access.AllRoles; a request may
	// leave them out (none). They are kept while Everyone is true.
	Roles []access.Role `json:"roles"`
}

// initServices builds the activity and search services from the options.
func (s *Server) initServices() error {
	if s.opts.Features == nil {
		s.opts.Features, _ = s.opts.Store.(FeatureStore)
	}
	if s.opts.Activities != nil {
		var err error
		if s.activity, err = activity.NewService(s.opts.ActivitySettings, s.opts.Activities); err != nil {
			return err
		}
		s.useActivitySettings()
	}
	if s.opts.Choices != nil {
		var err error
		if s.searcher, err = search.NewService(s.opts.Search, s.opts.Choices); err != nil {
			return err
		}
	}
	return nil
}

// featureRoutes are GET and PUT /api/v1/settings/{feature} for each feature.
func (s *Server) featureRoutes(v1 string) []route {
	var rts []route
	for _, f := range access.AllFeatures {
		path := v1 + "/settings/" + f.String()
		rts = append(rts,
			guarded(http.MethodGet, path, access.FeatureSettings, "Who may use "+featureLabel[f]+": everyone, or chosen people and roles", s.getFeature(f)).
				body(nil, FeatureSetting{}),
			guarded(http.MethodPut, path, access.FeatureSettings, "Choose who may use "+featureLabel[f]+": everyone, or only the listed people and the holders of the listed roles", s.setFeature(f)).
				body(FeatureSetting{}, FeatureSetting{}))
	}
	return rts
}

var featureLabel = map[access.Feature]string{
	access.FeatureActivity: "activity logging",
	access.FeatureSearch:   "search and list views",
}

func (s *Server) getFeature(f access.Feature) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		fs, err := s.features()
		if err != nil {
			return nil, err
		}
		return fs.Feature(c.r.Context(), f)
	}
}

func (s *Server) setFeature(f access.Feature) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		fs, err := s.features()
		if err != nil {
			return nil, err
		}
		var in FeatureSetting
		if err := c.decode(&in); err != nil {
			return nil, err
		}
		in.Members = slices.Compact(slices.Sorted(slices.Values(in.Members)))
		for i, id := range in.Members {
			if id <= 0 {
				return nil, invalid(FieldError{Field: fmt.Sprintf("members[%d]", i), Message: fmt.Sprintf("is %d; user ids are positive integers", id)})
			}
		}
		roles, err := parseRoles(in.Roles)
		if err != nil {
			return nil, err
		}
		in.Roles = roles.List()
		detail := fmt.Sprintf("%s: everyone %v, members %v, roles %s", f, in.Everyone, in.Members, roles)
		err = fs.SetFeature(c.r.Context(), f, in, c.audit(string(access.FeatureSettings), "feature "+f.String(), detail))
		if errors.Is(err, ErrNotFound) {
			return nil, invalid(FieldError{Field: "members", Message: "names someone who is not a user; GET /api/v1/users lists them"})
		}
		if err != nil {
			return nil, err
		}
		if in.Members == nil {
			in.Members = []int64{}
		}
		return in, nil
	}
}

// features returns the feature settings' store, or an error saying the
// server runs without one.
func (s *Server) features() (FeatureStore, error) {
	if s.opts.Features == nil {
		return nil, errorf(CodeUnavailable, "This server keeps no feature settings: activity logging and search are open to everyone.")
	}
	return s.opts.Features, nil
}

// grant fills the caller's granted features, for actions that need one.
func (s *Server) grant(c *call) error {
	set, err := s.granted(c.r.Context(), c.actor.ID)
	c.actor.Features = set
	return err
}

// granted returns the features open to userID. Without a FeatureStore
// every feature is open.
func (s *Server) granted(ctx context.Context, userID int64) (access.Feature, error) {
	if s.opts.Features == nil {
		return access.FeatureActivity | access.FeatureSearch, nil
	}
	set, err := s.opts.Features.Granted(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("reading the features granted to user %d: %w", userID, err)
	}
	return set, nil
}

var _ FeatureStore = dbStore{}

func (d dbStore) Feature(ctx context.Context, f access.Feature) (FeatureSetting, error) {
	fa, err := d.st.FeatureSettings().Get(ctx, f)
	if err != nil {
		return FeatureSetting{}, apiError(err, "")
	}
	if fa.Members == nil {
		fa.Members = []int64{}
	}
	return FeatureSetting{Everyone: fa.Everyone, Members: fa.Members, Roles: fa.Roles.List()}, nil
}

func (d dbStore) SetFeature(ctx context.Context, f access.Feature, s FeatureSetting, audit AuditEntry) error {
	fa := store.FeatureAccess{Feature: f, Everyone: s.Everyone, Members: s.Members, Roles: access.RolesOf(s.Roles...)}
	err := d.st.FeatureSettings().Set(ctx, fa, storeAudit(audit))
	if errors.Is(err, store.ErrConstraint) {
		return fmt.Errorf("a member is not a user (GET /api/v1/users lists them): %w", ErrNotFound)
	}
	return apiError(err, "")
}

func (d dbStore) Granted(ctx context.Context, userID int64) (access.Feature, error) {
	return d.st.FeatureSettings().Granted(ctx, userID)
}
