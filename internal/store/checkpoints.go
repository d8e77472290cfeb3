package store

import (
	"context"
	"fmt"
	"strings"
)

// Checkpoints is the repository of sync checkpoints: for each workflow and
// stream ("inbound", "cdc" ...), the opaque cursor its next run resumes from.
// Save a checkpoint in the transaction that writes the rows it covers, so a
// crash loses both or neither.
type Checkpoints struct{ sc Scope }

// Checkpoints returns the checkpoints repository, each call in its own
// transaction.
func (s *Store) Checkpoints() Checkpoints { return Checkpoints{s} }

// Checkpoints returns the checkpoints repository inside tx.
func (tx *Tx) Checkpoints() Checkpoints { return Checkpoints{tx} }

// Get returns the cursor of a workflow's stream, or ErrNotFound when the
// stream has none yet.
func (r Checkpoints) Get(ctx context.Context, workflowID int64, stream string) ([]byte, error) {
	var cursor []byte
	err := r.sc.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT cursor FROM sync_checkpoints WHERE workflow_id = $1 AND stream = $2`, workflowID, stream).Scan(&cursor)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the %s checkpoint of workflow %d: %w", stream, workflowID, err)
	}
	if cursor == nil {
		cursor = []byte{}
	}
	return cursor, nil
}

// Save stores the cursor of a workflow's stream.
func (r Checkpoints) Save(ctx context.Context, workflowID int64, stream string, cursor []byte) error {
	if strings.TrimSpace(stream) == "" {
		return fmt.Errorf("saving a checkpoint of workflow %d: %w: the stream name is empty", workflowID, ErrInvalid)
	}
	if cursor == nil {
		cursor = []byte{}
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sync_checkpoints (workflow_id, stream, cursor, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workflow_id, stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			workflowID, stream, cursor, tx.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("saving the %s checkpoint of workflow %d: %w", stream, workflowID, err)
	}
	return nil
}

// Reset deletes every checkpoint of a workflow, so its next run starts from
// the beginning.
func (r Checkpoints) Reset(ctx context.Context, workflowID int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sync_checkpoints WHERE workflow_id = $1`, workflowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("resetting the checkpoints of workflow %d: %w", workflowID, err)
	}
	return nil
}
