package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Failure is why Salesforce refused a change, as it said it, and what a user
// can do about it.
type Failure struct {
	Code    string   // Salesforce's errorCode: REQUIRED_FIELD_MISSING, FIELD_CUSTOM_VALIDATION_EXCEPTION ...
	Message string   // Salesforce's message
	Fields  []string // the fields Salesforce named, if any
	// Advice is one sentence a user can act on: what is wrong, where, and
	// how to fix it ("Fill in Account Name in row 42, then requeue it").
	Advice string
}

// DeadLetter is a change Salesforce refused for good. It stays, visible on
// its row too, until someone requeues it (sends it again) or discards it.
// A row has at most one dead letter per workflow.
type DeadLetter struct {
	ID         int64
	WorkflowID int64
	SheetID    int64
	RowID      int64
	SFID       string   // the record's ID, when the row had one
	Op         ChangeOp // what was sent: insert, update, delete
	Columns    []string // identifiers of the columns the change set (none: the whole row)
	Failure
	Attempts      int // attempts to send it, the last included
	FirstFailedAt time.Time
	LastFailedAt  time.Time
}

// DeadLetterFilter narrows DeadLetters.List; zero fields match everything.
type DeadLetterFilter struct {
	WorkflowID int64
	SheetID    int64
	RowID      int64
}

// DeadLetters is the repository of dead letters, bound to a Scope. Letters
// are added by [Outbox.Bury].
type DeadLetters struct{ sc Scope }

// DeadLetters returns the dead-letter repository, each call in its own
// transaction.
func (s *Store) DeadLetters() DeadLetters { return DeadLetters{s} }

// DeadLetters returns the dead-letter repository inside tx.
func (tx *Tx) DeadLetters() DeadLetters { return DeadLetters{tx} }

const deadLetterColumns = `id, workflow_id, sheet_id, row_id, sfid, op, columns, error_code, error_message,
	error_fields, advice, attempts, first_failed_at, last_failed_at`

// add stores dl, merged into the row's dead letter for the workflow when
// there is one.
func (r DeadLetters) add(ctx context.Context, dl DeadLetter) (DeadLetter, error) {
	if strings.TrimSpace(dl.Advice) == "" {
		return DeadLetter{}, fmt.Errorf("%w: the failure has no advice; say in one sentence what the user can do", ErrInvalid)
	}
	var out DeadLetter
	err := r.sc.Write(ctx, func(tx *Tx) error {
		old, err := tx.DeadLetters().list(ctx, `WHERE workflow_id = $1 AND sheet_id = $2 AND row_id = $3`, dl.WorkflowID, dl.SheetID, dl.RowID)
		if err != nil {
			return err
		}
		if len(old) == 1 {
			prev := old[0]
			dl.ID, dl.Attempts = prev.ID, prev.Attempts+dl.Attempts
			whole := wholeRow(prev.Op, prev.Columns) || wholeRow(dl.Op, dl.Columns)
			dl.Columns = sortedColumns(append(slices.Clone(prev.Columns), dl.Columns...), whole)
			if prev.FirstFailedAt.Before(dl.FirstFailedAt) {
				dl.FirstFailedAt = prev.FirstFailedAt
			}
			if dl.SFID == "" {
				dl.SFID = prev.SFID
			}
		}
		fields, err := json.Marshal(nonNil(dl.Fields))
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO dead_letters (workflow_id, sheet_id, row_id, sfid, op, columns, error_code, error_message,
				error_fields, advice, attempts, first_failed_at, last_failed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (workflow_id, sheet_id, row_id) DO UPDATE SET sfid = excluded.sfid, op = excluded.op, columns = excluded.columns,
				error_code = excluded.error_code, error_message = excluded.error_message, error_fields = excluded.error_fields,
				advice = excluded.advice, attempts = excluded.attempts, first_failed_at = excluded.first_failed_at,
				last_failed_at = excluded.last_failed_at
			RETURNING id`,
			dl.WorkflowID, dl.SheetID, dl.RowID, dl.SFID, string(dl.Op), joinColumns(dl.Columns), dl.Code, dl.Message,
			string(fields), dl.Advice, dl.Attempts, dl.FirstFailedAt.UTC(), dl.LastFailedAt.UTC()).Scan(&id)
		if err != nil {
			return err
		}
		out, err = tx.DeadLetters().Get(ctx, id)
		return err
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("recording the dead letter of row %d of sheet %d: %w", dl.RowID, dl.SheetID, err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Get returns the dead letter with the given id.
func (r DeadLetters) Get(ctx context.Context, id int64) (DeadLetter, error) {
	dls, err := r.list(ctx, `WHERE id = $1`, id)
	if err == nil && len(dls) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return DeadLetter{}, fmt.Errorf("reading dead letter %d: %w", id, err)
	}
	return dls[0], nil
}

// List returns up to limit dead letters that match f, oldest first, after
// the one with id afterID (0: from the first). Pass the last ID of a page as
// afterID to get the next one.
func (r DeadLetters) List(ctx context.Context, f DeadLetterFilter, afterID int64, limit int) ([]DeadLetter, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("listing dead letters: %w: the limit %d is not positive", ErrInvalid, limit)
	}
	where, args := whereEq([]string{"workflow_id", "sheet_id", "row_id"}, f.WorkflowID, f.SheetID, f.RowID)
	args = append(args, afterID, limit)
	dls, err := r.list(ctx, where+fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("listing dead letters: %w", err)
	}
	return dls, nil
}

// whereEq is "WHERE TRUE" and " AND col = $n" for each non-zero value,
// with the arguments.
func whereEq(cols []string, vals ...int64) (string, []any) {
	var (
		b    strings.Builder
		args []any
	)
	b.WriteString("WHERE TRUE")
	for i, v := range vals {
		if v != 0 {
			args = append(args, v)
			fmt.Fprintf(&b, " AND %s = $%d", cols[i], len(args))
		}
	}
	return b.String(), args
}

// Requeue sends a dead letter's change again: it appends the change to the
// outbox, written by by (who asked), and deletes the letter, which it
// returns. The row's status is the caller's (package sheet sets it in the
// same transaction).
func (r DeadLetters) Requeue(ctx context.Context, id int64, by string) (DeadLetter, error) {
	var dl DeadLetter
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var err error
		if dl, err = tx.DeadLetters().Discard(ctx, id); err != nil {
			return err
		}
		_, err = tx.Outbox().Append(ctx, OutboxEntry{SheetID: dl.SheetID, RowID: dl.RowID, Op: dl.Op, Columns: dl.Columns, WrittenBy: by})
		return err
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("requeuing dead letter %d: %w", id, err)
	}
	return dl, nil
}

// Discard deletes a dead letter without sending its change again, and
// returns it.
func (r DeadLetters) Discard(ctx context.Context, id int64) (DeadLetter, error) {
	var dl DeadLetter
	err := r.sc.Write(ctx, func(tx *Tx) error {
		var err error
		if dl, err = tx.DeadLetters().Get(ctx, id); err != nil {
			return err
		}
		return oneRow(tx.Exec(ctx, `DELETE FROM dead_letters WHERE id = $1`, id))
	})
	if err != nil {
		return DeadLetter{}, fmt.Errorf("discarding dead letter %d: %w", id, err)
	}
	return dl, nil
}

func (r DeadLetters) list(ctx context.Context, where string, args ...any) ([]DeadLetter, error) {
	var out []DeadLetter
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+deadLetterColumns+` FROM dead_letters `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				dl                 DeadLetter
				op, cols, fieldsJS string
			)
			if err := rows.Scan(&dl.ID, &dl.WorkflowID, &dl.SheetID, &dl.RowID, &dl.SFID, &op, &cols, &dl.Code, &dl.Message,
				&fieldsJS, &dl.Advice, &dl.Attempts, &dl.FirstFailedAt, &dl.LastFailedAt); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(fieldsJS), &dl.Fields); err != nil {
				return fmt.Errorf("reading the fields of dead letter %d: %w", dl.ID, err)
			}
			if len(dl.Fields) == 0 {
				dl.Fields = nil
			}
			dl.Op, dl.Columns = ChangeOp(op), splitColumns(cols)
			dl.FirstFailedAt, dl.LastFailedAt = dl.FirstFailedAt.UTC(), dl.LastFailedAt.UTC()
			out = append(out, dl)
		}
		return rows.Err()
	})
	return out, err
}
