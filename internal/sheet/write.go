package sheet

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Batch is a set of rows to write, all carrying the same columns.
type Batch struct {
	// Columns names, in order, the columns each row's Values hold. Columns
	// not named are left as they are.
	Columns []string
	Rows    []Input
	// Origin says who writes: OriginSync (the default) leaves rows synced,
	// OriginUser leaves them pending, to be sent to Salesforce: the
	// sheet's triggers append the changes to the outbox.
	Origin Origin
	// Actor names, for OriginUser, who the change is made for ("api:ada",
	// "import:accounts.csv"); it becomes the WrittenBy of the outbox
	// entries. Default "sfbridge".
	Actor string
	// SkipInvalid writes the valid rows and leaves out the rows with an
	// invalid value, listed in Result.Rejected. Without it, one invalid
	// value fails the whole batch with a *ValidationError.
	SkipInvalid bool
}

// Input is one row of a Batch.
type Input struct {
	ID     int64  // the row to update (Update only)
	SFID   string // the Salesforce record ID: the key of Upsert; set by Insert and Update when not empty
	Values []any  // one value per Batch column, in any form the column accepts
}

// Result counts what a write did.
type Result struct {
	Inserted  int
	Updated   int
	Unchanged int // rows whose values and status were already the ones written
	// Rejected lists every invalid value of the rows left out by a batch
	// with SkipInvalid (ValueError.Row is the row's 1-based position in
	// the batch; a row may have several).
	Rejected []*ValueError
}

// prepared is a validated batch: its columns, and per row the stored form of
// its Salesforce ID and values.
type prepared struct {
	cols     []*Column
	status   Status
	origin   Origin
	actor    string
	rows     []preparedRow
	rejected []*ValueError // with SkipInvalid
}

// syncRev returns what a write sets _sync_rev to, given its current value
// (an expression, "" for an insert): the sync engine's writes change it,
// which is how the triggers know them; a user's leave it.
func (p *prepared) syncRev(current string) string {
	switch {
	case p.origin != OriginSync && current == "":
		return "0"
	case p.origin != OriginSync:
		return current
	case current == "":
		return "1"
	}
	return current + " + 1"
}

// write runs fn in a write transaction. A write made for someone
// (OriginUser) names them on the outbox entries its statements appended, and
// wakes the outbound side when it commits.
func (p *prepared) write(ctx context.Context, sc store.Scope, sheetID int64, fn func(*store.Tx) error) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		if p.origin == OriginSync {
			return fn(tx)
		}
		return asUser(ctx, tx, sheetID, p.actor, func() error { return fn(tx) })
	})
}

// asUser runs fn, statements made for actor, and names actor on the outbox
// entries they appended.
func asUser(ctx context.Context, tx *store.Tx, sheetID int64, actor string, fn func() error) error {
	before, err := tx.Outbox().MaxSeq(ctx)
	if err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	if actor == "" {
		actor = "sfbridge"
	}
	_, err = tx.Outbox().Attribute(ctx, sheetID, before, actor)
	return err
}

type preparedRow struct {
	index int // position in the batch
	id    int64
	sfid  string
	args  []any
}

// prepare resolves the batch's columns and checks every value, and every
// row's Salesforce ID (required when needSFID). Invalid rows are left out
// with SkipInvalid, else the error is a *ValidationError listing them.
func (sh *Sheet) prepare(b Batch, needSFID bool) (*prepared, error) {
	p := &prepared{origin: b.Origin, status: StatusSynced, actor: b.Actor}
	switch b.Origin {
	case "", OriginSync:
		p.origin = OriginSync
	case OriginUser:
		p.status = StatusPending
	default:
		return nil, fmt.Errorf("%w: origin %q; use %q or %q", ErrInvalidBatch, b.Origin, OriginSync, OriginUser)
	}
	seen := map[int]bool{}
	for _, name := range b.Columns {
		i := sh.columnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("%w: %q; the sheet %q has %s", ErrUnknownColumn, name, sh.Name, sh.columnNames())
		}
		if seen[i] {
			return nil, fmt.Errorf("%w: the column %q is listed twice in the batch", ErrInvalidBatch, name)
		}
		seen[i] = true
		p.cols = append(p.cols, &sh.Columns[i])
	}
	verr := &ValidationError{}
	sfidCol, _ := systemByName("Salesforce ID")
	p.rows = make([]preparedRow, 0, len(b.Rows))
	for r, in := range b.Rows {
		if len(in.Values) != len(p.cols) {
			return nil, fmt.Errorf("%w: row %d has %d values for the batch's %d columns", ErrInvalidBatch, r+1, len(in.Values), len(p.cols))
		}
		var bad []*ValueError
		pr := preparedRow{index: r, id: in.ID, args: make([]any, len(p.cols))}
		switch {
		case in.SFID != "":
			id, reason := NormalizeID(in.SFID)
			if reason != "" {
				bad = append(bad, &ValueError{Row: r + 1, Column: sfidCol.Name, Type: sfidCol.Type, Value: shorten(in.SFID), Code: ValueNotID, Reason: reason})
			}
			pr.sfid = id
		case needSFID:
			bad = append(bad, &ValueError{Row: r + 1, Column: sfidCol.Name, Type: sfidCol.Type, Value: `""`, Code: ValueRequired,
				Reason: "is empty; Upsert matches rows by their Salesforce ID, use Insert for new local rows"})
		}
		for j, c := range p.cols {
			v, reason := c.encode(in.Values[j])
			if !reason.fits() {
				ve := reason.at(c, in.Values[j])
				ve.Row, ve.SFID = r+1, pr.sfid
				bad = append(bad, ve)
			}
			pr.args[j] = v
		}
		switch {
		case len(bad) == 0:
			p.rows = append(p.rows, pr)
		case b.SkipInvalid:
			p.rejected = append(p.rejected, bad...)
		default:
			for _, ve := range bad {
				verr.add(ve)
			}
		}
	}
	return p, verr.orNil()
}

// Upsert writes rows keyed by their Salesforce ID, in one transaction: rows
// with a new ID are inserted, the others updated. Every row must have a
// Salesforce ID. A row whose values and status are already those written is
// left untouched (its UpdatedAt does not move). Invalid values fail the
// whole batch with a *ValidationError before anything is written, unless
// the batch has SkipInvalid.
//
// Upsert overwrites: it does not look for local changes not yet sent (rows
// pending, failed, in conflict, or deleted here but not yet in Salesforce);
// the sync engine decides about them before it writes. A row deleted here
// that Upsert writes comes back, with the status written.
func (sh *Sheet) Upsert(ctx context.Context, sc store.Scope, b Batch) (Result, error) {
	p, err := sh.prepare(b, true)
	if err != nil {
		return Result{}, fmt.Errorf("upserting into sheet %q: %w", sh.Name, err)
	}
	// Arguments: the values, then $n+1 Salesforce ID, $n+2 status,
	// $n+3 origin, $n+4 the time.
	n := len(p.cols)
	t, q := store.QuoteIdent(sh.Table), store.QuoteIdent
	cols, vals := p.columns()
	cols = append(cols, q(colSFID), q(colStatus), q(colWrittenBy), q(colCreatedAt), q(colUpdatedAt))
	vals = append(vals, param(n+1), param(n+2), param(n+3), param(n+4), param(n+4))
	var set, changed []string
	for _, c := range cols[:n+3] {
		if c == q(colSFID) {
			continue
		}
		set = append(set, c+" = excluded."+c)
		changed = append(changed, t+"."+c+" IS DISTINCT FROM excluded."+c)
	}
	changed = append(changed, t+"."+q(colError)+" <> ''")
	cols, vals = append(cols, q(colSyncRev)), append(vals, p.syncRev(""))
	set = append(set, q(colError)+" = ''", q(colUpdatedAt)+" = excluded."+q(colUpdatedAt), q(colSyncRev)+" = "+p.syncRev(t+"."+q(colSyncRev)))
	query := "INSERT INTO " + t + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ")" +
		"\nON CONFLICT (" + q(colSFID) + ") DO UPDATE SET " + strings.Join(set, ", ") +
		"\nWHERE " + strings.Join(changed, " OR ")

	var res Result
	err = p.write(ctx, sc, sh.ID, func(tx *store.Tx) error {
		// Row ids only grow, so the rows above the largest id before the
		// batch are the ones it inserted; the statement reports every row
		// it inserted or updated, and none when the update's WHERE found
		// nothing to change.
		var maxID, inserted int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX("+q(colID)+"), 0) FROM "+t).Scan(&maxID); err != nil {
			return err
		}
		stmt, err := tx.Prepare(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, n+4)
		args[n+1], args[n+2], args[n+3] = string(p.status), string(p.origin), timestamp(tx)
		var written int64
		for _, r := range p.rows {
			copy(args, r.args)
			args[n] = r.sfid
			out, err := stmt.Exec(ctx, args...)
			if err != nil {
				return fmt.Errorf("writing the row with Salesforce ID %s: %w", r.sfid, err)
			}
			k, err := out.RowsAffected()
			if err != nil {
				return err
			}
			written += k
		}
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+t+" WHERE "+q(colID)+" > $1", maxID).Scan(&inserted); err != nil {
			return err
		}
		res = Result{Inserted: int(inserted), Updated: int(written - inserted), Unchanged: len(p.rows) - int(written), Rejected: p.rejected}
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("upserting into sheet %q: %w", sh.Name, err)
	}
	return res, nil
}

// Insert adds rows and returns their ids, in the batch's order (0 for a
// row left out by SkipInvalid), with the result. A row may carry a
// Salesforce ID; one already in the sheet fails the batch with
// store.ErrConflict.
func (sh *Sheet) Insert(ctx context.Context, sc store.Scope, b Batch) ([]int64, Result, error) {
	p, err := sh.prepare(b, false)
	if err != nil {
		return nil, Result{}, fmt.Errorf("inserting into sheet %q: %w", sh.Name, err)
	}
	n := len(p.cols)
	q := store.QuoteIdent
	cols, vals := p.columns()
	cols = append(cols, q(colSFID), q(colStatus), q(colWrittenBy), q(colCreatedAt), q(colUpdatedAt), q(colSyncRev))
	vals = append(vals, param(n+1), param(n+2), param(n+3), param(n+4), param(n+4), p.syncRev(""))
	query := "INSERT INTO " + q(sh.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(vals, ", ") + ") RETURNING " + q(colID)
	ids := make([]int64, len(b.Rows))
	err = p.write(ctx, sc, sh.ID, func(tx *store.Tx) error {
		stmt, err := tx.Prepare(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, n+4)
		args[n+1], args[n+2], args[n+3] = string(p.status), string(p.origin), timestamp(tx)
		for _, r := range p.rows {
			copy(args, r.args)
			args[n] = nullIfEmpty(r.sfid)
			if err := stmt.QueryRow(ctx, args...).Scan(&ids[r.index]); err != nil {
				return fmt.Errorf("row %d: %w", r.index+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, Result{}, fmt.Errorf("inserting into sheet %q: %w", sh.Name, err)
	}
	return ids, Result{Inserted: len(p.rows), Rejected: p.rejected}, nil
}

// Update changes the named columns of rows given by their ids (Input.ID),
// and their Salesforce ID when the input has one — which is how the sync
// engine records the ID of a record it created. A missing row fails the
// batch with store.ErrNotFound.
func (sh *Sheet) Update(ctx context.Context, sc store.Scope, b Batch) (Result, error) {
	p, err := sh.prepare(b, false)
	if err != nil {
		return Result{}, fmt.Errorf("updating sheet %q: %w", sh.Name, err)
	}
	// Arguments: the values, then $n+1 row id, $n+2 Salesforce ID or NULL,
	// $n+3 status, $n+4 origin, $n+5 the time.
	n := len(p.cols)
	q := store.QuoteIdent
	cols, vals := p.columns()
	var set []string
	for i := range cols {
		set = append(set, cols[i]+" = "+vals[i])
	}
	set = append(set,
		q(colSFID)+" = COALESCE("+param(n+2)+", "+q(colSFID)+")",
		q(colStatus)+" = "+param(n+3), q(colError)+" = ''",
		q(colWrittenBy)+" = "+param(n+4), q(colUpdatedAt)+" = "+param(n+5), q(colSyncRev)+" = "+p.syncRev(q(colSyncRev)))
	query := "UPDATE " + q(sh.Table) + " SET " + strings.Join(set, ", ") + " WHERE " + q(colID) + " = " + param(n+1)
	err = p.write(ctx, sc, sh.ID, func(tx *store.Tx) error {
		stmt, err := tx.Prepare(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, n+5)
		args[n+2], args[n+3], args[n+4] = string(p.status), string(p.origin), timestamp(tx)
		for _, r := range p.rows {
			copy(args, r.args)
			args[n], args[n+1] = r.id, nullIfEmpty(r.sfid)
			res, err := stmt.Exec(ctx, args...)
			if err != nil {
				return fmt.Errorf("row %d: %w", r.id, err)
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				return fmt.Errorf("row %d: %w", r.id, errors.Join(err, store.ErrNotFound))
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("updating sheet %q: %w", sh.Name, err)
	}
	return Result{Updated: len(p.rows), Rejected: p.rejected}, nil
}

// MarkRemoved marks the rows of the given Salesforce IDs removed: their
// records are gone from Salesforce. The rows stay, with their values, and
// come back to synced if the record does. It returns how many rows changed.
func (sh *Sheet) MarkRemoved(ctx context.Context, sc store.Scope, sfids []string) (int, error) {
	ids := make([]string, len(sfids))
	for i, s := range sfids {
		id, reason := NormalizeID(s)
		if reason != "" {
			return 0, fmt.Errorf("marking rows removed in sheet %q: %w", sh.Name,
				&ValueError{Row: i + 1, Column: "Salesforce ID", Type: TypeReference, Value: shorten(s), Code: ValueNotID, Reason: reason})
		}
		ids[i] = id
	}
	q := store.QuoteIdent
	query := "UPDATE " + q(sh.Table) + " SET " + q(colStatus) + " = 'removed', " + q(colWrittenBy) + " = 'sync', " +
		q(colSyncRev) + " = " + q(colSyncRev) + " + 1, " +
		q(colUpdatedAt) + " = $2 WHERE " + q(colSFID) + " = $1 AND " + q(colStatus) + " <> 'removed'"
	n, err := sh.each(ctx, sc, query, len(ids), func(i int, tx *store.Tx) []any { return []any{ids[i], timestamp(tx)} })
	if err != nil {
		return 0, fmt.Errorf("marking rows removed in sheet %q: %w", sh.Name, err)
	}
	return n, nil
}

// Delete deletes rows by id, as the sync engine does — for records deleted
// in Salesforce, or a row whose delete reached Salesforce — and returns how
// many there were. Nothing is sent to Salesforce, and the rows' links go
// too. A person's delete, which must reach Salesforce, is DeleteAsUser.
func (sh *Sheet) Delete(ctx context.Context, sc store.Scope, ids []int64) (int, error) {
	n, err := sh.deleteRows(ctx, sc, OriginSync, "", ids)
	if err != nil {
		return 0, fmt.Errorf("deleting rows of sheet %q: %w", sh.Name, err)
	}
	return n, nil
}

// DeleteAsUser deletes rows by id for actor (see Batch.Actor), as a
// person's DELETE with SQL would: a row linked to a Salesforce record is
// kept, deleted (hidden), until the delete reaches Salesforce; other rows go
// at once. It returns how many rows it deleted or marked deleted.
func (sh *Sheet) DeleteAsUser(ctx context.Context, sc store.Scope, actor string, ids []int64) (int, error) {
	n, err := sh.deleteRows(ctx, sc, OriginUser, actor, ids)
	if err != nil {
		return 0, fmt.Errorf("deleting rows of sheet %q: %w", sh.Name, err)
	}
	return n, nil
}

func (sh *Sheet) deleteRows(ctx context.Context, sc store.Scope, origin Origin, actor string, ids []int64) (int, error) {
	q, t := store.QuoteIdent, store.QuoteIdent(sh.Table)
	p := &prepared{origin: origin, actor: actor}
	n := 0
	err := p.write(ctx, sc, sh.ID, func(tx *store.Tx) error {
		n = 0
		// A person's delete does not count a row already deleted here.
		visible := ""
		if origin == OriginUser {
			visible = " AND " + q(colStatus) + " <> 'deleted'"
		}
		count, err := tx.Cached(ctx, "SELECT COUNT(*) FROM "+t+" WHERE "+q(colID)+" = $1"+visible)
		if err != nil {
			return err
		}
		// The sync engine's delete goes through the triggers: the row is
		// marked as deleted by the sync engine first.
		mark, err := tx.Cached(ctx, "UPDATE "+t+" SET "+q(colStatus)+" = 'deleted', "+q(colWrittenBy)+" = 'sync', "+
			q(colSyncRev)+" = "+q(colSyncRev)+" + 1 WHERE "+q(colID)+" = $1")
		if err != nil {
			return err
		}
		del, err := tx.Cached(ctx, "DELETE FROM "+t+" WHERE "+q(colID)+" = $1")
		if err != nil {
			return err
		}
		for _, id := range ids {
			var k int
			if err := count.QueryRow(ctx, id).Scan(&k); err != nil {
				return err
			}
			if origin == OriginSync {
				if _, err := mark.Exec(ctx, id); err != nil {
					return err
				}
				if err := tx.Links().DeleteRow(ctx, sh.ID, id); err != nil {
					return err
				}
			}
			if _, err := del.Exec(ctx, id); err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return n, err
}

// each runs a prepared statement count times in one write transaction, with
// the arguments args returns, and sums the rows it affected.
func (sh *Sheet) each(ctx context.Context, sc store.Scope, query string, count int, args func(int, *store.Tx) []any) (int, error) {
	total := 0
	err := sc.Write(ctx, func(tx *store.Tx) error {
		total = 0
		stmt, err := tx.Prepare(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range count {
			res, err := stmt.Exec(ctx, args(i, tx)...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, err
}

// columns returns the batch's quoted column identifiers and their
// placeholders $1..$n.
func (p *prepared) columns() (cols, vals []string) {
	for i, c := range p.cols {
		cols = append(cols, store.QuoteIdent(c.Ident))
		vals = append(vals, param(i+1))
	}
	return cols, vals
}

func param(n int) string { return "$" + strconv.Itoa(n) }

// timestamp is the transaction's time as stored in a sheet.
func timestamp(tx *store.Tx) string { return tx.Now().Format(dateTimeLayout) }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
