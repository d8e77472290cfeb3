package sheet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Change is a row's pending changes, claimed to be sent to Salesforce: the
// outbox entries coalesced (store.Change), the row as it was when claimed,
// and what Salesforce must do.
type Change struct {
	store.Change
	// Op is what Salesforce must do, from the row as it is: OpInsert when
	// the row has no record yet, OpDelete when it was deleted here,
	// OpUpdate otherwise. A delete whose row has no record ID yet has an
	// open create in the journal: reconcile it first (Reconcile).
	Op  store.ChangeOp
	Row *Row
	// Changed names the columns to send, in the sheet's order: the changed
	// ones, or every column for an insert or a whole-row update; none for
	// a delete.
	Changed []string
}

// Claim claims up to limit rows with pending changes (store.Outbox.Claim),
// for lease, and returns their changes with the rows as they are now. The
// changes of rows that are gone, or that were deleted here before any
// record was created for them, are settled at once: nothing is to be sent.
func (sh *Sheet) Claim(ctx context.Context, sc store.Scope, limit int, lease time.Duration) ([]Change, error) {
	var out []Change
	err := sc.Write(ctx, func(tx *store.Tx) error {
		out = nil
		chs, err := tx.Outbox().Claim(ctx, store.ClaimOptions{SheetID: sh.ID, Limit: limit, Lease: lease})
		if err != nil || len(chs) == 0 {
			return err
		}
		ids := make([]int64, len(chs))
		for i, c := range chs {
			ids[i] = c.RowID
		}
		rows, err := sh.rowsByID(ctx, tx, ids)
		if err != nil {
			return err
		}
		for _, c := range chs {
			ch, send, err := sh.change(ctx, tx, c, rows[c.RowID])
			if err != nil {
				return err
			}
			if send {
				out = append(out, ch)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claiming the changes of sheet %q: %w", sh.Name, err)
	}
	return out, nil
}

// change makes the Change of a claimed store change and its row (nil when
// gone), and reports whether it is to be sent; the others are settled.
func (sh *Sheet) change(ctx context.Context, tx *store.Tx, c store.Change, row *Row) (Change, bool, error) {
	ch := Change{Change: c, Row: row, Op: store.OpUpdate}
	switch {
	case row == nil:
		return ch, false, tx.Outbox().Complete(ctx, c)
	case row.Status == StatusDeleted:
		ch.Op = store.OpDelete
		if row.SFID != "" {
			return ch, true, nil
		}
		open, err := tx.Journal().OpenForRow(ctx, sh.ID, row.ID)
		if err != nil {
			return ch, false, err
		}
		if len(open) > 0 {
			return ch, true, nil // its create's outcome is unknown: the writer reconciles it
		}
		// Never created: there is nothing to delete in Salesforce.
		if err := tx.Outbox().Complete(ctx, c); err != nil {
			return ch, false, err
		}
		_, err = sh.deleteRows(ctx, tx, OriginSync, "", []int64{row.ID})
		return ch, false, err
	case row.SFID == "":
		ch.Op = store.OpInsert
	}
	for _, col := range sh.Columns {
		if ch.Op == store.OpInsert || c.Columns == nil || slices.Contains(c.Columns, col.Ident) {
			ch.Changed = append(ch.Changed, col.Name)
		}
	}
	return ch, true, nil
}

// rowsByID reads rows by id, whatever their status.
func (sh *Sheet) rowsByID(ctx context.Context, tx *store.Tx, ids []int64) (map[int64]*Row, error) {
	out := make(map[int64]*Row, len(ids))
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, id := range part {
			args[i], marks[i] = id, param(i+1)
		}
		rows, err := tx.Query(ctx, "SELECT "+sh.selectList()+" FROM "+store.QuoteIdent(sh.Table)+
			" WHERE "+store.QuoteIdent(colID)+" IN ("+strings.Join(marks, ", ")+")", args...)
		if err != nil {
			return nil, err
		}
		err = sh.scanRows(rows, func(r *Row) error {
			out[r.ID] = r
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Sent is what Salesforce answered for a change it accepted.
type Sent struct {
	// SFID is the record's ID: required for an insert, ignored otherwise.
	SFID string
	// Record holds the record's field values now in Salesforce, by API
	// name: the fields sent, or the record read back. They are merged over
	// the link's previous values to make the base of the next merge.
	Record map[string]any
	// Modstamp is the record's SystemModstamp after the write, when known.
	Modstamp time.Time
	// JournalKey, for an insert, is the create's journal entry, closed
	// with SFID.
	JournalKey string
}

// Synced settles a change Salesforce accepted, in one transaction: its
// outbox entries are done; for an insert the record's ID is written to the
// row and its journal entry closed; the row's link for the workflow keeps
// the values now in step (the row's as claimed, and s.Record); the row is
// synced — unless it changed again since the claim, then it stays pending.
// A row deleted here is deleted for good, with its links. Writing back an
// ID that another row already has fails with store.ErrConflict (the inbound
// side wrote the new record as a row of its own). A lost claim fails with
// store.ErrConflict and changes nothing.
func (sh *Sheet) Synced(ctx context.Context, sc store.Scope, workflowID int64, ch Change, s Sent) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Outbox().Complete(ctx, ch.Change); err != nil {
			return err
		}
		sfid := ch.Row.SFID
		if ch.Op == store.OpInsert {
			id, reason := NormalizeID(s.SFID)
			if reason != "" {
				return fmt.Errorf("%w: the Salesforce ID of the created record, %q, %s", ErrInvalidBatch, s.SFID, reason)
			}
			sfid = id
		}
		if s.JournalKey != "" {
			if _, err := tx.Journal().Close(ctx, s.JournalKey, sfid); err != nil {
				return err
			}
		}
		if ch.Op == store.OpDelete {
			_, err := sh.deleteRows(ctx, tx, OriginSync, "", []int64{ch.RowID})
			return err
		}
		q, t := store.QuoteIdent, store.QuoteIdent(sh.Table)
		st, err := tx.Cached(ctx, "UPDATE "+t+" SET "+q(colSFID)+" = $1, "+
			q(colStatus)+" = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE sheet_id = $2 AND row_id = $3) THEN "+q(colStatus)+" ELSE 'synced' END, "+
			q(colError)+" = '', "+q(colWrittenBy)+" = 'sync', "+q(colSyncRev)+" = "+q(colSyncRev)+" + 1 WHERE "+q(colID)+" = $3")
		if err != nil {
			return err
		}
		res, err := st.Exec(ctx, sfid, sh.ID, ch.RowID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // the row is gone: nothing to link
		}
		link, err := tx.Links().Get(ctx, workflowID, ch.RowID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		record := maps.Clone(link.Record)
		if record == nil || link.SFID != sfid {
			record = map[string]any{}
		}
		maps.Copy(record, s.Record)
		return tx.Links().Save(ctx, store.Link{WorkflowID: workflowID, RowID: ch.RowID, SheetID: sh.ID, SFID: sfid,
			Record: record, Modstamp: s.Modstamp, Row: sh.LinkValues(ch.Row)})
	})
	if err != nil {
		return fmt.Errorf("recording the sync of row %d of sheet %q: %w", ch.RowID, sh.Name, err)
	}
	return nil
}

// Retry gives a change back after a transient failure (store.Outbox.Retry:
// not claimed again before at, or a backoff when at is zero), and shows
// reason on the row, which stays pending.
func (sh *Sheet) Retry(ctx context.Context, sc store.Scope, ch Change, reason string, at time.Time) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.Outbox().Retry(ctx, ch.Change, reason, at); err != nil {
			return err
		}
		return sh.setError(ctx, tx, ch.RowID, "", reason)
	})
	if err != nil {
		return fmt.Errorf("retrying the change of row %d of sheet %q later: %w", ch.RowID, sh.Name, err)
	}
	return nil
}

// Fail settles a change Salesforce refused for good: it becomes the row's
// dead letter for the workflow (store.Outbox.Bury), and the row is failed,
// with f.Advice as its error — a row deleted here shows again, failed,
// since its record is still there. It returns the dead letter.
func (sh *Sheet) Fail(ctx context.Context, sc store.Scope, workflowID int64, ch Change, f store.Failure) (store.DeadLetter, error) {
	var dl store.DeadLetter
	err := sc.Write(ctx, func(tx *store.Tx) error {
		sfid := ""
		if ch.Row != nil {
			sfid = ch.Row.SFID
		}
		var err error
		dl, err = tx.Outbox().Bury(ctx, ch.Change, store.DeadLetter{WorkflowID: workflowID, SFID: sfid, Op: ch.Op, Failure: f})
		if err != nil {
			return err
		}
		return sh.setError(ctx, tx, ch.RowID, StatusFailed, f.Advice)
	})
	if err != nil {
		return store.DeadLetter{}, fmt.Errorf("recording the failure of row %d of sheet %q: %w", ch.RowID, sh.Name, err)
	}
	return dl, nil
}

// setError sets a row's error and, unless status is "", its status. The
// triggers ignore it: no user column changes, and the status does not move
// to pending or deleted.
func (sh *Sheet) setError(ctx context.Context, tx *store.Tx, rowID int64, status Status, msg string) error {
	q := store.QuoteIdent
	set := q(colError) + " = $1"
	args := []any{msg, rowID}
	if status != "" {
		set += ", " + q(colStatus) + " = $3"
		args = append(args, string(status))
	}
	st, err := tx.Cached(ctx, "UPDATE "+q(sh.Table)+" SET "+set+" WHERE "+q(colID)+" = $2")
	if err != nil {
		return err
	}
	_, err = st.Exec(ctx, args...)
	return err
}

// Requeue sends a dead letter of the sheet again, for by (who asked): its
// change goes back to the outbox, and its row back to pending (deleted, for
// a delete), in one transaction.
func (sh *Sheet) Requeue(ctx context.Context, sc store.Scope, deadLetterID int64, by string) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		dl, err := sh.deadLetter(ctx, tx, deadLetterID)
		if err != nil {
			return err
		}
		if _, err := tx.DeadLetters().Requeue(ctx, dl.ID, by); err != nil {
			return err
		}
		status := StatusPending
		if dl.Op == store.OpDelete {
			status = StatusDeleted
		}
		// A write of the sync engine: the requeue appended the change
		// itself.
		q := store.QuoteIdent
		_, err = tx.Exec(ctx, "UPDATE "+q(sh.Table)+" SET "+q(colStatus)+" = $1, "+q(colError)+" = '', "+q(colWrittenBy)+" = 'sync', "+
			q(colSyncRev)+" = "+q(colSyncRev)+" + 1 WHERE "+q(colID)+" = $2", string(status), dl.RowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("requeuing dead letter %d of sheet %q: %w", deadLetterID, sh.Name, err)
	}
	return nil
}

// Discard drops a dead letter of the sheet, for by: its change is not sent.
// A row linked to a record is synced again, keeping its values, which the
// next change on either side overwrites; a row never created in Salesforce
// stays failed, saying who discarded its create, until it is edited again.
func (sh *Sheet) Discard(ctx context.Context, sc store.Scope, deadLetterID int64, by string) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		dl, err := sh.deadLetter(ctx, tx, deadLetterID)
		if err != nil {
			return err
		}
		if _, err := tx.DeadLetters().Discard(ctx, dl.ID); err != nil {
			return err
		}
		row, err := sh.Get(ctx, tx, dl.RowID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if row.SFID == "" {
			return sh.setError(ctx, tx, row.ID, StatusFailed, fmt.Sprintf("Not created in Salesforce: %s discarded the create. Edit the row to try again.", by))
		}
		return sh.setError(ctx, tx, row.ID, StatusSynced, "")
	})
	if err != nil {
		return fmt.Errorf("discarding dead letter %d of sheet %q: %w", deadLetterID, sh.Name, err)
	}
	return nil
}

// deadLetter returns a dead letter of this sheet.
func (sh *Sheet) deadLetter(ctx context.Context, tx *store.Tx, id int64) (store.DeadLetter, error) {
	dl, err := tx.DeadLetters().Get(ctx, id)
	if err == nil && dl.SheetID != sh.ID {
		err = fmt.Errorf("dead letter %d belongs to another sheet: %w", id, store.ErrNotFound)
	}
	return dl, err
}

// Reconcile settles a create left open in the journal by a crash, once its
// outcome is known: sfid is the record found with the entry's key, or ""
// when Salesforce created none. The entry is closed and the ID written to
// the row in one transaction; the row's pending changes, claimed again, are
// then sent as an update (or, with no record, as a create).
func (sh *Sheet) Reconcile(ctx context.Context, sc store.Scope, e store.JournalEntry, sfid string) error {
	if e.SheetID != sh.ID {
		return fmt.Errorf("reconciling create %s: it belongs to sheet %d, not %q: %w", e.Key, e.SheetID, sh.Name, store.ErrNotFound)
	}
	if sfid != "" {
		id, reason := NormalizeID(sfid)
		if reason != "" {
			return fmt.Errorf("reconciling create %s: %w: the Salesforce ID %q %s", e.Key, ErrInvalidBatch, sfid, reason)
		}
		sfid = id
	}
	err := sc.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Journal().Close(ctx, e.Key, sfid); err != nil || sfid == "" {
			return err
		}
		q := store.QuoteIdent
		_, err := tx.Exec(ctx, "UPDATE "+q(sh.Table)+" SET "+q(colSFID)+" = $1 WHERE "+q(colID)+" = $2", sfid, e.RowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("reconciling create %s of sheet %q: %w", e.Key, sh.Name, err)
	}
	return nil
}

// StatusUpdate sets the status and error of a row.
type StatusUpdate struct {
	ID     int64
	Status Status // synced, failed or conflict
	Error  string
}

// SetStatus records what the sync engine found about rows — a record that
// could not be mapped (failed), a conflict waiting for a decision, a
// conflict settled (synced) — without changing their values, and returns
// how many rows it changed. Rows become pending by being edited, deleted by
// being deleted, and removed by MarkRemoved.
func (sh *Sheet) SetStatus(ctx context.Context, sc store.Scope, updates []StatusUpdate) (int, error) {
	for _, u := range updates {
		if u.Status != StatusSynced && u.Status != StatusFailed && u.Status != StatusConflict {
			return 0, fmt.Errorf("setting the status of rows of sheet %q: %w: row %d: status %q; SetStatus sets synced, failed or conflict",
				sh.Name, ErrInvalidBatch, u.ID, u.Status)
		}
	}
	q := store.QuoteIdent
	query := "UPDATE " + q(sh.Table) + " SET " + q(colStatus) + " = $1, " + q(colError) + " = $2 WHERE " + q(colID) + " = $3"
	n, err := sh.each(ctx, sc, query, len(updates), func(i int, _ *store.Tx) []any {
		return []any{string(updates[i].Status), updates[i].Error, updates[i].ID}
	})
	if err != nil {
		return 0, fmt.Errorf("setting the status of rows of sheet %q: %w", sh.Name, err)
	}
	return n, nil
}

// LinkValues returns a row's values as a link keeps them (store.Link.Row):
// by column identifier, as JSON decodes them.
func (sh *Sheet) LinkValues(r *Row) map[string]any {
	out := make(map[string]any, len(sh.Columns))
	for i, c := range sh.Columns {
		out[c.Ident] = jsonValue(r.Values[i])
	}
	return out
}

// ChangedSince returns the names of the columns whose value in r differs
// from base, a link's Row: the columns changed in the sheet since the last
// sync, in the sheet's order. A column base does not have counts as
// changed.
func (sh *Sheet) ChangedSince(r *Row, base map[string]any) []string {
	var out []string
	for i, c := range sh.Columns {
		old, ok := base[c.Ident]
		if !ok || !reflect.DeepEqual(jsonValue(r.Values[i]), jsonValue(old)) {
			out = append(out, c.Name)
		}
	}
	return out
}

// jsonValue returns v as JSON decodes it (the canonical values of a row
// always encode).
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
