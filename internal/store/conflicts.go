package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// ConflictPolicy is how a workflow settles a field changed on both sides
// since the last sync (the workflow's "conflicts" setting).
type ConflictPolicy string

// Conflict policies.
const (
	PolicySalesforceWins ConflictPolicy = "salesforce_wins"
	PolicySheetWins      ConflictPolicy = "sheet_wins"
	PolicyNewestWins     ConflictPolicy = "newest_wins"
	PolicyManual         ConflictPolicy = "manual" // someone chooses
)

// Resolution is how a conflict was settled.
type Resolution string

// Resolutions; the zero value is an open conflict.
const (
	Unresolved           Resolution = ""
	ResolvedSheet        Resolution = "sheet"      // the sheet's value was kept, and sent to Salesforce
	ResolvedSalesforce   Resolution = "salesforce" // Salesforce's value was kept, and written to the sheet
	ResolvedWithNewValue Resolution = "value"      // someone chose another value: ResolvedValue
)

// Conflict is a field changed on both sides since the last sync: the
// sheet's value, Salesforce's, and the base they both changed from (the
// link's), under the workflow's policy, and how it was settled, by whom and
// when. Values are kept as JSON (see Link).
type Conflict struct {
	ID              int64
	WorkflowID      int64
	SheetID         int64
	RowID           int64
	SFID            string
	Field           string // the Salesforce field's API name
	Column          string // the sheet column's name
	SheetValue      any
	SalesforceValue any
	BaseValue       any
	Policy          ConflictPolicy
	Resolution      Resolution
	ResolvedValue   any    // the value kept: the sheet's, Salesforce's, or the one chosen
	ResolvedBy      string // who settled it: a user, or "policy"
	CreatedAt       time.Time
	ResolvedAt      time.Time // zero while open
}

// Open reports whether the conflict waits for a decision.
func (c Conflict) Open() bool { return c.Resolution == Unresolved }

// ConflictFilter narrows Conflicts.List; zero fields match everything.
type ConflictFilter struct {
	WorkflowID int64
	SheetID    int64
	RowID      int64
	OpenOnly   bool
}

// Conflicts is the repository of conflicts, bound to a Scope.
type Conflicts struct{ sc Scope }

// Conflicts returns the conflicts repository, each call in its own
// transaction.
func (s *Store) Conflicts() Conflicts { return Conflicts{s} }

// Conflicts returns the conflicts repository inside tx.
func (tx *Tx) Conflicts() Conflicts { return Conflicts{tx} }

const conflictColumns = `id, workflow_id, sheet_id, row_id, sfid, field, column_name, sheet_value, salesforce_value,
	base_value, policy, resolution, resolved_value, resolved_by, created_at, resolved_at`

// Record stores a conflict, at the transaction's time, and returns it. A
// conflict the policy settled at once carries its Resolution, ResolvedValue
// and ResolvedBy, and is resolved at that time too; a manual one is open.
func (r Conflicts) Record(ctx context.Context, c Conflict) (Conflict, error) {
	if strings.TrimSpace(c.Field) == "" {
		return Conflict{}, fmt.Errorf("recording a conflict on row %d: %w: the field is empty", c.RowID, ErrInvalid)
	}
	if c.Resolution != Unresolved && strings.TrimSpace(c.ResolvedBy) == "" {
		return Conflict{}, fmt.Errorf("recording a conflict on row %d: %w: a resolved conflict needs who resolved it", c.RowID, ErrInvalid)
	}
	vals, err := jsonValues(c.SheetValue, c.SalesforceValue, c.BaseValue, c.ResolvedValue)
	if err != nil {
		return Conflict{}, fmt.Errorf("recording a conflict on row %d: %w", c.RowID, err)
	}
	var out Conflict
	err = r.sc.Write(ctx, func(tx *Tx) error {
		var resolvedAt sql.NullTime
		if c.Resolution != Unresolved {
			resolvedAt = nullTime(tx.Now())
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO sync_conflicts (workflow_id, sheet_id, row_id, sfid, field, column_name, sheet_value,
				salesforce_value, base_value, policy, resolution, resolved_value, resolved_by, created_at, resolved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			c.WorkflowID, c.SheetID, c.RowID, c.SFID, c.Field, c.Column, vals[0], vals[1], vals[2], string(c.Policy),
			string(c.Resolution), vals[3], c.ResolvedBy, tx.Now(), resolvedAt).Scan(&id); err != nil {
			return err
		}
		var err error
		out, err = tx.Conflicts().Get(ctx, id)
		return err
	})
	if err != nil {
		return Conflict{}, fmt.Errorf("recording a conflict on field %s of row %d: %w", c.Field, c.RowID, err)
	}
	return out, nil
}

// jsonValues encodes values as JSON text.
func jsonValues(vs ...any) ([]string, error) {
	out := make([]string, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%w: a value cannot be stored as JSON: %w", ErrInvalid, err)
		}
		out[i] = string(b)
	}
	return out, nil
}

// Resolve settles an open conflict: how, the value kept, and who decided,
// at the transaction's time. A conflict already settled fails with
// ErrConflict.
func (r Conflicts) Resolve(ctx context.Context, id int64, how Resolution, value any, by string) (Conflict, error) {
	if how == Unresolved || strings.TrimSpace(by) == "" {
		return Conflict{}, fmt.Errorf("resolving conflict %d: %w: say how (sheet, salesforce or value) and who decided", id, ErrInvalid)
	}
	vals, err := jsonValues(value)
	if err != nil {
		return Conflict{}, fmt.Errorf("resolving conflict %d: %w", id, err)
	}
	var out Conflict
	err = r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE sync_conflicts SET resolution = $1, resolved_value = $2, resolved_by = $3, resolved_at = $4
			WHERE id = $5 AND resolution = ''`, string(how), vals[0], by, tx.Now(), id)
		if err := oneRow(res, err); err != nil {
			if _, getErr := tx.Conflicts().Get(ctx, id); getErr == nil {
				return fmt.Errorf("%w: the conflict is already resolved", ErrConflict)
			}
			return err
		}
		out, err = tx.Conflicts().Get(ctx, id)
		return err
	})
	if err != nil {
		return Conflict{}, fmt.Errorf("resolving conflict %d: %w", id, err)
	}
	return out, nil
}

// Get returns the conflict with the given id.
func (r Conflicts) Get(ctx context.Context, id int64) (Conflict, error) {
	cs, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(cs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Conflict{}, fmt.Errorf("reading conflict %d: %w", id, err)
	}
	return cs[0], nil
}

// List returns up to limit conflicts that match f, oldest first, after the
// one with id afterID (0: from the first).
func (r Conflicts) List(ctx context.Context, f ConflictFilter, afterID int64, limit int) ([]Conflict, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("listing conflicts: %w: the limit %d is not positive", ErrInvalid, limit)
	}
	where, args := whereEq([]string{"workflow_id", "sheet_id", "row_id"}, f.WorkflowID, f.SheetID, f.RowID)
	if f.OpenOnly {
		where += " AND resolution = ''"
	}
	args = append(args, afterID, limit)
	cs, err := r.list(ctx, where+fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("listing conflicts: %w", err)
	}
	return cs, nil
}

func (r Conflicts) list(ctx context.Context, where string, args ...any) ([]Conflict, error) {
	var out []Conflict
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+conflictColumns+` FROM sync_conflicts `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c                      Conflict
				policy, resolution     string
				sheetV, sfV, baseV, rV string
				resolved               sql.NullTime
			)
			if err := rows.Scan(&c.ID, &c.WorkflowID, &c.SheetID, &c.RowID, &c.SFID, &c.Field, &c.Column, &sheetV, &sfV,
				&baseV, &policy, &resolution, &rV, &c.ResolvedBy, &c.CreatedAt, &resolved); err != nil {
				return err
			}
			for _, p := range []struct {
				js  string
				dst *any
			}{{sheetV, &c.SheetValue}, {sfV, &c.SalesforceValue}, {baseV, &c.BaseValue}, {rV, &c.ResolvedValue}} {
				if err := json.Unmarshal([]byte(p.js), p.dst); err != nil {
					return fmt.Errorf("reading the values of conflict %d: %w", c.ID, err)
				}
			}
			c.Policy, c.Resolution = ConflictPolicy(policy), Resolution(resolution)
			c.CreatedAt, c.ResolvedAt = c.CreatedAt.UTC(), utc(resolved)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
