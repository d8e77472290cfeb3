package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Link ties a sheet row to a Salesforce record for a workflow, with what
// both sides held the last time they were in step. Record is the base of a
// three-way merge: a field whose Salesforce value differs from it changed in
// Salesforce, a column whose value differs from Row changed in the sheet,
// and a record that comes back equal to Record and Modstamp is the echo of
// sfbridge's own write.
//
// Values are kept as JSON: they come back as JSON decodes them (string,
// float64, bool, nil, []any, map[string]any).
type Link struct {
	WorkflowID int64
	RowID      int64
	SheetID    int64
	SFID       string         // the record's 18-character ID
	Record     map[string]any // the record's field values, by API name
	Modstamp   time.Time      // the record's SystemModstamp; zero when unknown
	Row        map[string]any // the row's values, by column identifier
	SyncedAt   time.Time      // when the link was saved
}

// Links is the repository of row↔record links, bound to a Scope.
type Links struct{ sc Scope }

// Links returns the links repository, each call in its own transaction.
func (s *Store) Links() Links { return Links{s} }

// Links returns the links repository inside tx.
func (tx *Tx) Links() Links { return Links{tx} }

const linkColumns = `workflow_id, row_id, sheet_id, sfid, record, modstamp, row_values, synced_at`

// Save stores the link of a row for a workflow, replacing the one it had;
// SyncedAt becomes the transaction's time. A record linked to another row of
// the workflow fails with ErrConflict.
func (r Links) Save(ctx context.Context, l Link) error {
	if len(l.SFID) != 18 {
		return fmt.Errorf("linking row %d: %w: the Salesforce ID %q does not have 18 characters", l.RowID, ErrInvalid, l.SFID)
	}
	record, err := json.Marshal(nonNilMap(l.Record))
	if err != nil {
		return fmt.Errorf("linking row %d: encoding the record's values: %w", l.RowID, err)
	}
	row, err := json.Marshal(nonNilMap(l.Row))
	if err != nil {
		return fmt.Errorf("linking row %d: encoding the row's values: %w", l.RowID, err)
	}
	err = r.sc.Write(ctx, func(tx *Tx) error {
		st, err := tx.Cached(ctx, `INSERT INTO sync_links (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (workflow_id, row_id) DO UPDATE SET sheet_id = excluded.sheet_id, sfid = excluded.sfid,
				record = excluded.record, modstamp = excluded.modstamp, row_values = excluded.row_values, synced_at = excluded.synced_at`)
		if err != nil {
			return err
		}
		_, err = st.Exec(ctx, l.WorkflowID, l.RowID, l.SheetID, l.SFID, string(record), nullTime(l.Modstamp), string(row), tx.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("linking row %d to record %s for workflow %d: %w", l.RowID, l.SFID, l.WorkflowID, err)
	}
	return nil
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Get returns the link of a row for a workflow.
func (r Links) Get(ctx context.Context, workflowID, rowID int64) (Link, error) {
	ls, err := r.list(ctx, `WHERE workflow_id = $1 AND row_id = $2`, workflowID, rowID)
	if err == nil && len(ls) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return Link{}, fmt.Errorf("reading the link of row %d for workflow %d: %w", rowID, workflowID, err)
	}
	return ls[0], nil
}

// BySFIDs returns the links of the given records for a workflow, by record
// ID; records without a link are left out.
func (r Links) BySFIDs(ctx context.Context, workflowID int64, sfids []string) (map[string]Link, error) {
	out := make(map[string]Link, len(sfids))
	const chunk = 500 // well under every engine's limit on placeholders
	for start := 0; start < len(sfids); start += chunk {
		part := sfids[start:min(start+chunk, len(sfids))]
		args := []any{workflowID}
		marks := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		ls, err := r.list(ctx, `WHERE workflow_id = $1 AND sfid IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("reading the links of %d records for workflow %d: %w", len(sfids), workflowID, err)
		}
		for _, l := range ls {
			out[l.SFID] = l
		}
	}
	return out, nil
}

// Delete removes the link of a row for a workflow; it is not an error when
// there is none.
func (r Links) Delete(ctx context.Context, workflowID, rowID int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sync_links WHERE workflow_id = $1 AND row_id = $2`, workflowID, rowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlinking row %d for workflow %d: %w", rowID, workflowID, err)
	}
	return nil
}

// DeleteRow removes the links of a sheet row for every workflow: the row is
// gone.
func (r Links) DeleteRow(ctx context.Context, sheetID, rowID int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sync_links WHERE sheet_id = $1 AND row_id = $2`, sheetID, rowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlinking row %d of sheet %d: %w", rowID, sheetID, err)
	}
	return nil
}

// Reset removes every link of a workflow, so that its next run compares
// nothing with the past: for a workflow pointed at another sheet or object.
func (r Links) Reset(ctx context.Context, workflowID int64) error {
	err := r.sc.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sync_links WHERE workflow_id = $1`, workflowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("resetting the links of workflow %d: %w", workflowID, err)
	}
	return nil
}

func (r Links) list(ctx context.Context, where string, args ...any) ([]Link, error) {
	var out []Link
	err := r.sc.Read(ctx, func(tx *Tx) error {
		st, err := tx.Cached(ctx, `SELECT `+linkColumns+` FROM sync_links `+where)
		if err != nil {
			return err
		}
		rows, err := st.Query(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				l           Link
				record, row string
				modstamp    sql.NullTime
			)
			if err := rows.Scan(&l.WorkflowID, &l.RowID, &l.SheetID, &l.SFID, &record, &modstamp, &row, &l.SyncedAt); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(record), &l.Record); err != nil {
				return fmt.Errorf("reading the record values of the link of row %d: %w", l.RowID, err)
			}
			if err := json.Unmarshal([]byte(row), &l.Row); err != nil {
				return fmt.Errorf("reading the row values of the link of row %d: %w", l.RowID, err)
			}
			l.Modstamp, l.SyncedAt = utc(modstamp), l.SyncedAt.UTC()
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}
