package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// leadsDoc is a two-way workflow on the sheet "leads"; notes only flows
// in, and owner, a field of a related record, is a system column.
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
  - { salesforce: Owner.Name, column: owner, direction: inbound }
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
		{Name: "revenue", Type: sheet.TypeCurrency}, {Name: "notes", Type: sheet.TypeLongText}, {Name: "owner", Type: sheet.TypeText}})
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

// TestSheetsValueWording pins that every value code the sheet may refuse
// a value with is worded in every language, and that an unknown code falls
// back to the API's message (ADR 0315).
func TestSheetsValueWording(t *testing.T) {
	cs, err := loadCatalogues(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cs.langs {
		v := &view{catalogue: cs.byLang[lang]}
		for _, code := range sheet.ValueCodes {
			got := valueText(v, string(code), `"x"`, "col", "FALLBACK")
			if got == "FALLBACK" || strings.Contains(got, "%!") || !strings.Contains(got, `"x"`) && !strings.Contains(got, "col") {
				t.Errorf("%s: %s is worded %q", lang, code, got)
			}
		}
		if got := valueText(v, "not_yet_known", `"x"`, "col", "FALLBACK"); got != "FALLBACK" {
			t.Errorf("%s: an unknown code is worded %q, want the API's message", lang, got)
		}
	}
}

// TestSheetsDeadLetterAdvice pins the console's advice on a refused
// change: worded by code in the page's language, naming the page's
// buttons, never a CLI command.
func TestSheetsDeadLetterAdvice(t *testing.T) {
	cs, err := loadCatalogues(catalogueFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code, message string
		fields        []string
		en, fr        string
	}{
		{"REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", []string{"Company"}, "Salesforce requires Company: fill it in row 7", "Salesforce exige Company"},
		{"REQUIRED_FIELD_MISSING", "Required fields are missing", nil, "Salesforce requires a field", "Salesforce exige un champ"},
		{"FIELD_CUSTOM_VALIDATION_EXCEPTION", "Amount must be positive", nil, "validation rule", "règle de validation"},
		{"DUPLICATES_DETECTED", "dup", []string{"Email"}, "already has this value (Email)", "a déjà cette valeur (Email)"},
		{"ENTITY_IS_DELETED", "gone", nil, "Discard the change", "abandonnez le changement"},
		{"INVALID_FIELD", "Foreign key external ID: ACME-9 not found for field Ext_Id__c in entity Account", nil, "a key no Salesforce record has", "une clé qu’aucun enregistrement"},
		{"INVALID_FIELD", "No such column 'Foo__c'", []string{"Foo__c"}, "may not write Foo__c", "ne peut pas écrire Foo__c"},
		{"INSUFFICIENT_ACCESS_OR_READONLY", "no", nil, "may not change this record (row 7)", "ne peut pas modifier cet enregistrement (ligne 7)"},
		{"STRING_TOO_LONG", "too long", []string{"Name"}, "refused a value of Name in row 7", "a refusé une valeur de Name dans la ligne 7"},
		{"SFBRIDGE_NO_MATCH", "no record", nil, "cannot be matched", "ne correspond à aucun"},
		{"SFBRIDGE_GAVE_UP", "timeout", nil, "kept failing for row 7", "a échoué à plusieurs reprises pour la ligne 7"},
		{"UNKNOWN_EXCEPTION", "boom", nil, "Salesforce refused row 7", "Salesforce a refusé la ligne 7"},
	} {
		f := api.RowFailure{Code: tc.code, Message: tc.message, Fields: tc.fields}
		for lang, want := range map[string]string{"en": tc.en, "fr": tc.fr} {
			got := deadLetterAdvice(&view{catalogue: cs.byLang[lang]}, f, 7)
			if !strings.Contains(got, want) || strings.Contains(got, "sfbridge") || strings.Contains(got, "%!") {
				t.Errorf("%s %s: advice %q, want one saying %q and no command", lang, tc.code, got, want)
			}
		}
	}
}

// TestSheetsRefusalsTranslated edits, adds and imports on a French page:
// refused values are worded in French by their code, a system column is
// read-only, and an edit that stays local says so (ADR 0315).
func TestSheetsRefusalsTranslated(t *testing.T) {
	f := setup(t)
	sh := withSheet(t, f)
	b := f.signedIn("cu@example.com")
	b.header.Set("Accept-Language", "fr")

	r := b.post("/sheets/leads/rows/1", url.Values{"column": {"revenue"}, "value": {"beaucoup"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("a bad number: status %d, want 400", r.status)
	}
	r.has(t, "revenue: &#34;beaucoup&#34; n’est pas un nombre")
	r.lacks(t, "is not a number")

	r = b.post("/sheets/leads/rows/1", url.Values{"column": {"owner"}, "value": {"Grace"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("editing a system column: status %d, want 400", r.status)
	}
	r.has(t, "La colonne owner est une colonne système")
	if got := sheetRow(t, f, sh, 1).Values[4]; got != nil {
		t.Errorf("owner of row 1 = %v after a refused edit", got)
	}
	r.lacks(t, `name="value_owner"`, `<input type="hidden" name="column" value="owner">`)

	r = b.post("/sheets/leads/rows", url.Values{"value_last_name": {"Hopper"}, "value_revenue": {"12,5"}})
	r.has(t, "revenue: &#34;12,5&#34; n’est pas un nombre")
	r = b.post("/sheets/leads/rows", url.Values{"value_last_name": {"Hopper"}, "value_notes": {"vu au salon"}})
	if r.path != "/sheets/leads?done=sheets_added_overwritten" {
		t.Fatalf("adding a row with a column only received ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "Les valeurs des colonnes qu’aucun workflow n’envoie restent dans la feuille seulement")

	r = b.post("/sheets/leads/rows/1", url.Values{"column": {"notes"}, "value": {"vu au salon"}})
	if r.path != "/sheets/leads?done=sheets_saved_overwritten" {
		t.Fatalf("editing a column only received ended at %s (%d)", r.path, r.status)
	}
	r.has(t, "enregistré dans la feuille seulement", "le prochain changement de l’enregistrement dans Salesforce l’écrasera")
	r.lacks(t, "jusqu’à ce qu’il atteigne Salesforce")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "leads.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("last_name,revenue,owner\nKnuth,much,Someone\nDijkstra,1,Someone\n"))
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/sheets/leads/import", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r = b.do(req)
	if r.status != http.StatusOK {
		t.Fatalf("import: status %d:\n%s", r.status, r.body)
	}
	r.has(t, "<td>2</td><td>revenue</td><td>&#34;much&#34;</td><td>&#34;much&#34; n’est pas un nombre", "Dijkstra")
	r.lacks(t, "Someone") // the system column is left out of the import
}
