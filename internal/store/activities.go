package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/activity"
)

// Activities is the SQL activity.Store: one row per idempotency key, the
// entry kept whole as JSON beside the columns lists sort on.
type Activities struct{ sc Scope }

var _ activity.Store = Activities{}

// Activities returns the activity repository, each call in its own
// transaction.
func (s *Store) Activities() Activities { return Activities{s} }

// Claim implements activity.Store: it inserts e unless its key exists, in
// one write transaction, so of two concurrent claims exactly one inserts.
func (r Activities) Claim(ctx context.Context, e activity.Entry) (activity.Entry, bool, error) {
	doc, err := json.Marshal(e)
	if err != nil {
		return activity.Entry{}, false, fmt.Errorf("encoding activity %q: %w", e.Key, err)
	}
	inserted := false
	err = r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO activities (key, org_id, sf_user_id, status, entry, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
			e.Key, e.OrgID, e.UserID, string(e.Status), string(doc), dbTime(e.CreatedAt), dbTime(e.UpdatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if inserted = n == 1; !inserted {
			e, err = getActivity(ctx, tx, e.Key)
		}
		return err
	})
	if err != nil {
		return activity.Entry{}, false, fmt.Errorf("claiming activity key %q: %w", e.Key, err)
	}
	return e, inserted, nil
}

// Put implements activity.Store.
func (r Activities) Put(ctx context.Context, e activity.Entry) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding activity %q: %w", e.Key, err)
	}
	err = r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE activities SET status = $1, entry = $2, updated_at = $3 WHERE key = $4`,
			string(e.Status), string(doc), dbTime(e.UpdatedAt), e.Key))
	})
	if err != nil {
		return fmt.Errorf("saving activity %q: %w", e.Key, activityErr(err))
	}
	return nil
}

// Get implements activity.Store.
func (r Activities) Get(ctx context.Context, key string) (activity.Entry, error) {
	var e activity.Entry
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var err error
		e, err = getActivity(ctx, tx, key)
		return err
	})
	if err != nil {
		return activity.Entry{}, fmt.Errorf("reading activity %q: %w", key, activityErr(err))
	}
	return e, nil
}

// List implements activity.Store: oldest first, then by key.
func (r Activities) List(ctx context.Context, status activity.Status) ([]activity.Entry, error) {
	return r.Find(ctx, activity.Filter{Status: status})
}

// Find implements activity.Store: the filter and the limit are SQL, on the
// activities_user index for one user's entries.
func (r Activities) Find(ctx context.Context, f activity.Filter) ([]activity.Entry, error) {
	var (
		where []string
		args  []any
	)
	for _, c := range []struct{ column, value string }{{"org_id", f.OrgID}, {"sf_user_id", f.UserID}, {"status", string(f.Status)}} {
		if c.value != "" {
			args = append(args, c.value)
			where = append(where, fmt.Sprintf("%s = $%d", c.column, len(args)))
		}
	}
	q := "SELECT entry FROM activities"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, key DESC"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	var out []activity.Entry
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var doc string
			if err := rows.Scan(&doc); err != nil {
				return err
			}
			var e activity.Entry
			if err := json.Unmarshal([]byte(doc), &e); err != nil {
				return fmt.Errorf("decoding a stored activity: %w", err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing activities: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

func getActivity(ctx context.Context, tx *Tx, key string) (activity.Entry, error) {
	var doc string
	if err := tx.QueryRow(ctx, `SELECT entry FROM activities WHERE key = $1`, key).Scan(&doc); err != nil {
		return activity.Entry{}, err
	}
	var e activity.Entry
	if err := json.Unmarshal([]byte(doc), &e); err != nil {
		return activity.Entry{}, fmt.Errorf("decoding stored activity %q: %w", key, err)
	}
	return e, nil
}

// activityErr makes ErrNotFound match activity.ErrNotFound too, as the
// activity.Store contract asks, keeping store.ErrNotFound in the chain.
func activityErr(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", activity.ErrNotFound, err)
	}
	return err
}
