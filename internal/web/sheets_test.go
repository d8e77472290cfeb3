package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// leadsDoc is a two-way workflow on the sheet "leads"; notes only flows in.
const leadsDoc = `version: 1
name: leads
org: Acme
owner: cu@example.com
object: Lead
sheet: leads
direction: both
fields:
  - { salesforce: LastName, column: last_name }
  - { salesforce: Company, column: company }
  - { salesforce: AnnualRevenue, column: revenue }
  - { salesforce: Description, column: notes, direction: inbound }
`

// withSheet adds people (cu@example.com owns the workflow, cadmin is a
// connector admin, other a connector user), the workflow leads, its sheet
// and three rows: a synced one, a pending one and a failed one with a dead
// letter and an open conflict on the first.
func withSheet(t *testing.T, f *fixture) *sheet.Sheet {
	t.Helper()
	ctx := context.Background()
	owner := f.user("cu@example.com", access.ConnectorUser)
	f.user("cadmin@example.com", access.ConnectorAdmin)
	f.user("other@example.com", access.ConnectorUser)
	org, err := f.db.Orgs().Create(ctx, store.Org{Name: "Acme", LoginURL: "https://login.salesforce.com", ClientID: "3MVG9"})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := f.db.Workflows().Create(ctx, store.Workflow{Name: "leads", OrgID: org.ID, OwnerID: owner.ID, Enabled: true, Document: leadsDoc})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := sheet.Create(ctx, f.db, "leads", []sheet.Column{
		{Name: "last_name", Type: sheet.TypeText}, {Name: "company", Type: sheet.TypeText},
		{Name: "revenue", Type: sheet.TypeCurrency}, {Name: "notes", Type: sheet.TypeLongText}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Upsert(ctx, f.db, sheet.Batch{Columns: []string{"last_name", "company", "revenue"},
		Rows: []sheet.Input{{SFID: "00Q000000000001EAA", Values: []any{"Lovelace", "Analytical", 1000}}}}); err != nil {
		t.Fatal(err)
	}
	ids, _, err := sh.Insert(ctx, f.db, sheet.Batch{Columns: []string{"last_name"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Hopper"}}, {Values: []any{"Torvalds"}}}})
	if err != nil {
		t.Fatal(err)
	}
	chs, err := sh.Claim(ctx, f.db, 10, time.Minute)
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
		if _, err := sh.Fail(ctx, f.db, wf.ID, ch, store.Failure{Code: "REQUIRED_FIELD_MISSING", Message: "Required fields are missing: [Company]",
			Fields: []string{"Company"}, Advice: "Salesforce requires Company on Lead; fill in company in row 3, then send it again."}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.Conflicts().Record(ctx, store.Conflict{WorkflowID: wf.ID, SheetID: sh.ID, RowID: 1, SFID: "00Q000000000001EAA",
		Field: "Company", Column: "company", SheetValue: "Analytical Co", SalesforceValue: "Analytical Engines", BaseValue: "Analytical",
		Policy: store.PolicyManual}); err != nil {
		t.Fatal(err)
	}
	return sh
}

func sheetRow(t *testing.T, f *fixture, sh *sheet.Sheet, id int64) *sheet.Row {
	t.Helper()
	r, err := sh.Get(context.Background(), f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSheetsPagesGolden(t *testing.T) {
	for _, tc := range []struct{ name, lang, login, path string }{
		{"sheets-owner-en", "en", "cu@example.com", "/sheets"},
		{"sheets-owner-fr", "fr", "cu@example.com", "/sheets"},
		{"sheets-grid-owner-en", "en", "cu@example.com", "/sheets/leads"},
		{"sheets-grid-owner-fr", "fr", "cu@example.com", "/sheets/leads"},
		{"sheets-grid-admin-en", "en", "cadmin@example.com", "/sheets/leads?status=failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			withSheet(t, f)
			b := f.signedIn(tc.login)
			b.header.Set("Accept-Language", tc.lang)
			r := b.get(tc.path)
			if r.status != http.StatusOK {
				t.Fatalf("%s: status %d:\n%s", tc.path, r.status, r.body)
			}
			golden(t, filepath.Join("testdata", "pages", tc.name+".html"), r.body)
		})
	}
}

func TestSheetsAccess(t *testing.T) {
	f := setup(t)
	withSheet(t, f)
	other := f.signedIn("other@example.com")
	other.get("/sheets").lacks(t, `data-sheet="leads"`)
	if r := other.get("/sheets/leads"); r.status != http.StatusForbidden {
		t.Errorf("another connector user opened the sheet: %d", r.status)
	}
	admin := f.signedIn("cadmin@example.com")
	r := admin.get("/sheets/leads")
	r.has(t, "only the owner of its workflows may change it", "Lovelace")
	r.lacks(t, `class="cell-form"`, "/deadletters/1/requeue")
	if r := admin.post("/sheets/leads/rows/1", url.Values{"column": {"company"}, "value": {"x"}}); r.status != http.StatusForbidden {
		t.Errorf("an admin edited a row of someone else's workflow: %d", r.status)
	}
}

func TestSheetsEditForms(t *testing.T) {
	f := setup(t)
	sh := withSheet(t, f)
	b := f.signedIn("cu@example.com")

	r := b.post("/sheets/leads/rows/1", url.Values{"column": {"company"}, "value": {"Engines Ltd"}})
	if r.path != "/sheets/leads?done=sheets_saved" {
		t.Fatalf("edit ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "pending until it reaches Salesforce", `value="Engines Ltd"`)
	if got := sheetRow(t, f, sh, 1); got.Values[1] != "Engines Ltd" || got.Status != sheet.StatusPending {
		t.Errorf("row 1 = %+v", got)
	}

	r = b.post("/sheets/leads/rows/1", url.Values{"column": {"revenue"}, "value": {"lots"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a bad number: status %d, want 400", r.status)
	}
	r.has(t, "revenue: &#34;lots&#34; is not a number")

	// A refused new row comes back as typed, to be corrected.
	r = b.post("/sheets/leads/rows", url.Values{"value_last_name": {"Hopper"}, "value_revenue": {"much"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a new row with a bad number: status %d, want 400", r.status)
	}
	r.has(t, `name="value_last_name" value="Hopper"`, `name="value_revenue" value="much"`)

	r = b.post("/sheets/leads/rows", url.Values{"value_last_name": {"Liskov"}, "value_revenue": {"12.5"}})
	if r.path != "/sheets/leads?done=sheets_added" {
		t.Fatalf("add ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "Liskov")

	// The workflow does not propagate deletes: no button, and the API says why.
	r.lacks(t, "/rows/1/delete")
	r = b.post("/sheets/leads/rows/1/delete", nil)
	if r.status != http.StatusConflict {
		t.Errorf("deleting a row of a workflow that keeps records: status %d, want 409", r.status)
	}
	r.has(t, "its rows cannot be deleted here")

	r = b.post("/sheets/leads/conflicts/1", url.Values{"keep": {"salesforce"}})
	if r.path != "/sheets/leads?done=sheets_resolved" {
		t.Fatalf("resolve ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "No open conflict.", `value="Analytical Engines"`)

	r = b.post("/sheets/leads/deadletters/1/requeue", nil)
	if r.path != "/sheets/leads?done=sheets_requeued" {
		t.Fatalf("requeue ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "Nothing refused.")
	if r := b.post("/sheets/leads/deadletters/1/burn", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown dead-letter action answered %d", r.status)
	}

	// Once the workflow propagates deletes, rows have a delete button.
	if err := f.db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE workflows SET document = $1`, leadsDoc+"deletes: { outbound: propagate }\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b.get("/sheets/leads").has(t, `action="/sheets/leads/rows/2/delete"`)
	if r := b.post("/sheets/leads/rows/2/delete", nil); r.path != "/sheets/leads?done=sheets_deleted" {
		t.Fatalf("delete ended at %s (%d)", r.path, r.status)
	}
	if _, err := sh.Get(context.Background(), f.db, 2); err == nil {
		t.Error("row 2, never in Salesforce, is still there after its delete")
	}
}

func TestSheetsImportForm(t *testing.T) {
	f := setup(t)
	withSheet(t, f)
	b := f.signedIn("cu@example.com")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("key", "last_name"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "leads.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("last_name,company,revenue\nHopper,US Navy,\nKnuth,Stanford,much\nDijkstra,Eindhoven,1\n"))
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/sheets/leads/import", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := b.do(req)
	if r.status != http.StatusOK {
		t.Fatalf("import: status %d:\n%s", r.status, r.body)
	}
	r.has(t, "Imported. Rows added: 1; updated: 1; lines left out: 1.", `data-testid="import-problems"`, "<td>3</td><td>revenue</td>", "US Navy", "Dijkstra")
	r.lacks(t, "Knuth")
}
