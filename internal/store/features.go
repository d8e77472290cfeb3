package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/sfbridge/sfbridge/internal/access"
)

// FeatureAccess is the admin setting of one feature (activity logging,
// search): open to everyone, or only to the chosen members and to whoever
// holds one of the chosen roles (docs/adr/0325-features-granted-to-roles.md).
type FeatureAccess struct {
	Feature  access.Feature
	Everyone bool
	Members  []int64 // user ids, sorted; they matter only when Everyone is false
	// Roles open the feature to everyone holding one of them; they matter
	// only when Everyone is false.
	Roles access.Roles
}

// FeatureSettings is the repository of the feature settings. Every feature
// is open to everyone until an admin chooses otherwise.
type FeatureSettings struct{ sc Scope }

// FeatureSettings returns the feature settings' repository, each call in its
// own transaction.
func (s *Store) FeatureSettings() FeatureSettings { return FeatureSettings{s} }

// FeatureSettings returns the feature settings' repository inside tx.
func (tx *Tx) FeatureSettings() FeatureSettings { return FeatureSettings{tx} }

// Get returns the setting of f.
func (r FeatureSettings) Get(ctx context.Context, f access.Feature) (FeatureAccess, error) {
	fa := FeatureAccess{Feature: f}
	err := r.sc.Read(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT everyone FROM feature_settings WHERE feature = $1`, f.String()).Scan(&fa.Everyone); err != nil {
			return err
		}
		var err error
		if fa.Members, err = ids(ctx, tx, `SELECT user_id FROM feature_members WHERE feature = $1 ORDER BY user_id`, f.String()); err != nil {
			return err
		}
		// scanRoles reads (user id, role) rows; the id is not used here.
		return scanRoles(ctx, tx, `SELECT 0, role FROM feature_roles WHERE feature = $1`, []any{f.String()}, func(_ int64, role access.Role) {
			fa.Roles = fa.Roles.With(role)
		})
	})
	if err != nil {
		return FeatureAccess{}, fmt.Errorf("reading the %s setting: %w", f, err)
	}
	return fa, nil
}

// Set replaces the setting of fa.Feature (its members and roles included),
// with its audit entry (Before and After filled in) in the same
// transaction. A member who is not a user fails with ErrConstraint.
func (r FeatureSettings) Set(ctx context.Context, fa FeatureAccess, audit AuditEntry) error {
	name := fa.Feature.String()
	members := slices.Compact(slices.Sorted(slices.Values(fa.Members)))
	err := r.sc.Write(ctx, func(tx *Tx) error {
		before, err := tx.FeatureSettings().Get(ctx, fa.Feature)
		if err != nil {
			return err
		}
		if err := oneRow(tx.Exec(ctx, `UPDATE feature_settings SET everyone = $1, updated_at = $2 WHERE feature = $3`, fa.Everyone, tx.Now(), name)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM feature_members WHERE feature = $1`, name); err != nil {
			return err
		}
		for _, id := range members {
			if _, err := tx.Exec(ctx, `INSERT INTO feature_members (feature, user_id) VALUES ($1, $2)`, name, id); err != nil {
				return fmt.Errorf("adding user %d: %w", id, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM feature_roles WHERE feature = $1`, name); err != nil {
			return err
		}
		for _, role := range fa.Roles.List() {
			if _, err := tx.Exec(ctx, `INSERT INTO feature_roles (feature, role) VALUES ($1, $2)`, name, string(role)); err != nil {
				return fmt.Errorf("adding role %s: %w", role, err)
			}
		}
		audit.Before = mustJSON(featureState(before))
		audit.After = mustJSON(featureState(FeatureAccess{Everyone: fa.Everyone, Members: members, Roles: fa.Roles}))
		_, err = tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the %s setting: %w", name, err)
	}
	return nil
}

// Granted returns the features the settings open to user: those open to
// everyone, those naming them, and those granted to a role they hold. It is
// one query, each branch on a primary key.
func (r FeatureSettings) Granted(ctx context.Context, user int64) (access.Feature, error) {
	var set access.Feature
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT feature FROM feature_settings s WHERE everyone = $1
OR EXISTS (SELECT 1 FROM feature_members m WHERE m.feature = s.feature AND m.user_id = $2)
OR EXISTS (SELECT 1 FROM feature_roles fr JOIN user_roles ur ON ur.role = fr.role
           WHERE fr.feature = s.feature AND ur.user_id = $2)`, true, user)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			f, err := access.ParseFeature(name)
			if err != nil {
				return err
			}
			set |= f
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("reading the features granted to user %d: %w", user, err)
	}
	return set, nil
}

// featureState is a setting as the audit log records it, with empty lists
// as [] rather than null.
func featureState(fa FeatureAccess) any {
	if fa.Members == nil {
		fa.Members = []int64{}
	}
	return struct {
		Everyone bool          `json:"everyone"`
		Members  []int64       `json:"members"`
		Roles    []access.Role `json:"roles"`
	}{fa.Everyone, fa.Members, fa.Roles.List()}
}
