package postgres_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/postgres/pgtest"
)

// The tests of this file run package sheet on PostgreSQL where the engine
// matters: typed values through the native column types, and the change
// capture of direct SQL by the dialect's triggers.

var columns = []sheet.Column{
	{Name: "Name", Type: sheet.TypeText},
	{Name: "Employees", Type: sheet.TypeNumber, Precision: 8},
	{Name: "Revenue", Type: sheet.TypeCurrency, Precision: 18, Scale: 2},
	{Name: "Active", Type: sheet.TypeCheckbox},
	{Name: "Since", Type: sheet.TypeDate},
	{Name: "Last Seen", Type: sheet.TypeDateTime},
	{Name: "Window", Type: sheet.TypeTime},
	{Name: "Regions", Type: sheet.TypeMultiPicklist, Values: []string{"EMEA", "AMER"}},
	{Name: "Address", Type: sheet.TypeAddress},
}

type sheetFixture struct {
	st  *store.Store
	sh  *sheet.Sheet
	sql *sql.DB // a plain pgx connection, as a person's SQL client
}

func setupSheet(t *testing.T) *sheetFixture {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	drv, err := postgres.Open(dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, drv)
	sh, err := sheet.Create(t.Context(), st, "Accounts", columns)
	if err != nil {
		t.Fatal(err)
	}
	return &sheetFixture{st: st, sh: sh, sql: pgtest.DB(t, dsn)}
}

func (f *sheetFixture) exec(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	res, err := f.sql.ExecContext(t.Context(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	n, _ := res.RowsAffected()
	return n
}

type entry struct {
	Row     int64
	Op      store.ChangeOp
	Columns string
	By      string
}

func (f *sheetFixture) outbox(t *testing.T) []entry {
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

const (
	acme   = "001B000000UnQ2vIAF"
	globex = "001000000000001AAA"
)

// TestSheetValuesRoundTrip writes a value of every engine-dependent type
// and reads back exactly what package sheet wrote on SQLite.
func TestSheetValuesRoundTrip(t *testing.T) {
	t.Parallel()
	f := setupSheet(t)
	ctx := t.Context()
	in := []any{"Acme ☃", 1234, 9876543210.25, true, "2024-02-29", "2024-02-29T23:59:58.123Z", "13:45:00.250",
		[]string{"EMEA", "AMER"}, map[string]any{"city": "Paris", "country": "France"}}
	b := sheet.Batch{Columns: names(), Rows: []sheet.Input{{SFID: acme, Values: in}, {SFID: globex, Values: make([]any, len(columns))}}}
	if _, err := f.sh.Upsert(ctx, f.st, b); err != nil {
		t.Fatal(err)
	}
	r, err := f.sh.BySFID(ctx, f.st, acme)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"Acme ☃", 1234.0, 9876543210.25, true, "2024-02-29", "2024-02-29T23:59:58.123Z", "13:45:00.250",
		[]string{"EMEA", "AMER"}, sheet.Address{City: "Paris", Country: "France"}}
	if diff := cmp.Diff(want, r.Values); diff != "" {
		t.Errorf("values read back (-want +got):\n%s", diff)
	}
	empty, err := f.sh.BySFID(ctx, f.st, globex)
	if err != nil {
		t.Fatal(err)
	}
	if wantEmpty := []any{nil, nil, nil, false, nil, nil, nil, nil, nil}; !cmp.Equal(wantEmpty, empty.Values) {
		t.Errorf("empty values read back as %#v, want %#v", empty.Values, wantEmpty)
	}

	for _, tt := range []struct {
		cond sheet.Condition
		want []string
	}{
		{sheet.Condition{Column: "Employees", Op: sheet.OpGt, Value: 1000}, []string{acme}},
		{sheet.Condition{Column: "Since", Op: sheet.OpLe, Value: "2024-03-01"}, []string{acme}},
		{sheet.Condition{Column: "Last Seen", Op: sheet.OpGe, Value: "2024-02-29T23:59:58.123Z"}, []string{acme}},
		{sheet.Condition{Column: "Active", Op: sheet.OpEq, Value: false}, []string{globex}},
		{sheet.Condition{Column: "Name", Op: sheet.OpContains, Value: "ACME"}, []string{acme}},
		{sheet.Condition{Column: "Window", Op: sheet.OpEmpty}, []string{globex}},
	} {
		page, err := f.sh.List(ctx, f.st, sheet.Query{Where: []sheet.Condition{tt.cond}})
		if err != nil {
			t.Errorf("%+v: %v", tt.cond, err)
			continue
		}
		var got []string
		for _, r := range page.Rows {
			got = append(got, r.SFID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("rows where %+v = %v, want %v", tt.cond, got, tt.want)
		}
	}
}

func names() []string {
	ns := make([]string, len(columns))
	for i, c := range columns {
		ns[i] = c.Name
	}
	return ns
}

// TestSheetCaptureDirectSQL changes a sheet through a plain pgx connection,
// as a person's SQL client would: every change lands in the outbox in the
// transaction of the change, and the sync engine's own writes do not.
func TestSheetCaptureDirectSQL(t *testing.T) {
	t.Parallel()
	f := setupSheet(t)
	ctx := t.Context()
	if _, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Name"}, Rows: []sheet.Input{
		{SFID: acme, Values: []any{"Acme"}}, {SFID: globex, Values: []any{"Globex"}},
	}}); err != nil {
		t.Fatal(err)
	}
	if got := f.outbox(t); len(got) != 0 {
		t.Fatalf("the sync engine's upsert was captured: %+v", got)
	}
	a, _ := f.sh.BySFID(ctx, f.st, acme)
	g, _ := f.sh.BySFID(ctx, f.st, globex)

	// An insert is in the outbox in its own transaction, before it commits,
	// and visible to no one else until then.
	tx, err := f.sql.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var local int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO sheet_accounts (name, employees, active) VALUES ('Typed in SQL', 5, TRUE) RETURNING _id`).Scan(&local); err != nil {
		t.Fatal(err)
	}
	var inTx int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE row_id = $1`, local).Scan(&inTx); err != nil || inTx != 1 {
		t.Fatalf("outbox entries of the insert inside its transaction: %d, %v; want 1", inTx, err)
	}
	if got := f.outbox(t); len(got) != 0 {
		t.Fatalf("an uncommitted insert's entry is visible outside: %+v", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	f.exec(t, `UPDATE sheet_accounts SET employees = 12, name = 'Acme Corp' WHERE _sfid = $1`, acme)
	f.exec(t, `UPDATE sheet_accounts SET name = name WHERE _sfid = $1`, globex) // changes nothing
	f.exec(t, `UPDATE sheet_accounts SET _written_by = 'sync', active = TRUE WHERE _sfid = $1`, globex)
	if n := f.exec(t, `DELETE FROM sheet_accounts WHERE _sfid = $1`, acme); n != 0 {
		t.Errorf("deleting a linked row with SQL deleted %d rows; it must be kept until the delete reaches Salesforce", n)
	}
	if n := f.exec(t, `DELETE FROM sheet_accounts WHERE _id = $1`, local); n != 1 {
		t.Errorf("deleting a local row with SQL deleted %d rows, want 1", n)
	}
	rollback, err := f.sql.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rollback.ExecContext(ctx, `UPDATE sheet_accounts SET name = 'rolled back'`); err != nil {
		t.Fatal(err)
	}
	if err := rollback.Rollback(); err != nil {
		t.Fatal(err)
	}
	// A value the column refuses fails the statement, entry included.
	if _, err := f.sql.ExecContext(ctx, `UPDATE sheet_accounts SET since = '2024-02-30' WHERE _sfid = $1`, globex); err == nil {
		t.Error("an impossible date was stored")
	}

	want := []entry{
		{local, store.OpInsert, "name,employees,active", store.WrittenBySQL},
		{a.ID, store.OpUpdate, "name,employees", store.WrittenBySQL},
		{g.ID, store.OpUpdate, "active", store.WrittenBySQL},
		{a.ID, store.OpDelete, "", store.WrittenBySQL},
	}
	if diff := cmp.Diff(want, f.outbox(t)); diff != "" {
		t.Errorf("outbox (-want +got):\n%s", diff)
	}
	if r, err := f.sh.BySFID(ctx, f.st, acme); err != nil || r.Status != sheet.StatusDeleted || r.WrittenBy != sheet.OriginUser || r.Values[0] != "Acme Corp" {
		t.Errorf("the row deleted with SQL: %+v, %v; want kept, deleted, by a user, with its values", r, err)
	}

	// sfbridge's own writes for a person are attributed to them.
	if _, err := f.sh.Update(ctx, f.st, sheet.Batch{Columns: []string{"Employees"}, Origin: sheet.OriginUser, Actor: "api:ada",
		Rows: []sheet.Input{{ID: g.ID, Values: []any{7}}}}); err != nil {
		t.Fatal(err)
	}
	got := f.outbox(t)
	if last := got[len(got)-1]; last != (entry{g.ID, store.OpUpdate, "employees", "api:ada"}) {
		t.Errorf("the entry of an update through sfbridge: %+v", last)
	}
}

// openStore opens a store on drv with a fresh keyring.
func openStore(t *testing.T, drv store.Driver) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), drv, store.Options{Keyring: keyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestSheetLifecycle adds a column (the capture triggers are re-created to
// cover it), drops the sheet and creates it again under the same name.
func TestSheetLifecycle(t *testing.T) {
	t.Parallel()
	f := setupSheet(t)
	ctx := t.Context()
	sh, err := f.sh.AddColumns(ctx, f.st, sheet.Column{Name: "Notes", Type: sheet.TypeLongText})
	if err != nil {
		t.Fatal(err)
	}
	f.sh = sh
	f.exec(t, `INSERT INTO sheet_accounts (notes) VALUES ('a new column')`)
	if got := f.outbox(t); len(got) != 1 || got[0].Columns != "active,notes" {
		t.Errorf("outbox after an insert into the new column: %+v; want one entry naming it", got)
	}
	if err := sh.Drop(ctx, f.st); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := f.sql.QueryRowContext(ctx, `SELECT count(*) FROM pg_proc WHERE proname LIKE 'sheet\_accounts\_capture\_%'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("trigger functions left after the drop: %d (%v); want none", left, err)
	}
	again, err := sheet.Create(ctx, f.st, "Accounts", columns)
	if err != nil {
		t.Fatalf("creating a dropped sheet again: %v", err)
	}
	if again.Table != sh.Table {
		t.Fatalf("table %s, want %s again", again.Table, sh.Table)
	}
	f.sh = again
	f.exec(t, `INSERT INTO sheet_accounts (name) VALUES ('again')`)
	if got := f.outbox(t); len(got) != 1 || got[0].Op != store.OpInsert {
		t.Errorf("outbox of the new sheet: %+v; want its insert", got)
	}
}
