package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sfbridge/sfbridge/internal/activity"
)

// ActivitySettings is the repository of the admin's activity logging
// settings: one set for the server, the defaults until an admin saves
// some. It is the activity.SettingsSource of `sfbridge serve`.
type ActivitySettings struct{ sc Scope }

var _ activity.SettingsSource = ActivitySettings{}

// ActivitySettings returns the activity settings' repository, each call in
// its own transaction.
func (s *Store) ActivitySettings() ActivitySettings { return ActivitySettings{s} }

// ActivitySettings returns the activity settings' repository inside tx.
func (tx *Tx) ActivitySettings() ActivitySettings { return ActivitySettings{tx} }

// activitySettingsDoc is the stored form of activity.Settings. Types nil
// (JSON null) means the default mapping; an empty object, no Type at all.
type activitySettingsDoc struct {
	Scope          string            `json:"scope"`
	Types          map[string]string `json:"types"`
	ClosedStatus   string            `json:"closedStatus,omitempty"`
	RelatedObjects []string          `json:"relatedObjects"`
	ResyncedAt     *time.Time        `json:"resyncedAt,omitempty"`
}

func settingsDoc(s activity.Settings) activitySettingsDoc {
	d := activitySettingsDoc{Scope: string(s.Scope), ClosedStatus: s.ClosedStatus, RelatedObjects: s.RelatedObjects}
	if d.RelatedObjects == nil {
		d.RelatedObjects = []string{}
	}
	if s.Types != nil {
		d.Types = map[string]string{}
		for k, v := range s.Types {
			d.Types[string(k)] = v
		}
	}
	if !s.ResyncedAt.IsZero() {
		t := dbTime(s.ResyncedAt)
		d.ResyncedAt = &t
	}
	return d
}

func (d activitySettingsDoc) settings() activity.Settings {
	s := activity.Settings{Scope: activity.RecipientScope(d.Scope), ClosedStatus: d.ClosedStatus, RelatedObjects: d.RelatedObjects}
	if d.Types != nil {
		s.Types = map[activity.Kind]string{}
		for k, v := range d.Types {
			s.Types[activity.Kind(k)] = v
		}
	}
	if d.ResyncedAt != nil {
		s.ResyncedAt = d.ResyncedAt.UTC()
	}
	return s
}

// Get returns the saved settings, or activity.DefaultSettings when an
// admin saved none.
func (r ActivitySettings) Get(ctx context.Context) (activity.Settings, error) {
	var s activity.Settings
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var doc string
		err := tx.QueryRow(ctx, `SELECT settings FROM activity_settings WHERE id = 1`).Scan(&doc)
		if errors.Is(err, ErrNotFound) {
			s = activity.DefaultSettings()
			return nil
		}
		if err != nil {
			return err
		}
		var d activitySettingsDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return fmt.Errorf("decoding the stored settings: %w", err)
		}
		s = d.settings()
		return nil
	})
	if err != nil {
		return activity.Settings{}, fmt.Errorf("reading the activity settings: %w", err)
	}
	return s, nil
}

// ActivitySettings implements activity.SettingsSource.
func (r ActivitySettings) ActivitySettings(ctx context.Context) (activity.Settings, error) {
	return r.Get(ctx)
}

// Set replaces the settings, with its audit entry (Before and After filled
// in) in the same transaction. It does not validate them: callers do
// (activity.Settings.Validate, and the org's describes).
func (r ActivitySettings) Set(ctx context.Context, s activity.Settings, audit AuditEntry) error {
	after := settingsDoc(s)
	err := r.sc.Write(ctx, func(tx *Tx) error {
		before, err := tx.ActivitySettings().Get(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO activity_settings (id, settings, updated_at) VALUES (1, $1, $2)
ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
			string(mustJSON(after)), tx.Now()); err != nil {
			return err
		}
		audit.Before, audit.After = mustJSON(settingsDoc(before)), mustJSON(after)
		_, err = tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the activity settings: %w", err)
	}
	return nil
}
