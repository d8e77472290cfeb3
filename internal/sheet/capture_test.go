package sheet_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// direct opens a connection of its own on the sheet's database file, as a
// person's SQL client would: nothing of sfbridge's runs on it.
func direct(t *testing.T, f *fixture) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", f.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func run(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	res, err := db.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	n, _ := res.RowsAffected()
	return n
}

// entry is an outbox entry as the tests compare them.
type entry struct {
	Row     int64
	Op      store.ChangeOp
	Columns string
	By      string
}

// outbox returns the sheet's outbox entries, oldest first.
func outbox(t *testing.T, f *fixture) []entry {
	t.Helper()
	var out []entry
	err := f.st.Read(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Query(t.Context(), `SELECT row_id, op, columns, written_by FROM outbox WHERE sheet_id = $1 ORDER BY seq`, f.sh.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e entry
			if err := rows.Scan(&e.Row, &e.Op, &e.Columns, &e.By); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// synced upserts records as the inbound sync does and returns their row ids.
func synced(t *testing.T, f *fixture, sfids ...string) []int64 {
	t.Helper()
	b := sheet.Batch{Columns: []string{"Account Name", "Phone"}}
	for i, id := range sfids {
		b.Rows = append(b.Rows, sheet.Input{SFID: id, Values: []any{fmt.Sprintf("Account %d", i), "+1 555 0100"}})
	}
	if _, err := f.sh.Upsert(t.Context(), f.st, b); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, id := range sfids {
		r, err := f.sh.BySFID(t.Context(), f.st, id)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func row(t *testing.T, f *fixture, id int64) *sheet.Row {
	t.Helper()
	r, err := f.sh.Get(t.Context(), f.st, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCaptureDirectSQL(t *testing.T) {
	t.Parallel()
	f := setup(t)
	db := direct(t, f)
	ids := synced(t, f, acme, globex, initech)
	if got := outbox(t, f); len(got) != 0 {
		t.Fatalf("the sync's upsert was captured: %+v", got)
	}

	run(t, db, `INSERT INTO sheet_accounts (account_name, employees) VALUES ('Typed in SQL', 5)`)
	local := ids[2] + 1
	run(t, db, `UPDATE sheet_accounts SET phone = '+1 555 0199', rating = 'Hot' WHERE _sfid = ?`, acme)
	run(t, db, `UPDATE sheet_accounts SET account_name = account_name WHERE _sfid = ?`, globex) // changes nothing
	run(t, db, `UPDATE sheet_accounts SET _written_by = 'sync', email = 'a@example.com' WHERE _sfid = ?`, globex)
	run(t, db, `UPDATE sheet_accounts SET _status = 'pending' WHERE _sfid = ?`, initech) // send the whole row again
	if n := run(t, db, `DELETE FROM sheet_accounts WHERE _sfid = ?`, acme); n != 0 {
		t.Errorf("deleting a linked row with SQL deleted %d rows; it must be kept until the delete reaches Salesforce", n)
	}
	if n := run(t, db, `DELETE FROM sheet_accounts WHERE _id = ?`, local); n != 1 {
		t.Errorf("deleting a local row with SQL deleted %d rows, want 1", n)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE sheet_accounts SET phone = 'rolled back'`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	want := []entry{
		{local, store.OpInsert, "account_name,employees,active", store.WrittenBySQL},
		{ids[0], store.OpUpdate, "rating,phone", store.WrittenBySQL},
		{ids[1], store.OpUpdate, "email", store.WrittenBySQL},
		{ids[2], store.OpUpdate, "", store.WrittenBySQL},
		{ids[0], store.OpDelete, "", store.WrittenBySQL},
	}
	if got := outbox(t, f); !slices.Equal(got, want) {
		t.Errorf("outbox:\n got %+v\nwant %+v", got, want)
	}

	before := f.clock.Now().UTC().Truncate(time.Millisecond)
	for _, tt := range []struct {
		id     int64
		status sheet.Status
	}{{ids[0], sheet.StatusDeleted}, {ids[1], sheet.StatusPending}, {ids[2], sheet.StatusPending}} {
		r := row(t, f, tt.id)
		if r.Status != tt.status || r.WrittenBy != sheet.OriginUser || !r.UpdatedAt.After(before) {
			t.Errorf("row %d after direct SQL: status %s, written by %s, updated %v; want %s, user, the time of the edit",
				tt.id, r.Status, r.WrittenBy, r.UpdatedAt, tt.status)
		}
	}
	if r := row(t, f, ids[0]); r.Values[9] != "Hot" || r.Values[12] != "+1 555 0199" || r.SFID != acme {
		t.Errorf("a row deleted with SQL lost its values: %+v", r)
	}
	if _, err := f.sh.Get(t.Context(), f.st, local); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the local row deleted with SQL: %v", err)
	}

	t.Run("rows deleted here are hidden from queries that name no status", func(t *testing.T) {
		if n, _ := f.sh.Count(t.Context(), f.st, sheet.Query{}); n != 2 {
			t.Errorf("Count = %d, want 2", n)
		}
		if n, _ := f.sh.Count(t.Context(), f.st, sheet.Query{Status: []sheet.Status{sheet.StatusDeleted}}); n != 1 {
			t.Errorf("Count of deleted rows = %d, want 1", n)
		}
		if r, err := f.sh.BySFID(t.Context(), f.st, acme); err != nil || r.Status != sheet.StatusDeleted {
			t.Errorf("BySFID of a deleted row = %+v, %v", r, err)
		}
		// A second delete is not a second change.
		run(t, db, `DELETE FROM sheet_accounts WHERE _sfid = ?`, acme)
		if got := outbox(t, f); len(got) != len(want) {
			t.Errorf("deleting a deleted row again appended %+v", got[len(want):])
		}
	})

	t.Run("deleting here only, as the package documentation shows", func(t *testing.T) {
		before := len(outbox(t, f))
		run(t, db, `UPDATE sheet_accounts SET _status = 'deleted', _written_by = 'sync', _sync_rev = _sync_rev + 1 WHERE _id = ?`, ids[2])
		if n := run(t, db, `DELETE FROM sheet_accounts WHERE _id = ?`, ids[2]); n != 1 {
			t.Fatalf("the delete deleted %d rows, want 1", n)
		}
		if got := outbox(t, f); len(got) != before {
			t.Errorf("deleting here only was captured: %+v", got[before:])
		}
	})

	t.Run("a direct change wakes the outbound side by polling", func(t *testing.T) {
		seen, err := f.st.Outbox().MaxSeq(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := f.st.WaitOutbox(t.Context(), seen, 10*time.Millisecond)
			done <- err
		}()
		run(t, db, `UPDATE sheet_accounts SET website = 'https://lyon.example' WHERE _sfid = ?`, globex)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestCaptureSkipsSyncWrites(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	ids := synced(t, f, acme, globex, initech)
	f.clock.Advance(time.Minute)
	if _, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Phone"}, Rows: []sheet.Input{{SFID: acme, Values: []any{"+1 555 0142"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sh.MarkRemoved(ctx, f.st, []string{globex}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sh.Update(ctx, f.st, sheet.Batch{Columns: []string{"Website"}, Rows: []sheet.Input{{ID: ids[0], Values: []any{"https://paris.example"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{SFID: "001000000000009AAA", Values: []any{"Synced insert"}}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.sh.Delete(ctx, f.st, []int64{ids[2]}); err != nil || n != 1 {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	if n, err := f.sh.SetStatus(ctx, f.st, []sheet.StatusUpdate{{ID: ids[0], Status: sheet.StatusConflict, Error: "Phone changed on both sides"}}); err != nil || n != 1 {
		t.Fatalf("SetStatus = %d, %v", n, err)
	}
	if got := outbox(t, f); len(got) != 0 {
		t.Errorf("writes of the sync engine were captured: %+v", got)
	}
	if r := row(t, f, ids[0]); r.Status != sheet.StatusConflict || r.Error != "Phone changed on both sides" || r.Values[13] != "https://paris.example" {
		t.Errorf("row after sync writes = %+v", r)
	}
	if _, err := f.sh.SetStatus(ctx, f.st, []sheet.StatusUpdate{{ID: ids[0], Status: sheet.StatusPending}}); !errors.Is(err, sheet.ErrInvalidBatch) {
		t.Errorf("SetStatus pending: error = %v, want ErrInvalidBatch", err)
	}
}

func TestCaptureUserWrites(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	ids := synced(t, f, acme, globex)
	woken := f.st.OutboxSignal()

	local, _, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Origin: sheet.OriginUser, Actor: "import:leads.csv",
		Rows: []sheet.Input{{Values: []any{"New lead"}}}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	default:
		t.Error("a user's insert through sfbridge did not fire the outbox signal")
	}
	if _, err := f.sh.Update(ctx, f.st, sheet.Batch{Columns: []string{"Phone", "Website"}, Origin: sheet.OriginUser, Actor: "api:ada",
		Rows: []sheet.Input{{ID: ids[0], Values: []any{"+1 555 0100", "https://lyon.example"}}}}); err != nil { // the phone is unchanged
		t.Fatal(err)
	}
	if _, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Email"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{SFID: globex, Values: []any{"ops@globex.example"}}}}); err != nil {
		t.Fatal(err)
	}
	n, err := f.sh.DeleteAsUser(ctx, f.st, "api:bob", []int64{ids[1], local[0], 999})
	if err != nil || n != 2 {
		t.Fatalf("DeleteAsUser = %d, %v; want 2", n, err)
	}
	want := []entry{
		{local[0], store.OpInsert, "account_name,active", "import:leads.csv"},
		{ids[0], store.OpUpdate, "website", "api:ada"},
		{ids[1], store.OpUpdate, "email", "sfbridge"},
		{ids[1], store.OpDelete, "", "api:bob"},
	}
	if got := outbox(t, f); !slices.Equal(got, want) {
		t.Errorf("outbox:\n got %+v\nwant %+v", got, want)
	}
	if r := row(t, f, ids[1]); r.Status != sheet.StatusDeleted {
		t.Errorf("a linked row deleted through sfbridge: status %s, want deleted", r.Status)
	}
	if n, err := f.sh.DeleteAsUser(ctx, f.st, "api:bob", []int64{ids[1]}); err != nil || n != 0 {
		t.Errorf("deleting a deleted row again = %d, %v; want 0", n, err)
	}
}

// TestUpgradeRebuildsOldSheets opens a database whose sheet was made before
// change capture existed: the store's upgrade rebuilds its table, keeping
// the rows and their ids, and captures changes from then on.
func TestUpgradeRebuildsOldSheets(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/" + sqlite.FileName
	k, _ := secret.GenerateKey("k1")
	kr, _ := secret.NewKeyring(k)
	open := func() *store.Store {
		drv, err := sqlite.Open(path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(context.Background(), drv, store.Options{Keyring: kr})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	ctx := t.Context()
	// The DDL package sheet wrote before change capture, verbatim.
	old := []string{
		`INSERT INTO sheets (id, name, table_name, created_at, updated_at) VALUES (7, 'Old', 'sheet_old', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')`,
		`INSERT INTO sheet_columns (sheet_id, position, name, ident, type, options, created_at) VALUES (7, 1, 'Name', 'name', 'text', '{}', '2026-01-01 00:00:00+00:00'), (7, 2, 'Won', 'won', 'checkbox', '{}', '2026-01-01 00:00:00+00:00')`,
		`CREATE TABLE "sheet_old" (
	"_id" INTEGER PRIMARY KEY AUTOINCREMENT,
	"_sfid" TEXT UNIQUE,
	"_status" TEXT NOT NULL DEFAULT 'pending' CHECK ("_status" IN ('pending', 'synced', 'failed', 'conflict', 'removed')),
	"_error" TEXT NOT NULL DEFAULT '',
	"_written_by" TEXT NOT NULL DEFAULT 'user' CHECK ("_written_by" IN ('sync', 'user')),
	"_created_at" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', "_created_at") IS "_created_at"),
	"_updated_at" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) CHECK (strftime('%Y-%m-%dT%H:%M:%fZ', "_updated_at") IS "_updated_at")
) STRICT`,
		`CREATE INDEX "sheet_old_unsynced" ON "sheet_old" ("_status") WHERE "_status" <> 'synced'`,
		`ALTER TABLE "sheet_old" ADD COLUMN "name" TEXT`,
		`ALTER TABLE "sheet_old" ADD COLUMN "won" INTEGER NOT NULL DEFAULT FALSE CHECK ("won" IN (0, 1))`,
		`INSERT INTO sheet_old (_id, _sfid, _status, _written_by, name, won) VALUES (3, '001000000000001AAA', 'synced', 'sync', 'Kept', 1), (5, NULL, 'pending', 'user', 'Local', 0)`,
		`UPDATE sheets SET capture_version = 0 WHERE id = 7`,
	}
	err := st.Write(ctx, func(tx *store.Tx) error {
		for _, s := range old {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	st = open()
	t.Cleanup(func() { _ = st.Close() })
	sh, err := sheet.Open(ctx, st, "old")
	if err != nil {
		t.Fatal(err)
	}
	page, err := sh.List(ctx, st, sheet.Query{})
	if err != nil || len(page.Rows) != 2 || page.Rows[0].ID != 3 || page.Rows[0].Values[0] != "Kept" || page.Rows[0].Values[1] != true ||
		page.Rows[1].ID != 5 || page.Rows[1].Status != sheet.StatusPending {
		t.Fatalf("rows after the upgrade = %+v, %v", page.Rows, err)
	}
	if _, err := sh.DeleteAsUser(ctx, st, "test", []int64{3}); err != nil {
		t.Fatal(err)
	}
	if r, _ := sh.Get(ctx, st, 3); r.Status != sheet.StatusDeleted {
		t.Errorf("a linked row deleted after the upgrade: status %s, want deleted", r.Status)
	}
	if es, err := st.Outbox().Entries(ctx, sh.ID, 3); err != nil || len(es) != 1 || es[0].Op != store.OpDelete {
		t.Errorf("outbox entries of the deleted row = %+v, %v", es, err)
	}
	// Ids keep growing from the old ones.
	ids, _, err := sh.Insert(ctx, st, sheet.Batch{Columns: []string{"Name"}, Origin: sheet.OriginUser, Rows: []sheet.Input{{Values: []any{"New"}}}})
	if err != nil || ids[0] != 6 {
		t.Errorf("a new row after the upgrade: id %v, %v; want 6", ids, err)
	}
}

func TestAddColumnsExtendsCapture(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ids := synced(t, f, acme)
	sh2, err := f.sh.AddColumns(t.Context(), f.st, sheet.Column{Name: "Segment", Type: sheet.TypeText})
	if err != nil {
		t.Fatal(err)
	}
	run(t, direct(t, f), `UPDATE sheet_accounts SET segment = 'SMB' WHERE _id = ?`, ids[0])
	if got := outbox(t, f); len(got) != 1 || got[0].Columns != "segment" {
		t.Errorf("outbox after editing a new column = %+v", got)
	}
	if r, _ := sh2.Get(t.Context(), f.st, ids[0]); r.Status != sheet.StatusPending {
		t.Errorf("status = %s, want pending", r.Status)
	}
}

// TestCaptureManyColumns: the triggers of a sheet with more columns than
// SQLite's expression depth limit (1,000) still build and capture.
func TestCaptureManyColumns(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cols := make([]sheet.Column, 1100)
	for i := range cols {
		cols[i] = sheet.Column{Name: fmt.Sprintf("Field %d", i), Type: sheet.TypeNumber}
	}
	wide, err := sheet.Create(t.Context(), f.st, "Wide", cols)
	if err != nil {
		t.Fatal(err)
	}
	db := direct(t, f)
	run(t, db, `INSERT INTO sheet_wide (field_0, field_1099) VALUES (1, 2)`)
	run(t, db, `UPDATE sheet_wide SET field_777 = 3`)
	es, err := f.st.Outbox().Entries(t.Context(), wide.ID, 1)
	if err != nil || len(es) != 2 || !slices.Equal(es[0].Columns, []string{"field_0", "field_1099"}) || !slices.Equal(es[1].Columns, []string{"field_777"}) {
		t.Errorf("entries = %+v, %v", es, err)
	}
}

// TestCaptureWritesNoValue: a direct write of a value the column's type
// refuses fails whole, outbox entry included.
func TestCaptureRefusedWrite(t *testing.T) {
	t.Parallel()
	f := setup(t)
	synced(t, f, acme)
	_, err := direct(t, f).Exec(`UPDATE sheet_accounts SET employees = 'many'`)
	if err == nil || !strings.Contains(err.Error(), "constraint") {
		t.Fatalf("a value of the wrong type: error = %v", err)
	}
	if got := outbox(t, f); len(got) != 0 {
		t.Errorf("a refused write left outbox entries: %+v", got)
	}
}

// TestCaptureGolden pins the triggers installed on a sheet of a few
// columns (the second sheet: id 2), as SQLite stores them (go test -update
// rewrites the file).
func TestCaptureGolden(t *testing.T) {
	t.Parallel()
	f := setup(t)
	sh, err := sheet.Create(t.Context(), f.st, "Leads", []sheet.Column{
		{Name: "Last Name", Type: sheet.TypeText}, {Name: "Score", Type: sheet.TypeNumber}, {Name: "Converted", Type: sheet.TypeCheckbox}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = f.st.Read(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Query(t.Context(), `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = $1 ORDER BY name`, sh.Table)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			b.WriteString(s + ";\n\n")
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "capture_triggers.sql", []byte(b.String()))
}
