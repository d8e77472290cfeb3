package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/sfbridge/sfbridge/internal/access"
)

// FeatureAccess is the admin setting of one feature (activity logging,
// search): open to everyone, or to the chosen members only.
type FeatureAccess struct {
	Feature  access.Feature
	Everyone bool
	Members  []int64 // user ids, sorted; they matter only when Everyone is false
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
		fa.Members, err = ids(ctx, tx, `SELECT user_id FROM feature_members WHERE feature = $1 ORDER BY user_id`, f.String())
		return err
	})
	if err != nil {
		return FeatureAccess{}, fmt.Errorf("reading the %s setting: %w", f, err)
	}
	return fa, nil
}

// Set replaces the setting of fa.Feature, with its audit entry (Before and
// After filled in) in the same transaction. A member who is not a user
// fails with ErrConstraint.
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
		audit.Before = mustJSON(featureState(before))
		audit.After = mustJSON(featureState(FeatureAccess{Everyone: fa.Everyone, Members: members}))
		_, err = tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the %s setting: %w", name, err)
	}
	return nil
}

// Granted returns the features the settings open to user: those open to
// everyone and those naming them.
func (r FeatureSettings) Granted(ctx context.Context, user int64) (access.Feature, error) {
	var set access.Feature
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT feature FROM feature_settings s WHERE everyone = $1
OR EXISTS (SELECT 1 FROM feature_members m WHERE m.feature = s.feature AND m.user_id = $2)`, true, user)
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

// featureState is a setting as the audit log records it.
func featureState(fa FeatureAccess) any {
	return struct {
		Everyone bool    `json:"everyone"`
		Members  []int64 `json:"members"`
	}{fa.Everyone, fa.Members}
}
