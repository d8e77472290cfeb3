package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Direction is which way a run moves data.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"  // Salesforce to the sheet
	Outbound Direction = "outbound" // the sheet to Salesforce
)

// RunStatus is the outcome of a run.
type RunStatus string

// Run statuses.
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunFailed    RunStatus = "failed"
)

// Run is one sync run of a workflow, kept for history.
type Run struct {
	ID         int64
	WorkflowID int64
	Direction  Direction
	Status     RunStatus
	StartedAt  time.Time
	EndedAt    time.Time // zero while running
	Counts     RunCounts
	Error      string // why the run failed
}

// RunCounts are what a run did.
type RunCounts struct {
	Read     int64 // records or rows read
	Inserted int64 // rows or records created
	Updated  int64 // rows or records changed
	Removed  int64 // rows marked removed, or records deleted
	Failed   int64 // rows or records that could not be written
	APICalls int64 // Salesforce API calls spent
}

// Runs is the repository of sync runs, bound to a Scope.
type Runs struct{ sc Scope }

// Runs returns the runs repository, each call in its own transaction.
func (s *Store) Runs() Runs { return Runs{s} }

// Runs returns the runs repository inside tx.
func (tx *Tx) Runs() Runs { return Runs{tx} }

const runColumns = `id, workflow_id, direction, status, started_at, ended_at,
	rows_read, rows_inserted, rows_updated, rows_removed, rows_failed, api_calls, error`

// Start records the start of a run, at the transaction's time.
func (r Runs) Start(ctx context.Context, workflowID int64, dir Direction) (Run, error) {
	run := Run{WorkflowID: workflowID, Direction: dir, Status: RunRunning}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		run.StartedAt = tx.Now()
		return tx.QueryRow(ctx, `INSERT INTO sync_runs (workflow_id, direction, status, started_at) VALUES ($1, $2, 'running', $3) RETURNING id`,
			workflowID, string(dir), tx.Now()).Scan(&run.ID)
	})
	if err != nil {
		return Run{}, fmt.Errorf("starting a %s run of workflow %d: %w", dir, workflowID, err)
	}
	return run, nil
}

// Finish records the end of a run with its counts: succeeded when runErr is
// nil, failed with runErr's message otherwise. A run finishes once; finishing
// it again fails with ErrConflict.
func (r Runs) Finish(ctx context.Context, id int64, counts RunCounts, runErr error) (Run, error) {
	status, msg := RunSucceeded, ""
	if runErr != nil {
		status, msg = RunFailed, runErr.Error()
	}
	var out Run
	err := r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE sync_runs SET status = $1, ended_at = $2, rows_read = $3, rows_inserted = $4,
			rows_updated = $5, rows_removed = $6, rows_failed = $7, api_calls = $8, error = $9
			WHERE id = $10 AND status = 'running'`,
			string(status), tx.Now(), counts.Read, counts.Inserted, counts.Updated, counts.Removed, counts.Failed, counts.APICalls, msg, id)
		if err := oneRow(res, err); err != nil {
			if _, getErr := tx.Runs().Get(ctx, id); getErr == nil {
				return fmt.Errorf("%w: the run has already finished", ErrConflict)
			}
			return err
		}
		out, err = tx.Runs().Get(ctx, id)
		return err
	})
	if err != nil {
		return Run{}, fmt.Errorf("finishing run %d: %w", id, err)
	}
	return out, nil
}

// Get returns the run with the given id.
func (r Runs) Get(ctx context.Context, id int64) (Run, error) {
	runs, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(runs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("reading run %d: %w", id, err)
	}
	return runs[0], nil
}

// List returns up to limit runs of a workflow, newest first, older than the
// run beforeID (0: from the newest). Pass the last ID of a page as beforeID
// to get the next one.
func (r Runs) List(ctx context.Context, workflowID, beforeID int64, limit int) ([]Run, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("listing runs of workflow %d: %w: the limit %d is not positive", workflowID, ErrInvalid, limit)
	}
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	runs, err := r.list(ctx, `WHERE workflow_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, workflowID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("listing runs of workflow %d: %w", workflowID, err)
	}
	return runs, nil
}

// Prune deletes the finished runs of a workflow except the newest keep ones,
// and returns how many it deleted.
func (r Runs) Prune(ctx context.Context, workflowID int64, keep int) (int64, error) {
	var n int64
	err := r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sync_runs WHERE workflow_id = $1 AND status <> 'running' AND id NOT IN (
			SELECT id FROM sync_runs WHERE workflow_id = $1 AND status <> 'running' ORDER BY id DESC LIMIT $2)`, workflowID, max(0, keep))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pruning runs of workflow %d: %w", workflowID, err)
	}
	return n, nil
}

func (r Runs) list(ctx context.Context, where string, args ...any) ([]Run, error) {
	var runs []Run
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+runColumns+` FROM sync_runs `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				run       Run
				dir, stat string
				ended     sql.NullTime
				c         = &run.Counts
			)
			if err := rows.Scan(&run.ID, &run.WorkflowID, &dir, &stat, &run.StartedAt, &ended,
				&c.Read, &c.Inserted, &c.Updated, &c.Removed, &c.Failed, &c.APICalls, &run.Error); err != nil {
				return err
			}
			run.Direction, run.Status = Direction(dir), RunStatus(stat)
			run.StartedAt, run.EndedAt = run.StartedAt.UTC(), utc(ended)
			runs = append(runs, run)
		}
		return rows.Err()
	})
	return runs, err
}
