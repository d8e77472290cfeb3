package sheet

import (
	"context"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/store"
)

// captureVersion is the version of the change capture this package installs
// on sheet tables (sheets.capture_version). Version 1: the _sync_rev column,
// the deleted status and the three triggers below.
const captureVersion = 1

func init() {
	store.RegisterUpgrade("sheet change capture", upgradeCapture)
}

// upgradeCapture brings every sheet's table to captureVersion: tables from
// before version 1 are rebuilt (a column and a CHECK cannot be changed in
// place on SQLite), then the triggers are installed.
func upgradeCapture(ctx context.Context, tx *store.Tx) error {
	rows, err := tx.Query(ctx, `SELECT id, capture_version FROM sheets WHERE capture_version < $1 ORDER BY id`, captureVersion)
	if err != nil {
		return err
	}
	type sheetVersion struct {
		id      int64
		version int
	}
	var stale []sheetVersion
	for rows.Next() {
		var s sheetVersion
		if err := rows.Scan(&s.id, &s.version); err != nil {
			rows.Close()
			return err
		}
		stale = append(stale, s)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, s := range stale {
		sh, err := Get(ctx, tx, s.id)
		if err != nil {
			return err
		}
		if s.version < 1 {
			if err := sh.rebuild(ctx, tx); err != nil {
				return fmt.Errorf("rebuilding table %s of sheet %q: %w", sh.Table, sh.Name, err)
			}
		}
		if err := sh.installCapture(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// rebuild recreates the sheet's table with today's system columns and
// checks, keeping every row and its id.
func (sh *Sheet) rebuild(ctx context.Context, tx *store.Tx) error {
	q := store.QuoteIdent
	// Sheet identifiers never hold two underscores in a row: no sheet's
	// table can have this name.
	old := sh.Table + "__old"
	copied := []string{q(colID), q(colSFID), q(colStatus), q(colError), q(colWrittenBy), q(colCreatedAt), q(colUpdatedAt)}
	for _, c := range sh.Columns {
		copied = append(copied, q(c.Ident))
	}
	list := strings.Join(copied, ", ")
	stmts := []string{
		"DROP INDEX " + q(sh.Table+"_unsynced"),
		"ALTER TABLE " + q(sh.Table) + " RENAME TO " + q(old),
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	if err := createTable(ctx, tx, sh.Table); err != nil {
		return err
	}
	for _, c := range sh.Columns {
		if err := addColumn(ctx, tx, sh.Table, c); err != nil {
			return err
		}
	}
	for _, s := range []string{
		"INSERT INTO " + q(sh.Table) + " (" + list + ") SELECT " + list + " FROM " + q(old),
		"DROP TABLE " + q(old),
	} {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// installCapture (re)creates the sheet's triggers for its columns as they
// are, and records the capture version.
func (sh *Sheet) installCapture(ctx context.Context, tx *store.Tx) error {
	d := tx.Dialect()
	var stmts []string
	for _, t := range sh.captureTriggers(d) {
		stmts = append(stmts, d.DropTrigger(t.Name, t.Table)...)
		stmts = append(stmts, d.CreateTrigger(t)...)
	}
	stmts = append(stmts, fmt.Sprintf(`UPDATE sheets SET capture_version = %d WHERE id = %d`, captureVersion, sh.ID))
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("installing the change capture of sheet %q: %w", sh.Name, err)
		}
	}
	return nil
}

// captureTriggers are the triggers that append every change not made by
// the sync engine to the outbox, in the transaction of the change (see
// docs/adr/0100-change-capture.md):
//
//   - insert: a row not inserted by the sync engine is a new row to send;
//   - update: a change of a user column, or a move of the status to
//     pending or deleted, by anyone but the sync engine, marks the row
//     pending (or keeps it deleted), written by a user, and is recorded
//     with the columns it changed;
//   - delete: a row linked to a record (or whose create is in flight) is
//     kept, marked deleted, until the delete reaches Salesforce: the update
//     trigger records it. Other rows are deleted at once.
//
// The sync engine's writes set _written_by to 'sync' and change _sync_rev
// in the same statement; nothing else does both.
func (sh *Sheet) captureTriggers(d store.Dialect) []store.Trigger {
	q := store.QuoteIdent
	col := func(row, c string) string { return row + "." + q(c) }
	newRev, oldRev := col("NEW", colSyncRev), col("OLD", colSyncRev)
	byUser := store.Assignment{Column: colWrittenBy, Value: "'" + string(OriginUser) + "'"}
	outbox := func(op, columns string) string {
		return fmt.Sprintf(`INSERT INTO outbox (sheet_id, row_id, op, columns, written_by, created_at) VALUES (%d, %s, %s, %s, '%s', %s)`,
			sh.ID, col("NEW", colID), op, columns, store.WrittenBySQL, d.Now())
	}
	// columns builds the comma-separated identifiers of the user columns
	// for which cond (over NEW and OLD) holds.
	columns := func(cond func(c string) string) string {
		if len(sh.Columns) == 0 {
			return "''"
		}
		parts := make([]string, len(sh.Columns))
		for i, c := range sh.Columns {
			parts[i] = fmt.Sprintf("(CASE WHEN %s THEN '%s,' ELSE '' END)", cond(c.Ident), c.Ident)
		}
		return "rtrim(" + balanced(" || ", parts) + ", ',')"
	}
	changed := func(c string) string { return col("NEW", c) + " IS DISTINCT FROM " + col("OLD", c) }
	anyChanged := "FALSE"
	if len(sh.Columns) > 0 {
		conds := make([]string, len(sh.Columns))
		for i, c := range sh.Columns {
			conds[i] = changed(c.Ident)
		}
		anyChanged = balanced(" OR ", conds)
	}
	deleted := "'" + string(StatusDeleted) + "'"
	newDeleted := col("NEW", colStatus) + " = " + deleted
	return []store.Trigger{
		{
			Name: sh.Table + "_capture_insert", Table: sh.Table, Key: colID, Event: store.OnInsert,
			When: fmt.Sprintf("NOT (%s = 'sync' AND %s <> 0)", col("NEW", colWrittenBy), newRev),
			Do:   []string{outbox("'insert'", columns(func(c string) string { return col("NEW", c) + " IS NOT NULL" }))},
		},
		{
			Name: sh.Table + "_capture_update", Table: sh.Table, Key: colID, Event: store.OnUpdate,
			When: fmt.Sprintf("NOT (%s = 'sync' AND %s IS DISTINCT FROM %s) AND (%s OR (%s IN ('pending', %s) AND %s IS DISTINCT FROM %s))",
				col("NEW", colWrittenBy), newRev, oldRev, anyChanged,
				col("NEW", colStatus), deleted, col("NEW", colStatus), col("OLD", colStatus)),
			Set: []store.Assignment{
				{Column: colStatus, Value: fmt.Sprintf("CASE WHEN %s THEN %s ELSE 'pending' END", newDeleted, deleted)},
				byUser,
				{Column: colError, Value: "''"},
				{Column: colUpdatedAt, Value: fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", changed(colUpdatedAt), col("NEW", colUpdatedAt), d.Now())},
			},
			Do: []string{outbox(fmt.Sprintf("CASE WHEN %s THEN 'delete' ELSE 'update' END", newDeleted), columns(changed))},
		},
		{
			Name: sh.Table + "_capture_delete", Table: sh.Table, Key: colID, Event: store.OnDelete,
			When: fmt.Sprintf("NOT (%s = 'sync' AND %s = %s) AND %s <> 'removed' AND (%s IS NOT NULL OR EXISTS ("+
				"SELECT 1 FROM create_journal WHERE sheet_id = %d AND row_id = %s AND closed_at IS NULL))",
				col("OLD", colWrittenBy), col("OLD", colStatus), deleted, col("OLD", colStatus), col("OLD", colSFID), sh.ID, col("OLD", colID)),
			Set: []store.Assignment{
				{Column: colStatus, Value: deleted},
				byUser,
				{Column: colError, Value: "''"},
				{Column: colUpdatedAt, Value: d.Now()},
			},
		},
	}
}

// balanced joins terms with the binary operator op as a balanced tree of
// parentheses, so that the expression's depth grows with the logarithm of
// the number of columns (SQLite limits expression depth to 1,000).
func balanced(op string, terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	mid := len(terms) / 2
	return "(" + balanced(op, terms[:mid]) + op + balanced(op, terms[mid:]) + ")"
}
