package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// WorkflowStatus is what a workflow is doing.
type WorkflowStatus string

// Workflow statuses.
const (
	WorkflowIdle    WorkflowStatus = "idle"    // waiting for its next run
	WorkflowRunning WorkflowStatus = "running" // a run is in progress
	WorkflowFailing WorkflowStatus = "failing" // its last run failed; see LastError
	WorkflowPaused  WorkflowStatus = "paused"  // held back: API budget spent, or its org needs re-authentication
)

// Workflow is a user's sync definition — a YAML document, versioned — and
// the state the sync engine keeps about it.
type Workflow struct {
	ID        int64
	Name      string // unique, case-insensitively
	OrgID     int64
	OwnerID   int64 // the user whose connection the workflow acts with
	Enabled   bool
	Version   int    // 1 for a new workflow, +1 for each change of Document
	Document  string // the YAML definition, as written by the user
	State     WorkflowState
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WorkflowState is what the sync engine records after each step of a
// workflow.
type WorkflowState struct {
	Status        WorkflowStatus
	LastRunAt     time.Time // zero until the first run
	LastSuccessAt time.Time // zero until the first successful run
	LastError     string    // empty after a success
	SyncedTo      time.Time // Salesforce changes up to this instant are in the sheet
}

// Lag returns how far the workflow's data is behind now, and false when it
// has never synced.
func (s WorkflowState) Lag(now time.Time) (time.Duration, bool) {
	if s.SyncedTo.IsZero() {
		return 0, false
	}
	return max(0, now.Sub(s.SyncedTo)), true
}

// WorkflowVersion is one stored version of a workflow's document.
type WorkflowVersion struct {
	Version   int
	Document  string
	AuthorID  int64 // 0 when unknown or the author was deleted
	CreatedAt time.Time
}

// WorkflowFilter narrows Workflows.List; zero fields match everything.
type WorkflowFilter struct {
	OrgID       int64
	OwnerID     int64
	EnabledOnly bool
}

// Workflows is the repository of workflows, bound to a Scope.
type Workflows struct{ sc Scope }

// Workflows returns the workflows repository, each call in its own
// transaction.
func (s *Store) Workflows() Workflows { return Workflows{s} }

// Workflows returns the workflows repository inside tx.
func (tx *Tx) Workflows() Workflows { return Workflows{tx} }

const workflowColumns = `id, name, org_id, owner_id, enabled, version, document, status,
	last_run_at, last_success_at, last_error, synced_to, created_at, updated_at`

// Create stores a new workflow at version 1, authored by its owner, with
// status idle.
func (r Workflows) Create(ctx context.Context, w Workflow) (Workflow, error) {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return Workflow{}, fmt.Errorf("creating a workflow: %w: the name is empty", ErrInvalid)
	}
	var out Workflow
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO workflows (name, org_id, owner_id, enabled, version, document, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, 'idle', $6, $6) RETURNING id`,
			w.Name, w.OrgID, w.OwnerID, w.Enabled, w.Document, tx.Now()).Scan(&id); err != nil {
			return err
		}
		if err := addVersion(ctx, tx, id, 1, w.Document, w.OwnerID); err != nil {
			return err
		}
		var err error
		out, err = tx.Workflows().Get(ctx, id)
		return err
	})
	if errors.Is(err, ErrConflict) {
		return Workflow{}, fmt.Errorf("creating workflow %q: a workflow with that name already exists: %w", w.Name, err)
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("creating workflow %q: %w", w.Name, err)
	}
	return out, nil
}

func addVersion(ctx context.Context, tx *Tx, id int64, version int, doc string, author int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO workflow_versions (workflow_id, version, document, author_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, version, doc, sql.NullInt64{Int64: author, Valid: author != 0}, tx.Now())
	return err
}

// UpdateDocument replaces the workflow's document, provided the workflow is
// still at baseVersion (the version the author edited): otherwise it fails
// with ErrConflict and changes nothing. A document identical to the current
// one creates no new version.
func (r Workflows) UpdateDocument(ctx context.Context, id int64, baseVersion int, doc string, authorID int64) (Workflow, error) {
	var out Workflow
	err := r.sc.Write(ctx, func(tx *Tx) error {
		cur, err := tx.Workflows().Get(ctx, id)
		if err != nil {
			return err
		}
		if cur.Version != baseVersion {
			return fmt.Errorf("%w: it is at version %d, the change was made to version %d; reload it and apply the change again", ErrConflict, cur.Version, baseVersion)
		}
		if cur.Document == doc {
			out = cur
			return nil
		}
		next := cur.Version + 1
		if err := oneRow(tx.Exec(ctx, `UPDATE workflows SET document = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5`,
			doc, next, tx.Now(), id, baseVersion)); err != nil {
			return err
		}
		if err := addVersion(ctx, tx, id, next, doc, authorID); err != nil {
			return err
		}
		out, err = tx.Workflows().Get(ctx, id)
		return err
	})
	if err != nil {
		return Workflow{}, fmt.Errorf("updating workflow %d: %w", id, err)
	}
	return out, nil
}

// SetEnabled turns the workflow on or off.
func (r Workflows) SetEnabled(ctx context.Context, id int64, enabled bool) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE workflows SET enabled = $1, updated_at = $2 WHERE id = $3`, enabled, tx.Now(), id))
	})
	if err != nil {
		return fmt.Errorf("enabling workflow %d (%v): %w", id, enabled, err)
	}
	return nil
}

// SetState records the workflow's state. It does not change the version.
func (r Workflows) SetState(ctx context.Context, id int64, s WorkflowState) error {
	if s.Status == "" {
		s.Status = WorkflowIdle
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `UPDATE workflows SET status = $1, last_run_at = $2, last_success_at = $3,
			last_error = $4, synced_to = $5 WHERE id = $6`,
			string(s.Status), nullTime(s.LastRunAt), nullTime(s.LastSuccessAt), s.LastError, nullTime(s.SyncedTo), id))
	})
	if err != nil {
		return fmt.Errorf("recording the state of workflow %d: %w", id, err)
	}
	return nil
}

// Get returns the workflow with the given id.
func (r Workflows) Get(ctx context.Context, id int64) (Workflow, error) {
	ws, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(ws) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("reading workflow %d: %w", id, err)
	}
	return ws[0], nil
}

// ByName returns the workflow with the given name, compared
// case-insensitively.
func (r Workflows) ByName(ctx context.Context, name string) (Workflow, error) {
	ws, err := r.list(ctx, `WHERE lower(name) = lower($1)`, name)
	if err == nil && len(ws) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("reading workflow %q: %w", name, err)
	}
	return ws[0], nil
}

// List returns the workflows that match f, by name.
func (r Workflows) List(ctx context.Context, f WorkflowFilter) ([]Workflow, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.OrgID != 0 {
		add("org_id = $%d", f.OrgID)
	}
	if f.OwnerID != 0 {
		add("owner_id = $%d", f.OwnerID)
	}
	if f.EnabledOnly {
		add("enabled = $%d", true)
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	ws, err := r.list(ctx, where+` ORDER BY lower(name)`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing workflows: %w", err)
	}
	return ws, nil
}

// Versions returns every version of the workflow's document, oldest first.
func (r Workflows) Versions(ctx context.Context, id int64) ([]WorkflowVersion, error) {
	var vs []WorkflowVersion
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT version, document, author_id, created_at FROM workflow_versions WHERE workflow_id = $1 ORDER BY version`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				v      WorkflowVersion
				author sql.NullInt64
			)
			if err := rows.Scan(&v.Version, &v.Document, &author, &v.CreatedAt); err != nil {
				return err
			}
			v.AuthorID, v.CreatedAt = author.Int64, v.CreatedAt.UTC()
			vs = append(vs, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing the versions of workflow %d: %w", id, err)
	}
	return vs, nil
}

// Delete removes the workflow with its versions, checkpoints and runs.
func (r Workflows) Delete(ctx context.Context, id int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		return oneRow(tx.Exec(ctx, `DELETE FROM workflows WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("deleting workflow %d: %w", id, err)
	}
	return nil
}

func (r Workflows) list(ctx context.Context, where string, args ...any) ([]Workflow, error) {
	var ws []Workflow
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+workflowColumns+` FROM workflows `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				w                       Workflow
				status                  string
				lastRun, lastOK, synced sql.NullTime
			)
			if err := rows.Scan(&w.ID, &w.Name, &w.OrgID, &w.OwnerID, &w.Enabled, &w.Version, &w.Document, &status,
				&lastRun, &lastOK, &w.State.LastError, &synced, &w.CreatedAt, &w.UpdatedAt); err != nil {
				return err
			}
			w.State.Status = WorkflowStatus(status)
			w.State.LastRunAt, w.State.LastSuccessAt, w.State.SyncedTo = utc(lastRun), utc(lastOK), utc(synced)
			w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
			ws = append(ws, w)
		}
		return rows.Err()
	})
	return ws, err
}
