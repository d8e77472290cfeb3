package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// JournalEntry is a create sent, or about to be sent, to Salesforce. It is
// opened, and committed, before the call, with a key the client generates —
// the value of an External ID field, or a marker to look the record up by —
// and closed with the record's ID in the transaction that writes the ID back
// to the row. An entry still open after a crash is a create whose outcome is
// unknown: look for a record with its key before creating again.
type JournalEntry struct {
	Key        string // 32 hexadecimal characters, random
	WorkflowID int64
	SheetID    int64
	RowID      int64
	OpenedAt   time.Time
	ClosedAt   time.Time // zero while open
	SFID       string    // the record created; "" while open, or when none was
}

// Journal is the repository of creates, bound to a Scope.
type Journal struct{ sc Scope }

// Journal returns the create journal, each call in its own transaction.
func (s *Store) Journal() Journal { return Journal{s} }

// Journal returns the create journal inside tx.
func (tx *Tx) Journal() Journal { return Journal{tx} }

const journalColumns = `key, workflow_id, sheet_id, row_id, opened_at, closed_at, sfid`

// Open journals a create of a row for a workflow, with a new key. A row has
// at most one open create per workflow: a second fails with ErrConflict
// until the first is closed.
func (r Journal) Open(ctx context.Context, workflowID, sheetID, rowID int64) (JournalEntry, error) {
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // never fails (crypto/rand)
	e := JournalEntry{Key: hex.EncodeToString(raw[:]), WorkflowID: workflowID, SheetID: sheetID, RowID: rowID}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		e.OpenedAt = tx.Now()
		_, err := tx.Exec(ctx, `INSERT INTO create_journal (key, workflow_id, sheet_id, row_id, opened_at) VALUES ($1, $2, $3, $4, $5)`,
			e.Key, workflowID, sheetID, rowID, tx.Now())
		return err
	})
	if errors.Is(err, ErrConflict) {
		err = fmt.Errorf("the row already has an open create; close it, or reconcile it after a crash: %w", err)
	}
	if err != nil {
		return JournalEntry{}, fmt.Errorf("journaling the create of row %d of sheet %d for workflow %d: %w", rowID, sheetID, workflowID, err)
	}
	return e, nil
}

// Close closes an open entry with the ID of the record created, or with ""
// when Salesforce created none (it refused the create, or reconciliation
// found nothing), and returns it. An entry that is not open fails with
// ErrNotFound.
func (r Journal) Close(ctx context.Context, key, sfid string) (JournalEntry, error) {
	if sfid != "" && len(sfid) != 18 {
		return JournalEntry{}, fmt.Errorf("closing create %s: %w: the Salesforce ID %q does not have 18 characters", key, ErrInvalid, sfid)
	}
	var out JournalEntry
	err := r.sc.Write(ctx, func(tx *Tx) error {
		if err := oneRow(tx.Exec(ctx, `UPDATE create_journal SET closed_at = $1, sfid = $2 WHERE key = $3 AND closed_at IS NULL`,
			tx.Now(), sfid, key)); err != nil {
			return err
		}
		es, err := tx.Journal().list(ctx, `WHERE key = $1`, key)
		if err == nil {
			out = es[0]
		}
		return err
	})
	if err != nil {
		return JournalEntry{}, fmt.Errorf("closing create %s: %w", key, err)
	}
	return out, nil
}

// ListOpen lists the open entries of a workflow, oldest first: after a crash,
// the creates to reconcile.
func (r Journal) ListOpen(ctx context.Context, workflowID int64) ([]JournalEntry, error) {
	es, err := r.list(ctx, `WHERE workflow_id = $1 AND closed_at IS NULL ORDER BY opened_at, key`, workflowID)
	if err != nil {
		return nil, fmt.Errorf("listing the open creates of workflow %d: %w", workflowID, err)
	}
	return es, nil
}

// OpenForRow lists the open entries of a sheet row, for every workflow.
func (r Journal) OpenForRow(ctx context.Context, sheetID, rowID int64) ([]JournalEntry, error) {
	es, err := r.list(ctx, `WHERE sheet_id = $1 AND row_id = $2 AND closed_at IS NULL ORDER BY opened_at, key`, sheetID, rowID)
	if err != nil {
		return nil, fmt.Errorf("listing the open creates of row %d of sheet %d: %w", rowID, sheetID, err)
	}
	return es, nil
}

// Prune deletes the entries closed before the given time, and returns how
// many it deleted. Open entries stay.
func (r Journal) Prune(ctx context.Context, closedBefore time.Time) (int64, error) {
	var n int64
	err := r.sc.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM create_journal WHERE closed_at < $1`, closedBefore.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pruning the create journal: %w", err)
	}
	return n, nil
}

func (r Journal) list(ctx context.Context, where string, args ...any) ([]JournalEntry, error) {
	var out []JournalEntry
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+journalColumns+` FROM create_journal `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      JournalEntry
				closed sql.NullTime
			)
			if err := rows.Scan(&e.Key, &e.WorkflowID, &e.SheetID, &e.RowID, &e.OpenedAt, &closed, &e.SFID); err != nil {
				return err
			}
			e.OpenedAt, e.ClosedAt = e.OpenedAt.UTC(), utc(closed)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
