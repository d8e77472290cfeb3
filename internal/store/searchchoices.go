package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sfbridge/sfbridge/internal/search"
)

// ListViewChoices is the SQL search.ChoiceStore: the list views each
// Salesforce user enabled per object. The search service checks the rules
// (one or two views of the object); this only keeps them.
type ListViewChoices struct{ sc Scope }

var _ search.ChoiceStore = ListViewChoices{}

// ListViewChoices returns the list view choice repository, each call in its
// own transaction.
func (s *Store) ListViewChoices() ListViewChoices { return ListViewChoices{s} }

// Choice implements search.ChoiceStore: nil when user chose nothing for
// object.
func (r ListViewChoices) Choice(ctx context.Context, user, object string) ([]string, error) {
	var ids []string
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var doc string
		err := tx.QueryRow(ctx, `SELECT view_ids FROM listview_choices WHERE user_key = $1 AND object = $2`, user, object).Scan(&doc)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(doc), &ids)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the list views %s chose for %s: %w", user, object, err)
	}
	return ids, nil
}

// SetChoice implements search.ChoiceStore; no ids removes the choice.
func (r ListViewChoices) SetChoice(ctx context.Context, user, object string, ids []string) error {
	doc := mustJSON(ids)
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if len(ids) == 0 {
			_, err := tx.Exec(ctx, `DELETE FROM listview_choices WHERE user_key = $1 AND object = $2`, user, object)
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO listview_choices (user_key, object, view_ids, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_key, object) DO UPDATE SET view_ids = excluded.view_ids, updated_at = excluded.updated_at`,
			user, object, string(doc), tx.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the list views %s chose for %s: %w", user, object, err)
	}
	return nil
}
