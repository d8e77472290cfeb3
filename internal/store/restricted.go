package store

import (
	"context"
	"fmt"
	"slices"
)

// RestrictedList is the restricted-access list: whether it is on, and who is
// on it. While it is on, only its members may author workflows
// (docs/adr/0120-access-model.md).
type RestrictedList struct {
	On      bool
	Members []int64 // user ids, sorted
}

// Restricted is the repository of the restricted-access list, bound to a
// Scope. Its changes carry consequences for other tables (members added,
// workflows disabled), so each takes the audit entry recording it and
// writes it, with one entry per consequence, in the change's transaction.
type Restricted struct{ sc Scope }

// Restricted returns the list's repository, each call in its own
// transaction.
func (s *Store) Restricted() Restricted { return Restricted{s} }

// Restricted returns the list's repository inside tx.
func (tx *Tx) Restricted() Restricted { return Restricted{tx} }

// Get returns the list.
func (r Restricted) Get(ctx context.Context) (RestrictedList, error) {
	var l RestrictedList
	err := r.sc.Read(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT restricted_on FROM access_settings WHERE id = 1`).Scan(&l.On); err != nil {
			return err
		}
		var err error
		l.Members, err = ids(ctx, tx, `SELECT user_id FROM restricted_members ORDER BY user_id`)
		return err
	})
	if err != nil {
		return RestrictedList{}, fmt.Errorf("reading the restricted-access list: %w", err)
	}
	return l, nil
}

// SetOn turns the list on or off, and returns the users it added. Turning it
// on adds everyone who owns a workflow and is not a member yet; turning it
// off keeps the members for when it is turned on again. The audit entry
// (with Before and After filled in) is written only when the setting
// changes.
func (r Restricted) SetOn(ctx context.Context, on bool, audit AuditEntry) (added []int64, err error) {
	err = r.sc.Write(ctx, func(tx *Tx) error {
		if err := lockAccess(ctx, tx); err != nil {
			return err
		}
		var was bool
		if err := tx.QueryRow(ctx, `SELECT restricted_on FROM access_settings WHERE id = 1`).Scan(&was); err != nil {
			return err
		}
		if was == on {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE access_settings SET restricted_on = $1, updated_at = $2 WHERE id = 1`, on, tx.Now()); err != nil {
			return err
		}
		if on {
			var err error
			// added_at comes from the row just updated (tx.Now()): a
			// parameter in a SELECT list has no type on PostgreSQL.
			added, err = ids(ctx, tx, `INSERT INTO restricted_members (user_id, added_at)
SELECT DISTINCT w.owner_id, s.updated_at FROM workflows w JOIN access_settings s ON s.id = 1
WHERE w.owner_id NOT IN (SELECT user_id FROM restricted_members)
RETURNING user_id`)
			if err != nil {
				return fmt.Errorf("adding the owners of workflows: %w", err)
			}
			slices.Sort(added)
		}
		audit.Before = mustJSON(map[string]bool{"on": was})
		audit.After = mustJSON(struct {
			On    bool    `json:"on"`
			Added []int64 `json:"added,omitempty"`
		}{on, added})
		_, err := tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("turning the restricted-access list %s: %w", onOff(on), err)
	}
	return added, nil
}

// Add puts a user on the list; adding a member again changes nothing and
// writes no entry. An unknown user is ErrNotFound.
func (r Restricted) Add(ctx context.Context, userID int64, audit AuditEntry) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Users().Get(ctx, userID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO restricted_members (user_id, added_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, userID, tx.Now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		audit.Before, audit.After = mustJSON(map[string]bool{"member": false}), mustJSON(map[string]bool{"member": true})
		_, err = tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return fmt.Errorf("adding user %d to the restricted-access list: %w", userID, err)
	}
	return nil
}

// Remove takes a user off the list and, in the same transaction, disables
// every enabled workflow they own, writing the audit entry and one
// "workflow.disable" entry per workflow by the same actor. It returns the
// disabled workflows' ids, sorted. A user who is not a member is
// ErrNotFound.
func (r Restricted) Remove(ctx context.Context, userID int64, audit AuditEntry) (disabled []int64, err error) {
	err = r.sc.Write(ctx, func(tx *Tx) error {
		if err := oneRow(tx.Exec(ctx, `DELETE FROM restricted_members WHERE user_id = $1`, userID)); err != nil {
			return fmt.Errorf("the user is not on the list: %w", err)
		}
		audit.Before, audit.After = mustJSON(map[string]bool{"member": true}), mustJSON(map[string]bool{"member": false})
		if _, err := tx.Audit().Append(ctx, audit); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE workflows SET enabled = 0, updated_at = $1 WHERE owner_id = $2 AND enabled = 1 RETURNING id, name`, tx.Now(), userID)
		if err != nil {
			return fmt.Errorf("disabling their workflows: %w", err)
		}
		names := map[int64]string{}
		for rows.Next() {
			var (
				id   int64
				name string
			)
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			disabled, names[id] = append(disabled, id), name
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		slices.Sort(disabled)
		for _, id := range disabled {
			if _, err := tx.Audit().Append(ctx, AuditEntry{ActorID: audit.ActorID, Action: "workflow.disable",
				Subject: fmt.Sprintf("workflow %d", id),
				Detail:  fmt.Sprintf("disabled workflow %q: its owner (user %d) was removed from the restricted-access list", names[id], userID),
				Before:  mustJSON(map[string]bool{"enabled": true}), After: mustJSON(map[string]bool{"enabled": false}),
				At: audit.At}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("removing user %d from the restricted-access list: %w", userID, err)
	}
	return disabled, nil
}

// ids runs a query returning one integer column.
func ids(ctx context.Context, tx *Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		list = append(list, id)
	}
	return list, rows.Err()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
