package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
)

// sheetFixture is a server with sheets: "leads", sent to Salesforce by a
// two-way workflow of owner's that propagates deletes, and rows in it.
type sheetFixture struct {
	*fixture
	sh                  *sheet.Sheet
	owner, other, admin caller
	ownerID, otherID    int64
	orgID               int64
	rows                []int64 // Ada (synced), Grace (pending), Linus (failed, with a dead letter)
	deadLetter          int64
}

var leadColumns = []sheet.Column{
	{Name: "last_name", Type: sheet.TypeText},
	{Name: "company", Type: sheet.TypeText},
	{Name: "revenue", Type: sheet.TypeCurrency},
	{Name: "notes", Type: sheet.TypeLongText},
}

// leadWorkflow is a workflow document on sheetName; Notes only flows in.
func leadWorkflow(name, sheetName, direction, deletes string) string {
	doc := fmt.Sprintf(`version: 1
name: %s
org: Acme
owner: someone@example.com
object: Lead
sheet: %s
direction: %s
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Company, column: company }
  - { salesforce: AnnualRevenue, column: revenue }
  - { salesforce: Description, column: notes, direction: inbound }
`, name, sheetName, direction)
	if deletes != "" {
		doc += "deletes: { outbound: " + deletes + " }\n"
	}
	return doc
}

func setupSheets(t *testing.T) *sheetFixture {
	t.Helper()
	f := &sheetFixture{fixture: setup(t, func(o *Options) { o.Sheets = o.Store.(dbStore).st })}
	ctx := context.Background()
	u, c := f.user("owner@example.com", access.ConnectorUser)
	f.ownerID, f.owner = u.ID, c
	u, c = f.user("other@example.com", access.ConnectorUser)
	f.otherID, f.other = u.ID, c
	_, f.admin = f.user("admin@example.com", access.ConnectorAdmin)
	org, err := f.db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9"})
	if err != nil {
		t.Fatal(err)
	}
	f.orgID = org.ID
	wf := f.addWorkflow("leads-both", f.ownerID, leadWorkflow("leads-both", "leads", "both", "propagate"))
	if f.sh, err = sheet.Create(ctx, f.db, "leads", leadColumns); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sh.Upsert(ctx, f.db, sheet.Batch{Columns: []string{"last_name", "company", "revenue"},
		Rows: []sheet.Input{{SFID: "00Q000000000001EAA", Values: []any{"Lovelace", "Analytical", 1000}}}}); err != nil {
		t.Fatal(err)
	}
	ids, _, err := f.sh.Insert(ctx, f.db, sheet.Batch{Columns: []string{"last_name", "company"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Hopper", "Navy"}}, {Values: []any{"Torvalds", nil}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.rows = []int64{1, ids[0], ids[1]}
	// Linus's create fails for good: a dead letter.
	chs, err := f.sh.Claim(ctx, f.db, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		if ch.RowID != ids[1] {
			if err := f.db.Outbox().Release(ctx, ch.Change); err != nil {
				t.Fatal(err)
			}
			continue
		}
		dl, err := f.sh.Fail(ctx, f.db, wf, ch, store.Failure{Code: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [Company]",
			Fields: []string{"Company"}, Advice: "Salesforce requires Company on Lead; fill in Company in row 3, then requeue it."})
		if err != nil {
			t.Fatal(err)
		}
		f.deadLetter = dl.ID
	}
	if f.deadLetter == 0 {
		t.Fatal("no change claimed for the failing row")
	}
	return f
}

func (f *sheetFixture) addWorkflow(name string, owner int64, doc string) int64 {
	f.t.Helper()
	w, err := f.db.Workflows().Create(context.Background(), store.Workflow{Name: name, OrgID: f.orgID, OwnerID: owner, Enabled: true, Document: doc})
	if err != nil {
		f.t.Fatal(err)
	}
	return w.ID
}

func (f *sheetFixture) row(id int64) *sheet.Row {
	f.t.Helper()
	r, err := f.sh.Get(context.Background(), f.db, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// Every sheet route, called by its owner, by another connector user and by
// an admin: the owner may do everything, the other nothing, the admin see
// but not change.
func TestSheetRoutesAccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path string
		body         any
		edit         bool // sheet.edit rather than sheet.view
		ok           int
	}{
		{"GET", "/api/v1/sheets/leads", nil, false, 200},
		{"GET", "/api/v1/sheets/leads/rows", nil, false, 200},
		{"GET", "/api/v1/sheets/leads/export.csv", nil, false, 200},
		{"GET", "/api/v1/sheets/leads/conflicts", nil, false, 200},
		{"GET", "/api/v1/sheets/leads/deadletters", nil, false, 200},
		{"PATCH", "/api/v1/sheets/leads/rows/2", RowChange{Values: map[string]any{"company": "US Navy"}}, true, 200},
		{"POST", "/api/v1/sheets/leads/rows", RowChange{Values: map[string]any{"last_name": "Liskov"}}, true, 201},
		{"DELETE", "/api/v1/sheets/leads/rows/2", nil, true, 204},
		{"POST", "/api/v1/sheets/leads/import", "last_name\nKnuth\n", true, 200},
		{"POST", "/api/v1/sheets/leads/deadletters/1/requeue", nil, true, 204},
		{"POST", "/api/v1/sheets/leads/deadletters/1/discard", nil, true, 204},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			f := setupSheets(t)
			var hdr []string
			if s, ok := tc.body.(string); ok && s != "" {
				hdr = []string{"Content-Type", "text/csv"}
			}
			f.do(f.other, tc.method, tc.path, tc.body, hdr...).want(t, 403, Code(access.ReasonNotOwner))
			if tc.edit {
				f.do(f.admin, tc.method, tc.path, tc.body, hdr...).want(t, 403, Code(access.ReasonNotOwner))
			} else {
				f.do(f.admin, tc.method, tc.path, tc.body, hdr...).want(t, tc.ok, "")
			}
			f.do(anonymous, tc.method, tc.path, tc.body, hdr...).want(t, 401, CodeAuthRequired)
			f.do(f.owner, tc.method, tc.path, tc.body, hdr...).want(t, tc.ok, "")
		})
	}
}

func TestSheetList(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	ctx := context.Background()
	// A sheet of other's, and one no workflow names.
	f.addWorkflow("others", f.otherID, leadWorkflow("others", "other_leads", "inbound", ""))
	for _, name := range []string{"other_leads", "orphan"} {
		if _, err := sheet.Create(ctx, f.db, name, leadColumns[:1]); err != nil {
			t.Fatal(err)
		}
	}
	names := func(c caller) (out []string, sums map[string]SheetSummary) {
		var l SheetList
		f.do(c, "GET", "/api/v1/sheets", nil).decode(t, &l)
		sums = map[string]SheetSummary{}
		for _, s := range l.Sheets {
			out = append(out, s.Name)
			sums[s.Name] = s
		}
		return out, sums
	}
	got, sums := names(f.owner)
	if strings.Join(got, ",") != "leads" {
		t.Errorf("owner sees %v, want leads", got)
	}
	leads := sums["leads"]
	if leads.Rows != 3 || leads.Pending != 1 || leads.Failed != 1 || leads.DeadLetters != 1 || leads.Conflicts != 0 || !leads.CanEdit || !leads.Deletes {
		t.Errorf("leads = %+v", leads)
	}
	for _, col := range leads.Columns {
		if col.Sent != (col.Name != "notes") {
			t.Errorf("column %s sent = %v; only notes flows in only", col.Name, col.Sent)
		}
	}
	if got, _ := names(f.other); strings.Join(got, ",") != "other_leads" {
		t.Errorf("other sees %v, want Other Leads", got)
	}
	got, sums = names(f.admin)
	if strings.Join(got, ",") != "leads,orphan,other_leads" {
		t.Errorf("admin sees %v, want every sheet", got)
	}
	if sums["leads"].CanEdit || sums["orphan"].CanEdit {
		t.Error("admin may edit a sheet of someone else's workflow")
	}
}

// A sheet sent by two workflows of different owners: both see it, neither
// edits it (docs/adr/0310).
func TestSheetSharedBySenders(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	f.addWorkflow("leads-out", f.otherID, leadWorkflow("leads-out", "leads", "outbound", ""))
	edit := RowChange{Values: map[string]any{"company": "Navy"}}
	for _, c := range []caller{f.owner, f.other} {
		f.do(c, "GET", "/api/v1/sheets/leads/rows", nil).want(t, 200, "")
		f.do(c, "PATCH", "/api/v1/sheets/leads/rows/2", edit).want(t, 403, Code(access.ReasonNotOwner))
	}
	// An inbound workflow of someone else's does not take edits away.
	g := setupSheets(t)
	g.addWorkflow("leads-in", g.otherID, leadWorkflow("leads-in", "leads", "inbound", ""))
	g.do(g.owner, "PATCH", "/api/v1/sheets/leads/rows/2", edit).want(t, 200, "")
	g.do(g.other, "GET", "/api/v1/sheets/leads", nil).want(t, 200, "")
}

func TestSheetRows(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	var page RowPage
	f.do(f.owner, "GET", "/api/v1/sheets/leads/rows?limit=2", nil).decode(t, &page)
	if len(page.Rows) != 2 || page.Next != f.rows[1] || page.Total != 3 {
		t.Fatalf("first page = %+v", page)
	}
	ada := page.Rows[0]
	if ada.SFID != "00Q000000000001EAA" || ada.Status != "synced" || ada.Values["last_name"] != "Lovelace" || ada.Values["revenue"] != 1000.0 || ada.Values["notes"] != nil {
		t.Errorf("Ada = %+v", ada)
	}
	f.do(f.owner, "GET", fmt.Sprintf("/api/v1/sheets/leads/rows?after=%d", page.Next), nil).decode(t, &page)
	if len(page.Rows) != 1 || page.Next != 0 {
		t.Fatalf("second page = %+v", page)
	}
	linus := page.Rows[0]
	if linus.Status != "failed" || linus.Failure == nil || linus.Failure.Code != "REQUIRED_FIELD_MISSING" ||
		linus.Failure.DeadLetter != f.deadLetter || linus.Failure.Fields[0] != "Company" || !strings.Contains(linus.Error, "fill in Company") {
		t.Errorf("Linus = %+v (failure %+v)", linus, linus.Failure)
	}
	f.do(f.owner, "GET", "/api/v1/sheets/leads/rows?status=pending,failed", nil).decode(t, &page)
	if len(page.Rows) != 2 || page.Total != 2 || page.Rows[0].Status != "pending" {
		t.Errorf("pending and failed = %+v", page)
	}
	for _, q := range []string{"status=deleted", "status=done", "limit=501", "after=x"} {
		f.do(f.owner, "GET", "/api/v1/sheets/leads/rows?"+q, nil).want(t, 400, CodeInvalidInput)
	}
	f.do(f.admin, "GET", "/api/v1/sheets/nope/rows", nil).want(t, 404, CodeNotFound)
}

func TestSheetEditRow(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	var row SheetRow
	r := f.do(f.owner, "PATCH", "/api/v1/sheets/leads/rows/1", RowChange{Values: map[string]any{"company": "Engines Ltd", "notes": "met at the fair"}})
	r.want(t, 200, "")
	r.decode(t, &row)
	if row.Status != "pending" || row.Values["company"] != "Engines Ltd" || len(row.Unsent) != 1 || row.Unsent[0] != "notes" {
		t.Errorf("edited row = %+v", row)
	}
	entries, err := f.db.Outbox().Entries(context.Background(), f.sh.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].WrittenBy != "api:owner@example.com" {
		t.Errorf("outbox = %+v, want one entry by api:owner@example.com", entries)
	}

	for _, tc := range []struct {
		name   string
		path   string
		values map[string]any
		status int
		field  string
		says   []string
		value  *ValueDetail // the refused value's details, when a column refused it
	}{
		{"a number column", "/rows/1", map[string]any{"revenue": "lots"}, 400, "values.revenue", []string{"lots", "currency"},
			&ValueDetail{Field: "values.revenue", Reason: "not_number", Value: `"lots"`, Column: "revenue", Type: "currency"}},
		{"a long text", "/rows/1", map[string]any{"company": strings.Repeat("x", 256)}, 400, "values.company", []string{"256 characters"},
			&ValueDetail{Field: "values.company", Reason: "too_long", Value: `"` + strings.Repeat("x", 57) + `..."`, Column: "company", Type: "text"}},
		{"an unknown column", "/rows/1", map[string]any{"Phone": "1"}, 400, "values.Phone", []string{`"last_name"`, "not a column"}, nil},
		{"a system column", "/rows/1", map[string]any{"Sync Status": "synced"}, 400, "values.Sync Status", []string{"not a column"}, nil},
		{"nothing", "/rows/1", map[string]any{}, 400, "values", []string{"empty"}, nil},
		{"a column twice", "/rows/1", map[string]any{"company": "a", "COMPANY": "b"}, 400, "values", []string{"twice"}, nil},
		{"a missing row", "/rows/99", map[string]any{"company": "a"}, 404, "", nil, nil},
	} {
		r := f.do(f.owner, "PATCH", "/api/v1/sheets/leads"+tc.path, RowChange{Values: tc.values})
		if r.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, r.StatusCode, tc.status, r.body)
			continue
		}
		if tc.field == "" {
			continue
		}
		details := r.errorBody(t).Details
		fields := details.Fields
		if len(fields) != 1 || fields[0].Field != tc.field {
			t.Errorf("%s: fields %+v, want %s", tc.name, fields, tc.field)
			continue
		}
		switch {
		case tc.value == nil && len(details.Values) > 0:
			t.Errorf("%s: values %+v, want none", tc.name, details.Values)
		case tc.value != nil && (len(details.Values) != 1 || details.Values[0] != *tc.value):
			t.Errorf("%s: values %+v, want %+v", tc.name, details.Values, *tc.value)
		}
		for _, s := range tc.says {
			if !strings.Contains(fields[0].Message, s) {
				t.Errorf("%s: message %q does not say %q", tc.name, fields[0].Message, s)
			}
		}
	}
	if got := f.row(1).Values[2]; got != 1000.0 {
		t.Errorf("Revenue = %v after refused edits, want 1000", got)
	}
}

// A sheet whose workflow brings system fields in: their columns are
// read-only, an edit of a column received and not sent is told to be
// overwritten, one of a purely local column only to stay local, and an
// import leaves the system columns out (ADR 0315).
func TestSheetSystemColumns(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	ctx := context.Background()
	f.addWorkflow("accounts-in", f.ownerID, `version: 1
name: accounts-in
org: Acme
owner: someone@example.com
object: Account
sheet: accounts
direction: both
fields:
  - { salesforce: Name, column: name }
  - { salesforce: Owner.Name, column: owner, direction: inbound }
  - { salesforce: LastModifiedDate, column: last_changed, direction: inbound }
  - { salesforce: Description, column: notes, direction: inbound }
`)
	sh, err := sheet.Create(ctx, f.db, "accounts", []sheet.Column{{Name: "name", Type: sheet.TypeText}, {Name: "owner", Type: sheet.TypeText},
		{Name: "last_changed", Type: sheet.TypeDateTime}, {Name: "notes", Type: sheet.TypeLongText}, {Name: "memo", Type: sheet.TypeText},
		{Name: "Salesforce Modstamp", Type: sheet.TypeDateTime}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Upsert(ctx, f.db, sheet.Batch{Columns: []string{"name", "owner"},
		Rows: []sheet.Input{{SFID: "001000000000001AAA", Values: []any{"Acme", "Ada Admin"}}}}); err != nil {
		t.Fatal(err)
	}

	var sum SheetSummary
	f.do(f.owner, "GET", "/api/v1/sheets/accounts", nil).decode(t, &sum)
	type flags struct {
		sent, received, readOnly bool
	}
	want := map[string]flags{"name": {true, true, false}, "owner": {false, true, true}, "last_changed": {false, true, true},
		"notes": {false, true, false}, "memo": {false, false, false}, "Salesforce Modstamp": {false, true, true}}
	for _, c := range sum.Columns {
		if got := (flags{c.Sent, c.Received, c.ReadOnly != ""}); got != want[c.Name] {
			t.Errorf("column %s: sent, received, read-only = %v, want %v (%q)", c.Name, got, want[c.Name], c.ReadOnly)
		}
	}

	for _, col := range []string{"owner", "last_changed", "Salesforce Modstamp"} {
		r := f.do(f.owner, "PATCH", "/api/v1/sheets/accounts/rows/1", RowChange{Values: map[string]any{col: "x", "name": "Acme Corp"}})
		r.want(t, 400, "invalid_input")
		d := r.errorBody(t).Details
		if len(d.Fields) != 1 || d.Fields[0].Field != "values."+col || !strings.Contains(d.Fields[0].Message, "system column") ||
			len(d.Values) != 1 || d.Values[0].Reason != "read_only" || d.Values[0].Column != col {
			t.Errorf("editing %s: details %+v, want a read_only refusal of values.%s", col, d, col)
		}
	}
	if got := f.row(1).Values[0]; got != "Lovelace" { // the leads sheet is untouched
		t.Errorf("leads row 1 = %v", got)
	}

	for _, tc := range []struct {
		column              string
		unsent, overwritten []string
	}{
		{"name", nil, nil},
		{"notes", []string{"notes"}, []string{"notes"}},
		{"memo", []string{"memo"}, nil},
	} {
		var row SheetRow
		f.do(f.owner, "PATCH", "/api/v1/sheets/accounts/rows/1", RowChange{Values: map[string]any{tc.column: "changed"}}).decode(t, &row)
		if !slices.Equal(row.Unsent, tc.unsent) || !slices.Equal(row.Overwritten, tc.overwritten) {
			t.Errorf("editing %s: unsent %q, overwritten %q; want %q, %q", tc.column, row.Unsent, row.Overwritten, tc.unsent, tc.overwritten)
		}
	}

	var report ImportReport
	r := f.do(f.owner, "POST", "/api/v1/sheets/accounts/import?key=Row+ID", "Row ID,name,owner\n1,Acme Inc,Grace Hopper\n", "Content-Type", "text/csv")
	r.want(t, 200, "")
	r.decode(t, &report)
	got, err := sh.Get(ctx, f.db, 1)
	if err != nil {
		t.Fatal(err)
	}
	if report.Updated != 1 || len(report.Problems) != 0 || got.Values[0] != "Acme Inc" || got.Values[1] != "Ada Admin" {
		t.Errorf("import: %+v, row %v; want name updated and owner kept", report, got.Values)
	}
}

func TestSheetAddAndDeleteRows(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	var row SheetRow
	r := f.do(f.owner, "POST", "/api/v1/sheets/leads/rows", RowChange{Values: map[string]any{"last_name": "Liskov", "revenue": "12.5"}})
	r.want(t, 201, "")
	r.decode(t, &row)
	if row.ID == 0 || row.Status != "pending" || row.Values["revenue"] != 12.5 {
		t.Errorf("added row = %+v", row)
	}
	f.do(f.owner, "DELETE", "/api/v1/sheets/leads/rows/1", nil).want(t, 204, "")
	if got := f.row(1).Status; got != sheet.StatusDeleted {
		t.Errorf("deleted linked row has status %s, want deleted until Salesforce has it", got)
	}
	f.do(f.owner, "DELETE", "/api/v1/sheets/leads/rows/1", nil).want(t, 404, CodeNotFound)
	f.do(f.owner, "PATCH", "/api/v1/sheets/leads/rows/1", RowChange{Values: map[string]any{"company": "x"}}).want(t, 404, CodeNotFound)

	// A workflow that ignores deletes: rows cannot be deleted.
	g := setupSheets(t)
	if err := g.db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE workflows SET document = $1`, leadWorkflow("leads-both", "leads", "both", "ignore"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	g.do(g.owner, "DELETE", "/api/v1/sheets/leads/rows/2", nil).want(t, 409, CodeSheetDeletesOff)
}

func TestSheetExportCSV(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	r := f.do(f.owner, "GET", "/api/v1/sheets/leads/export.csv?status=synced", nil)
	r.want(t, 200, "")
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="leads.csv"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Row ID,Salesforce ID,Sync Status") || !strings.Contains(lines[1], "Lovelace,Analytical,1000") {
		t.Errorf("export = %q", r.body)
	}
	f.do(f.owner, "GET", "/api/v1/sheets/leads/export.csv?status=gone", nil).want(t, 400, CodeInvalidInput)
}

// Each testdata/sheets/import-*.csv is imported into a fresh sheet with the
// key its name says (import-key-<column>); the report is golden, and the
// sheet's rows after it too.
func TestSheetImport(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/sheets/import-*.csv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no import cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".csv")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := setupSheets(t)
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			path := "/api/v1/sheets/leads/import"
			if _, key, ok := strings.Cut(name, "-key-"); ok {
				path += "?key=" + url.QueryEscape(strings.ReplaceAll(key, "Row_ID", "Row ID"))
			}
			r := f.do(f.owner, "POST", path, string(body), "Content-Type", "text/csv")
			var out strings.Builder
			fmt.Fprintf(&out, "status %d\n%s\n", r.StatusCode, indentJSON(t, r.body))
			if _, err := f.sh.ExportCSV(context.Background(), f.db, &out, sheet.Query{}); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("sheets", name+".golden"), []byte(stripTimes(out.String())))
		})
	}
}

// stripTimes blanks the export's timestamps, which move with the clock.
func stripTimes(s string) string { return exportTime.ReplaceAllString(s, "T") }

var exportTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)

func indentJSON(t *testing.T, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestSheetConflicts(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	ctx := context.Background()
	wf, err := f.db.Workflows().ByName(ctx, "leads-both")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := f.db.Conflicts().Record(ctx, store.Conflict{WorkflowID: wf.ID, SheetID: f.sh.ID, RowID: 1, SFID: "00Q000000000001EAA",
		Field: "company", Column: "company", SheetValue: "Analytical Co", SalesforceValue: "Analytical Engines", BaseValue: "Analytical",
		Policy: store.PolicyManual})
	if err != nil {
		t.Fatal(err)
	}
	var list ConflictList
	f.do(f.admin, "GET", "/api/v1/sheets/leads/conflicts", nil).decode(t, &list)
	if len(list.Conflicts) != 1 || list.Conflicts[0].Workflow != "leads-both" || list.Conflicts[0].SalesforceValue != "Analytical Engines" {
		t.Fatalf("conflicts = %+v", list)
	}
	path := fmt.Sprintf("/api/v1/sheets/leads/conflicts/%d/resolve", cf.ID)
	f.do(f.owner, "POST", path, ConflictResolution{Keep: "mine"}).want(t, 400, CodeInvalidInput)
	f.do(f.owner, "POST", path, ConflictResolution{Keep: "sheet", Value: "x"}).want(t, 400, CodeInvalidInput)
	f.do(f.admin, "POST", path, ConflictResolution{Keep: "salesforce"}).want(t, 403, Code(access.ReasonNotOwner))
	var got SheetConflict
	r := f.do(f.owner, "POST", path, ConflictResolution{Keep: "salesforce"})
	r.want(t, 200, "")
	r.decode(t, &got)
	if got.Resolution != "salesforce" || got.ResolvedBy != "api:owner@example.com" || got.ResolvedValue != "Analytical Engines" {
		t.Errorf("resolved = %+v", got)
	}
	if row := f.row(1); row.Values[1] != "Analytical Engines" || row.Status != sheet.StatusPending {
		t.Errorf("row after resolve = %+v", row)
	}
	f.do(f.owner, "POST", path, ConflictResolution{Keep: "sheet"}).want(t, 409, CodeConflict)
	f.do(f.owner, "POST", "/api/v1/sheets/leads/conflicts/999/resolve", ConflictResolution{Keep: "sheet"}).want(t, 404, CodeNotFound)
	f.do(f.owner, "GET", "/api/v1/sheets/leads/conflicts", nil).decode(t, &list)
	if len(list.Conflicts) != 0 {
		t.Errorf("open conflicts after resolve = %+v", list)
	}
	f.do(f.owner, "GET", "/api/v1/sheets/leads/conflicts?all=true", nil).decode(t, &list)
	if len(list.Conflicts) != 1 {
		t.Errorf("all conflicts = %+v", list)
	}
	wantAudit(t, f.db, "conflict.resolve", fmt.Sprintf("sheet leads conflict %d", cf.ID))
}

func TestSheetDeadLetters(t *testing.T) {
	t.Parallel()
	f := setupSheets(t)
	var list DeadLetterList
	f.do(f.admin, "GET", "/api/v1/sheets/leads/deadletters", nil).decode(t, &list)
	if len(list.DeadLetters) != 1 || list.DeadLetters[0].Op != "insert" || list.DeadLetters[0].Code != "REQUIRED_FIELD_MISSING" || list.DeadLetters[0].RowID != f.rows[2] {
		t.Fatalf("dead letters = %+v", list)
	}
	f.do(f.owner, "POST", "/api/v1/sheets/leads/deadletters/99/requeue", nil).want(t, 404, CodeNotFound)
	f.do(f.owner, "POST", fmt.Sprintf("/api/v1/sheets/leads/deadletters/%d/requeue", f.deadLetter), nil).want(t, 204, "")
	if row := f.row(f.rows[2]); row.Status != sheet.StatusPending || row.Error != "" {
		t.Errorf("requeued row = %+v", row)
	}
	wantAudit(t, f.db, "deadletter.requeue", fmt.Sprintf("sheet leads dead letter %d", f.deadLetter))
	f.do(f.owner, "POST", fmt.Sprintf("/api/v1/sheets/leads/deadletters/%d/discard", f.deadLetter), nil).want(t, 404, CodeNotFound)

	g := setupSheets(t)
	g.do(g.owner, "POST", fmt.Sprintf("/api/v1/sheets/leads/deadletters/%d/discard", g.deadLetter), nil).want(t, 204, "")
	if row := g.row(g.rows[2]); row.Status != sheet.StatusFailed || !strings.Contains(row.Error, "api:owner@example.com discarded") {
		t.Errorf("discarded row = %+v", row)
	}
	wantAudit(t, g.db, "deadletter.discard", fmt.Sprintf("sheet leads dead letter %d", g.deadLetter))
}

func wantAudit(t *testing.T, db *store.Store, action, subject string) {
	t.Helper()
	for _, e := range auditLog(t, db) {
		if e.Action == action && e.Subject == subject {
			return
		}
	}
	t.Errorf("no audit entry %s on %s in %+v", action, subject, auditLog(t, db))
}

// FuzzSheetImportRead feeds any bytes to the CSV import's reader: it never
// panics, and every line it keeps or reports is a line after the header.
func FuzzSheetImportRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/sheets/import-*.csv")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
		f.Add(b, "last_name")
	}
	o := &openSheet{sh: &sheet.Sheet{Name: "leads", Columns: leadColumns}, use: &syncer.SheetUse{}}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		imp, err := o.readImport(bytes.NewReader(body), key)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalidInput {
				t.Fatalf("reading %q: %v, want an invalid_input error", body, err)
			}
			return
		}
		for _, l := range imp.lines {
			if l.line < 2 || len(l.values) != len(imp.names) {
				t.Fatalf("kept line %+v of %q", l, body)
			}
		}
		for _, p := range imp.report.Problems {
			if p.Line < 2 || p.Message == "" {
				t.Fatalf("problem %+v of %q", p, body)
			}
		}
	})
}

// BenchmarkSheetImport imports 1,000 CSV lines keyed by a column, each
// updating its row: reading, one lookup per line, and the write, in one
// transaction (no HTTP).
func BenchmarkSheetImport(b *testing.B) {
	const lines = 1000
	db := testDB(b)
	ctx := context.Background()
	sh, err := sheet.Create(ctx, db, "leads", leadColumns)
	if err != nil {
		b.Fatal(err)
	}
	batch := sheet.Batch{Columns: []string{"last_name"}, Origin: sheet.OriginUser}
	var csvBody strings.Builder
	csvBody.WriteString("last_name,company\n")
	for i := range lines {
		batch.Rows = append(batch.Rows, sheet.Input{Values: []any{fmt.Sprint("name ", i)}})
		fmt.Fprintf(&csvBody, "name %d,company %d\n", i, i)
	}
	if _, _, err := sh.Insert(ctx, db, batch); err != nil {
		b.Fatal(err)
	}
	o := &openSheet{st: db, sh: sh, use: &syncer.SheetUse{}}
	body := csvBody.String()
	for b.Loop() {
		imp, err := o.readImport(strings.NewReader(body), "last_name")
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			if err := imp.match(ctx, tx); err != nil {
				return err
			}
			return imp.write(ctx, tx, "bench")
		}); err != nil {
			b.Fatal(err)
		}
		if imp.report.Updated != lines {
			b.Fatalf("report %+v", imp.report)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*lines), "µs/line")
}
