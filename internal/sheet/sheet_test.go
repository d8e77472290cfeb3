package sheet_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
	"github.com/sfbridge/sfbridge/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// accountColumns has one column of every type.
var accountColumns = []sheet.Column{
	{Name: "Account Name", Type: sheet.TypeText},
	{Name: "Description", Type: sheet.TypeLongText},
	{Name: "Employees", Type: sheet.TypeNumber, Precision: 8},
	{Name: "Annual Revenue", Type: sheet.TypeCurrency, Precision: 18, Scale: 2},
	{Name: "Discount", Type: sheet.TypePercent},
	{Name: "Active", Type: sheet.TypeCheckbox},
	{Name: "Customer Since", Type: sheet.TypeDate},
	{Name: "Last Activity", Type: sheet.TypeDateTime},
	{Name: "Call Window", Type: sheet.TypeTime},
	{Name: "Rating", Type: sheet.TypePicklist, Values: []string{"Hot", "Warm", "Cold"}},
	{Name: "Regions", Type: sheet.TypeMultiPicklist, Values: []string{"EMEA", "AMER", "APAC"}},
	{Name: "Email", Type: sheet.TypeEmail},
	{Name: "Phone", Type: sheet.TypePhone},
	{Name: "Website", Type: sheet.TypeURL},
	{Name: "Billing Address", Type: sheet.TypeAddress},
	{Name: "Parent", Type: sheet.TypeReference, Target: "Account"},
}

type fixture struct {
	st    *store.Store
	clock *storetest.Clock
	sh    *sheet.Sheet
	path  string // the database file
}

// setup returns a store on a new SQLite database and an Accounts sheet.
func setup(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	drv, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := secret.GenerateKey("k1")
	kr, _ := secret.NewKeyring(k)
	clock := storetest.NewClock()
	st, err := store.Open(t.Context(), drv, store.Options{Keyring: kr, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sh, err := sheet.Create(t.Context(), st, "Accounts", accountColumns)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, clock: clock, sh: sh, path: path}
}

// names returns the names of all the sheet's columns.
func names(sh *sheet.Sheet) []string {
	var ns []string
	for _, c := range sh.Columns {
		ns = append(ns, c.Name)
	}
	return ns
}

const (
	acme    = "001B000000UnQ2vIAF"
	globex  = "001000000000001AAA"
	initech = "001000000000002AAA"
)

func TestCreateAndOpen(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	if f.sh.Table != "sheet_accounts" {
		t.Errorf("table = %q", f.sh.Table)
	}
	var idents []string
	for _, c := range f.sh.Columns {
		idents = append(idents, c.Ident)
	}
	want := []string{"account_name", "description", "employees", "annual_revenue", "discount", "active", "customer_since",
		"last_activity", "call_window", "rating", "regions", "email", "phone", "website", "billing_address", "parent"}
	if !slices.Equal(idents, want) {
		t.Errorf("identifiers = %q, want %q", idents, want)
	}
	opened, err := sheet.Open(ctx, f.st, "ACCOUNTS")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.sh, opened); diff != "" {
		t.Errorf("Open differs from Create (-created +opened):\n%s", diff)
	}
	byID, err := sheet.Get(ctx, f.st, f.sh.ID)
	if err != nil || byID.Name != "Accounts" {
		t.Errorf("Get = %v, %v", byID, err)
	}

	t.Run("duplicate and invalid sheets", func(t *testing.T) {
		if _, err := sheet.Create(ctx, f.st, "accounts", nil); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second sheet named accounts: error = %v, want store.ErrConflict", err)
		}
		if _, err := sheet.Create(ctx, f.st, " ", nil); !errors.Is(err, sheet.ErrInvalidName) {
			t.Errorf("a blank name: error = %v, want ErrInvalidName", err)
		}
		_, err := sheet.Create(ctx, f.st, "Bad", []sheet.Column{{Name: "X", Type: sheet.TypeText}, {Name: "x", Type: sheet.TypeText}})
		if !errors.Is(err, sheet.ErrInvalidColumn) {
			t.Errorf("two columns named x: error = %v, want ErrInvalidColumn", err)
		}
		if _, err := sheet.Open(ctx, f.st, "Bad"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a sheet whose creation failed exists: %v", err)
		}
		_, err = sheet.Create(ctx, f.st, "Bad", []sheet.Column{{Name: "Salesforce ID", Type: sheet.TypeText}})
		if !errors.Is(err, sheet.ErrInvalidColumn) {
			t.Errorf("a column named like a system column: error = %v", err)
		}
	})

	t.Run("names that slug alike get distinct tables", func(t *testing.T) {
		other, err := sheet.Create(ctx, f.st, "Accounts!", nil)
		if err != nil {
			t.Fatal(err)
		}
		if other.Table != "sheet_accounts_2" {
			t.Errorf("table = %q, want sheet_accounts_2", other.Table)
		}
		list, err := sheet.List(ctx, f.st)
		if err != nil || len(list) != 2 {
			t.Fatalf("List = %v, %v", list, err)
		}
		if err := other.Drop(ctx, f.st); err != nil {
			t.Fatal(err)
		}
		if _, err := sheet.Open(ctx, f.st, "Accounts!"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a dropped sheet opens: %v", err)
		}
		if err := other.Drop(ctx, f.st); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("dropping twice: %v", err)
		}
	})
}

func TestAddColumns(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	if _, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{SFID: acme, Values: []any{"Acme"}}}}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	sh2, err := f.sh.AddColumns(ctx, f.st,
		sheet.Column{Name: "Account name!", Type: sheet.TypeText},
		sheet.Column{Name: "Is Partner", Type: sheet.TypeCheckbox},
		sheet.Column{Name: "2025 Target", Type: sheet.TypeCurrency})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{sh2.Columns[16].Ident, sh2.Columns[17].Ident, sh2.Columns[18].Ident}
	if !slices.Equal(got, []string{"account_name_2", "is_partner", "c_2025_target"}) {
		t.Errorf("new identifiers = %q", got)
	}
	if len(f.sh.Columns) != 16 {
		t.Error("AddColumns changed the sheet it was called on")
	}
	row, err := sh2.BySFID(ctx, f.st, acme)
	if err != nil {
		t.Fatal(err)
	}
	if row.Values[16] != nil || row.Values[17] != false || row.Values[18] != nil {
		t.Errorf("an existing row's new values = %#v, want nil, false, nil", row.Values[16:])
	}
	opened, _ := sheet.Open(ctx, f.st, "Accounts")
	if len(opened.Columns) != 19 || !opened.UpdatedAt.Equal(f.clock.Now()) {
		t.Errorf("reopened sheet: %d columns, updated %v", len(opened.Columns), opened.UpdatedAt)
	}
	if _, err := sh2.AddColumns(ctx, f.st, sheet.Column{Name: "IS PARTNER", Type: sheet.TypeText}); !errors.Is(err, sheet.ErrInvalidColumn) {
		t.Errorf("adding an existing name: error = %v", err)
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	cols := []string{"Account Name", "Employees", "Rating", "Customer Since"}
	batch := sheet.Batch{Columns: cols, Rows: []sheet.Input{
		{SFID: acme, Values: []any{"Acme", 120, "hot", "2019-04-01"}},
		{SFID: globex[:15], Values: []any{"Globex", 4500.0, "Warm", nil}},
	}}
	res, err := f.sh.Upsert(ctx, f.st, batch)
	if err != nil {
		t.Fatal(err)
	}
	if counts(res) != [3]int{2, 0, 0} {
		t.Errorf("first upsert = %+v, want 2 inserted", res)
	}
	created := f.clock.Now()

	f.clock.Advance(time.Minute)
	res, err = f.sh.Upsert(ctx, f.st, batch)
	if err != nil || counts(res) != [3]int{0, 0, 2} {
		t.Errorf("the same batch again = %+v, %v; want 2 unchanged", res, err)
	}
	row, _ := f.sh.BySFID(ctx, f.st, acme)
	if !row.UpdatedAt.Equal(created.UTC().Truncate(time.Millisecond)) {
		t.Errorf("an unchanged row's UpdatedAt moved to %v", row.UpdatedAt)
	}

	batch.Rows[1].Values[0] = "Globex Corporation"
	batch.Rows = append(batch.Rows, sheet.Input{SFID: initech, Values: []any{"Initech", nil, nil, nil}})
	res, err = f.sh.Upsert(ctx, f.st, batch)
	if err != nil || counts(res) != [3]int{1, 1, 1} {
		t.Errorf("a changed batch = %+v, %v", res, err)
	}
	row, err = f.sh.BySFID(ctx, f.st, globex)
	if err != nil {
		t.Fatal(err)
	}
	if row.SFID != globex || row.Values[0] != "Globex Corporation" || row.Status != sheet.StatusSynced || row.WrittenBy != sheet.OriginSync ||
		!row.UpdatedAt.Equal(f.clock.Now().UTC().Truncate(time.Millisecond)) || !row.CreatedAt.Before(row.UpdatedAt) {
		t.Errorf("updated row = %+v", row)
	}
	if row.Values[9] != "Warm" || row.Values[2] != 4500.0 {
		t.Errorf("values = %#v", row.Values)
	}

	t.Run("a user's upsert leaves rows pending", func(t *testing.T) {
		_, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Phone"}, Origin: sheet.OriginUser,
			Rows: []sheet.Input{{SFID: acme, Values: []any{"+1 555 0100"}}}})
		if err != nil {
			t.Fatal(err)
		}
		row, _ := f.sh.BySFID(ctx, f.st, acme)
		if row.Status != sheet.StatusPending || row.WrittenBy != sheet.OriginUser || row.Values[0] != "Acme" {
			t.Errorf("row = %+v", row)
		}
	})

	t.Run("an invalid batch writes nothing", func(t *testing.T) {
		before, _ := f.sh.Count(ctx, f.st, sheet.Query{})
		_, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: cols, Rows: []sheet.Input{
			{SFID: "001000000000003AAA", Values: []any{"Fine", 1, "Hot", "2020-01-01"}},
			{SFID: "001000000000004AAA", Values: []any{"Bad", "lots", "Tepid", "31/12/2020"}},
		}})
		var verr *sheet.ValidationError
		if !errors.As(err, &verr) || verr.Total != 3 || !errors.Is(err, sheet.ErrInvalidValue) {
			t.Fatalf("error = %v, want a ValidationError of 3 values", err)
		}
		msg := err.Error()
		for _, s := range []string{`row 2 (Salesforce ID 001000000000004AAA), column "Employees" (number): "lots" is not a number`,
			`column "Rating" (picklist): "Tepid" is not one of the column's values: "Hot", "Warm", "Cold"`,
			`column "Customer Since" (date): "31/12/2020" is not a date; write it as YYYY-MM-DD`} {
			if !strings.Contains(msg, s) {
				t.Errorf("the error does not say %q:\n%s", s, msg)
			}
		}
		if after, _ := f.sh.Count(ctx, f.st, sheet.Query{}); after != before {
			t.Errorf("rows %d → %d after a rejected batch", before, after)
		}
	})

	t.Run("batch shape errors", func(t *testing.T) {
		for _, tt := range []struct {
			b    sheet.Batch
			want error
		}{
			{sheet.Batch{Columns: []string{"Nope"}}, sheet.ErrUnknownColumn},
			{sheet.Batch{Columns: []string{"Phone", "phone"}}, sheet.ErrInvalidBatch},
			{sheet.Batch{Columns: []string{"Phone"}, Rows: []sheet.Input{{SFID: acme, Values: nil}}}, sheet.ErrInvalidBatch},
			{sheet.Batch{Columns: []string{"Phone"}, Rows: []sheet.Input{{Values: []any{"1"}}}}, sheet.ErrInvalidValue},
			{sheet.Batch{Columns: []string{"Phone"}, Rows: []sheet.Input{{SFID: "nope", Values: []any{"1"}}}}, sheet.ErrInvalidValue},
			{sheet.Batch{Origin: "robot"}, sheet.ErrInvalidBatch},
		} {
			if _, err := f.sh.Upsert(ctx, f.st, tt.b); !errors.Is(err, tt.want) {
				t.Errorf("Upsert(%+v) = %v, want %v", tt.b, err, tt.want)
			}
		}
	})
}

// counts returns inserted, updated, unchanged.
func counts(r sheet.Result) [3]int { return [3]int{r.Inserted, r.Updated, r.Unchanged} }

func TestSkipInvalid(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	cols := []string{"Account Name", "Employees"}
	res, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: cols, SkipInvalid: true, Rows: []sheet.Input{
		{SFID: acme, Values: []any{"Acme", 10}},
		{SFID: globex, Values: []any{"Globex", "ten"}},
		{Values: []any{"No ID", 1}},
		{SFID: initech, Values: []any{strings.Repeat("x", 300), "x"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if counts(res) != [3]int{1, 0, 0} {
		t.Errorf("counts = %v, want the one valid row inserted", counts(res))
	}
	var got []string
	for _, ve := range res.Rejected {
		got = append(got, fmt.Sprintf("%d %s %s", ve.Row, ve.SFID, ve.Column))
	}
	want := []string{"2 " + globex + " Employees", "3  Salesforce ID", "4 " + initech + " Account Name", "4 " + initech + " Employees"}
	if !slices.Equal(got, want) {
		t.Errorf("rejected = %q, want %q", got, want)
	}
	if n, _ := f.sh.Count(ctx, f.st, sheet.Query{}); n != 1 {
		t.Errorf("%d rows written, want 1", n)
	}

	ids, res, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: cols, SkipInvalid: true, Origin: sheet.OriginUser, Rows: []sheet.Input{
		{Values: []any{"bad", "NaN"}}, {Values: []any{"good", 2}},
	}})
	if err != nil || len(ids) != 2 || ids[0] != 0 || ids[1] == 0 || res.Inserted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Row != 1 {
		t.Errorf("Insert with SkipInvalid = %v, %+v, %v", ids, res, err)
	}
}

func TestUpsertMovesWithItsTransaction(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	boom := errors.New("crash")
	err := f.st.Write(ctx, func(tx *store.Tx) error {
		if _, err := f.sh.Upsert(ctx, tx, sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{SFID: acme, Values: []any{"Acme"}}}}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatal(err)
	}
	if n, _ := f.sh.Count(ctx, f.st, sheet.Query{}); n != 0 {
		t.Errorf("%d rows survived the rollback", n)
	}
}

func TestMarkRemovedInsertUpdateDelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	up := sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{SFID: acme, Values: []any{"Acme"}}, {SFID: globex, Values: []any{"Globex"}}}}
	if _, err := f.sh.Upsert(ctx, f.st, up); err != nil {
		t.Fatal(err)
	}
	n, err := f.sh.MarkRemoved(ctx, f.st, []string{acme[:15], initech})
	if err != nil || n != 1 {
		t.Fatalf("MarkRemoved = %d, %v; want 1 (initech is not in the sheet)", n, err)
	}
	if n, _ := f.sh.MarkRemoved(ctx, f.st, []string{acme}); n != 0 {
		t.Errorf("marking a removed row again changed %d rows", n)
	}
	row, _ := f.sh.BySFID(ctx, f.st, acme)
	if row.Status != sheet.StatusRemoved || row.Values[0] != "Acme" {
		t.Errorf("removed row = %+v", row)
	}
	if res, _ := f.sh.Upsert(ctx, f.st, up); res.Updated != 1 {
		t.Errorf("a removed record that comes back: %+v, want 1 updated", res)
	}
	if row, _ := f.sh.BySFID(ctx, f.st, acme); row.Status != sheet.StatusSynced {
		t.Errorf("status = %s, want synced again", row.Status)
	}
	if _, err := f.sh.MarkRemoved(ctx, f.st, []string{"bogus"}); !errors.Is(err, sheet.ErrInvalidValue) {
		t.Errorf("a bad ID: error = %v", err)
	}

	ids, _, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name", "Parent"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Local One", acme}}, {Values: []any{"Local Two", "#1"}}}})
	if err != nil || len(ids) != 2 || ids[1] != ids[0]+1 {
		t.Fatalf("Insert = %v, %v", ids, err)
	}
	local, _ := f.sh.Get(ctx, f.st, ids[0])
	if local.SFID != "" || local.Status != sheet.StatusPending || local.WrittenBy != sheet.OriginUser || local.Values[15] != acme {
		t.Errorf("inserted row = %+v", local)
	}
	if _, _, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{SFID: globex, Values: []any{"dup"}}}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("inserting a taken Salesforce ID: error = %v, want store.ErrConflict", err)
	}

	// The sync engine created the record: it writes the ID back.
	res, err := f.sh.Update(ctx, f.st, sheet.Batch{Columns: []string{}, Rows: []sheet.Input{{ID: ids[0], SFID: initech}}})
	if err != nil || res.Updated != 1 {
		t.Fatalf("Update = %+v, %v", res, err)
	}
	local, _ = f.sh.Get(ctx, f.st, ids[0])
	if local.SFID != initech || local.Status != sheet.StatusSynced || local.Values[0] != "Local One" {
		t.Errorf("after the write-back: %+v", local)
	}
	if _, err := f.sh.Update(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Rows: []sheet.Input{{ID: 999, Values: []any{"x"}}}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("updating a missing row: error = %v", err)
	}

	n, err = f.sh.Delete(ctx, f.st, []int64{ids[0], ids[1], 999})
	if err != nil || n != 2 {
		t.Errorf("Delete = %d, %v; want 2", n, err)
	}
	if _, err := f.sh.Get(ctx, f.st, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted row: %v", err)
	}
}

func TestDirectSQL(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	err := f.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sheet_accounts (account_name, customer_since, active) VALUES ('Typed in SQL', '2024-06-30', 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.sh.List(ctx, f.st, sheet.Query{})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("List = %+v, %v", page, err)
	}
	r := page.Rows[0]
	if r.Status != sheet.StatusPending || r.WrittenBy != sheet.OriginUser || r.CreatedAt.IsZero() || r.Values[0] != "Typed in SQL" || r.Values[5] != true || r.Values[6] != "2024-06-30" {
		t.Errorf("a row written with SQL = %+v", r)
	}
	for _, bad := range []string{
		`INSERT INTO sheet_accounts (customer_since) VALUES ('30/06/2024')`,
		`INSERT INTO sheet_accounts (employees) VALUES ('many')`,
		`INSERT INTO sheet_accounts (active) VALUES (2)`,
		`INSERT INTO sheet_accounts (last_activity) VALUES ('2024-06-30 10:00')`,
		`INSERT INTO sheet_accounts (billing_address) VALUES ('{')`,
		`UPDATE sheet_accounts SET _status = 'lost'`,
	} {
		err := f.st.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, bad); return err })
		if !errors.Is(err, store.ErrConstraint) {
			t.Errorf("%s: error = %v, want store.ErrConstraint", bad, err)
		}
	}
}

// seed writes rows with varied values for queries and exports.
func seed(t *testing.T, f *fixture) {
	t.Helper()
	ctx := t.Context()
	b := sheet.Batch{Columns: names(f.sh), Rows: []sheet.Input{
		{SFID: acme, Values: []any{"Acme, Inc.", "Makes \"everything\".\nSecond line: ünïcödé ✓", 120, 1234567.891, 12.5, true, "2019-04-01",
			"2024-03-01T09:30:00.250+0000", "08:30", "Hot", []string{"EMEA", "AMER"}, "ops@acme.example", "+1 (555) 010-0100",
			"https://acme.example", map[string]any{"street": "1 Main St", "city": "Springfield", "postalCode": "12345", "countryCode": "US"}, nil}},
		{SFID: globex, Values: []any{"Globex", nil, 4500, nil, nil, false, "2021-11-15", nil, nil, "Warm", "APAC", nil, nil, nil, nil, acme}},
		{SFID: initech, Values: []any{"Initech", "", 0, -250.5, -3, nil, nil, "2023-12-31T23:59:59Z", "17:00:00.000Z", "cold", nil, nil, nil, nil, nil, globex[:15]}},
	}}
	if _, err := f.sh.Upsert(ctx, f.st, b); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(90 * time.Second)
	if _, _, err := f.sh.Insert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name", "Parent"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Local prospect", "#1"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sh.MarkRemoved(ctx, f.st, []string{initech}); err != nil {
		t.Fatal(err)
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	seed(t, f)
	tests := []struct {
		name string
		q    sheet.Query
		want []int64
	}{
		{"all", sheet.Query{}, []int64{1, 2, 3, 4}},
		{"eq text", sheet.Query{Where: []sheet.Condition{{Column: "Account Name", Op: sheet.OpEq, Value: "Globex"}}}, []int64{2}},
		{"contains ignores case", sheet.Query{Where: []sheet.Condition{{Column: "account name", Op: sheet.OpContains, Value: "INC"}}}, []int64{1}},
		{"contains a wildcard literally", sheet.Query{Where: []sheet.Condition{{Column: "Account Name", Op: sheet.OpContains, Value: "%"}}}, nil},
		{"number range", sheet.Query{Where: []sheet.Condition{{Column: "Employees", Op: sheet.OpGe, Value: 100}, {Column: "Employees", Op: sheet.OpLt, Value: "5000"}}}, []int64{1, 2}},
		{"ne includes empty", sheet.Query{Where: []sheet.Condition{{Column: "Employees", Op: sheet.OpNe, Value: 120}}}, []int64{2, 3, 4}},
		{"checkbox", sheet.Query{Where: []sheet.Condition{{Column: "Active", Op: sheet.OpEq, Value: false}}}, []int64{2, 3, 4}},
		{"date after", sheet.Query{Where: []sheet.Condition{{Column: "Customer Since", Op: sheet.OpGt, Value: "2020-01-01"}}}, []int64{2}},
		{"datetime in another form", sheet.Query{Where: []sheet.Condition{{Column: "Last Activity", Op: sheet.OpLe, Value: "2024-03-01T10:30:01+01:00"}}}, []int64{1, 3}},
		{"picklist ignoring case", sheet.Query{Where: []sheet.Condition{{Column: "Rating", Op: sheet.OpEq, Value: "COLD"}}}, []int64{3}},
		{"multi-picklist contains", sheet.Query{Where: []sheet.Condition{{Column: "Regions", Op: sheet.OpContains, Value: "amer"}}}, []int64{1}},
		{"address contains", sheet.Query{Where: []sheet.Condition{{Column: "Billing Address", Op: sheet.OpContains, Value: "springfield"}}}, []int64{1}},
		{"empty", sheet.Query{Where: []sheet.Condition{{Column: "Description", Op: sheet.OpEmpty}}}, []int64{2, 3, 4}},
		{"not empty", sheet.Query{Where: []sheet.Condition{{Column: "Email", Op: sheet.OpNotEmpty}}}, []int64{1}},
		{"reference by 15-char id", sheet.Query{Where: []sheet.Condition{{Column: "Parent", Op: sheet.OpEq, Value: acme[:15]}}}, []int64{2}},
		{"status", sheet.Query{Status: []sheet.Status{sheet.StatusPending, sheet.StatusRemoved}}, []int64{3, 4}},
		{"system column", sheet.Query{Where: []sheet.Condition{{Column: "Written By", Op: sheet.OpEq, Value: "user"}}}, []int64{4}},
		{"no Salesforce ID", sheet.Query{Where: []sheet.Condition{{Column: "Salesforce ID", Op: sheet.OpEmpty}}}, []int64{4}},
		{"updated after", sheet.Query{Where: []sheet.Condition{{Column: "Updated At", Op: sheet.OpGt, Value: f.clock.Now().Add(-time.Second)}}}, []int64{3, 4}},
		{"after and limit", sheet.Query{AfterID: 1, Limit: 2}, []int64{2, 3}},
	}
	for _, tt := range tests {
		var got []int64
		err := f.sh.Rows(ctx, f.st, tt.q, func(r *sheet.Row) error {
			got = append(got, r.ID)
			return nil
		})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %v, %v; want %v", tt.name, got, err, tt.want)
		}
		n, err := f.sh.Count(ctx, f.st, tt.q)
		if err != nil || n != int64(len(tt.want)) {
			t.Errorf("%s: Count = %d, %v; want %d", tt.name, n, err, len(tt.want))
		}
	}

	for _, tt := range []struct {
		c    sheet.Condition
		want error
	}{
		{sheet.Condition{Column: "Nope", Op: sheet.OpEq, Value: "x"}, sheet.ErrUnknownColumn},
		{sheet.Condition{Column: "Row ID", Op: sheet.OpEq, Value: 1}, sheet.ErrUnknownColumn},
		{sheet.Condition{Column: "Employees", Op: sheet.OpContains, Value: "1"}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Active", Op: sheet.OpGt, Value: true}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Billing Address", Op: sheet.OpEq, Value: `{"city":"x"}`}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Employees", Op: sheet.OpEq}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Employees", Op: sheet.OpEmpty, Value: 1}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Employees", Op: "like", Value: 1}, sheet.ErrInvalidQuery},
		{sheet.Condition{Column: "Customer Since", Op: sheet.OpEq, Value: "yesterday"}, sheet.ErrInvalidValue},
	} {
		err := f.sh.Rows(ctx, f.st, sheet.Query{Where: []sheet.Condition{tt.c}}, func(*sheet.Row) error { return nil })
		if !errors.Is(err, tt.want) {
			t.Errorf("filter %+v: error = %v, want %v", tt.c, err, tt.want)
		}
	}
	if _, err := f.sh.Count(ctx, f.st, sheet.Query{Status: []sheet.Status{"lost"}}); !errors.Is(err, sheet.ErrInvalidQuery) {
		t.Errorf("an unknown status: error = %v, want ErrInvalidQuery", err)
	}
}

func TestListPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	var rows []sheet.Input
	for i := range 25 {
		rows = append(rows, sheet.Input{SFID: fmt.Sprintf("001%012d", i), Values: []any{fmt.Sprint(i)}})
	}
	if _, err := f.sh.Upsert(ctx, f.st, sheet.Batch{Columns: []string{"Account Name"}, Rows: rows}); err != nil {
		t.Fatal(err)
	}
	var seen []int64
	q := sheet.Query{Limit: 10}
	pages := 0
	for {
		p, err := f.sh.List(ctx, f.st, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range p.Rows {
			seen = append(seen, r.ID)
		}
		if p.Next == 0 {
			break
		}
		q.AfterID = p.Next
	}
	if pages != 3 || len(seen) != 25 || len(slices.Compact(slices.Clone(seen))) != 25 || !slices.IsSorted(seen) {
		t.Errorf("%d pages, rows %v", pages, seen)
	}
	if p, _ := f.sh.List(ctx, f.st, sheet.Query{}); len(p.Rows) != 25 || p.Next != 0 {
		t.Errorf("default page: %d rows, next %d", len(p.Rows), p.Next)
	}
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	seed(t, f)
	for _, tt := range []struct {
		file   string
		export func(*bytes.Buffer) (int64, error)
	}{
		{"export.csv", func(b *bytes.Buffer) (int64, error) { return f.sh.ExportCSV(ctx, f.st, b, sheet.Query{}) }},
		{"export.json", func(b *bytes.Buffer) (int64, error) { return f.sh.ExportJSON(ctx, f.st, b, sheet.Query{}) }},
	} {
		var buf bytes.Buffer
		n, err := tt.export(&buf)
		if err != nil || n != 4 {
			t.Fatalf("%s: %d rows, %v", tt.file, n, err)
		}
		golden(t, tt.file, buf.Bytes())
	}
	var empty bytes.Buffer
	if _, err := f.sh.ExportJSON(ctx, f.st, &empty, sheet.Query{Status: []sheet.Status{sheet.StatusFailed}}); err != nil || empty.String() != "[]\n" {
		t.Errorf("an empty JSON export = %q, %v", empty.String(), err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}
