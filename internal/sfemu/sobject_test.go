package sfemu

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// withSchema adds testdata/schema.yaml: Account.Ext__c (unique external
// ID) and Contact.Legacy__c (non-unique external ID).
func withSchema() setupOption {
	return withOptions(func(o *Options) { o.SchemaFile = "testdata/schema.yaml" })
}

var idRE = regexp.MustCompile(`\b(00[1-9A-Za-z]|003|005|00D)[A-Za-z0-9]{15}\b`)

// redactIDs replaces record IDs so golden files do not depend on them.
func redactIDs(b []byte) []byte { return idRE.ReplaceAll(b, []byte("ID")) }

func (f *fixture) create(t *testing.T, object, body string) string {
	t.Helper()
	r := f.do(t, http.MethodPost, "/services/data/v60.0/sobjects/"+object, body)
	if r.status != http.StatusCreated {
		t.Fatalf("creating %s: %d %s", object, r.status, r.body)
	}
	var res saveResult
	r.decode(t, &res)
	return res.ID
}

func TestRecordLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodPost, "/services/data/v60.0/sobjects/Account", `{"Name":"Acme","Industry":"Energy"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var res saveResult
	r.decode(t, &res)
	if loc := r.header.Get("Location"); loc != "/services/data/v60.0/sobjects/Account/"+res.ID {
		t.Errorf("Location = %q", loc)
	}
	golden.Check(t, "testdata/golden/create.json", append(redactIDs(r.body), '\n'))
	path := "/services/data/v60.0/sobjects/Account/" + res.ID

	r = f.do(t, http.MethodGet, path+"?fields=Name,Industry", nil)
	if r.status != http.StatusOK {
		t.Fatalf("retrieve: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/retrieve-fields.json", append(redactIDs(r.body), '\n'))

	r = f.do(t, http.MethodGet, path, nil)
	var full map[string]any
	r.decode(t, &full)
	if full["Name"] != "Acme" || full["OwnerId"] == nil || full["CreatedDate"] == nil || !strings.HasSuffix(full["CreatedDate"].(string), "+0000") {
		t.Errorf("full retrieve: %s", r.body)
	}

	if r := f.do(t, http.MethodPatch, path, `{"Industry":"Banking"}`); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodGet, path+"?fields=Industry", nil)
	r.decode(t, &full)
	if full["Industry"] != "Banking" {
		t.Errorf("after update: %s", r.body)
	}

	// Recently viewed.
	r = f.do(t, http.MethodGet, "/services/data/v60.0/recent?limit=5", nil)
	if !strings.Contains(string(r.body), res.ID) || !strings.Contains(string(r.body), `"Name":"Acme"`) {
		t.Errorf("recent: %s", r.body)
	}

	if r := f.do(t, http.MethodDelete, path, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodGet, path, nil)
	if r.status != http.StatusNotFound {
		t.Errorf("retrieve deleted: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/error-entity-deleted.json", append(r.body, '\n'))
}

func TestRecordErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	acct := f.create(t, "Account", `{"Name":"Acme"}`)
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"malformed id", http.MethodGet, "/sobjects/Account/001xyz", "", 400, "MALFORMED_ID"},
		{"id of another object", http.MethodGet, "/sobjects/Contact/" + acct, "", 400, "MALFORMED_ID"},
		{"unknown record", http.MethodGet, "/sobjects/Account/001000000000000AAA", "", 404, "NOT_FOUND"},
		{"delete id of another object", http.MethodDelete, "/sobjects/Contact/" + acct, "", 400, "MALFORMED_ID"},
		{"delete unknown record", http.MethodDelete, "/sobjects/Account/001000000000000AAA", "", 404, "NOT_FOUND"},
		{"unknown field in ?fields", http.MethodGet, "/sobjects/Account/" + acct + "?fields=Nope", "", 400, "INVALID_FIELD"},
		{"unknown object", http.MethodPost, "/sobjects/Nope", `{}`, 404, "NOT_FOUND"},
		{"bad JSON", http.MethodPost, "/sobjects/Account", `{"Name":`, 400, "JSON_PARSER_ERROR"},
		{"empty body", http.MethodPost, "/sobjects/Account", ``, 400, "JSON_PARSER_ERROR"},
		{"unknown field", http.MethodPost, "/sobjects/Account", `{"Name":"x","Nope__c":1}`, 400, "INVALID_FIELD"},
		{"required field", http.MethodPost, "/sobjects/Contact", `{"FirstName":"Ann"}`, 400, "REQUIRED_FIELD_MISSING"},
		{"POST on a record", http.MethodPost, "/sobjects/Account/" + acct, `{}`, 405, "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" || tt.method == http.MethodPost {
				body = tt.body
			}
			r := f.do(t, tt.method, "/services/data/v60.0"+tt.path, body)
			var errs []restError
			r.decode(t, &errs)
			if r.status != tt.status || len(errs) != 1 || errs[0].ErrorCode != tt.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	r := f.do(t, http.MethodPost, "/services/data/v60.0/sobjects/Contact", `{"FirstName":"Ann"}`)
	golden.Check(t, "testdata/golden/error-required-field.json", append(r.body, '\n'))
	r = f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Contact/"+acct, nil)
	golden.Check(t, "testdata/golden/error-malformed-id.json", append(redactIDs(r.body), '\n'))

	t.Run("create via Id (v37.0+)", func(t *testing.T) {
		if r := f.do(t, http.MethodPost, "/services/data/v60.0/sobjects/Account/Id", `{"Name":"Via Id"}`); r.status != http.StatusCreated {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	t.Run("lock fault on DML", func(t *testing.T) {
		if err := f.e.SetFaults(FaultPlan{Faults: []Fault{{Kind: FaultLockRow, Rate: 1, Limit: 1}}}); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, http.MethodPatch, "/services/data/v60.0/sobjects/Account/"+acct, `{"Name":"x"}`)
		golden.Check(t, "testdata/golden/error-unable-to-lock.json", append(r.body, '\n'))
		if r.status != http.StatusBadRequest {
			t.Errorf("%d", r.status)
		}
		if r := f.do(t, http.MethodPatch, "/services/data/v60.0/sobjects/Account/"+acct, `{"Name":"x"}`); r.status != http.StatusNoContent {
			t.Errorf("after the fault: %d %s", r.status, r.body)
		}
	})
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	f := setup(t, withSchema())
	path := "/services/data/v60.0/sobjects/Account/Ext__c/A-1"
	r := f.do(t, http.MethodPatch, path, `{"Name":"Upserted"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("insert: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/upsert-created.json", append(redactIDs(r.body), '\n'))
	r = f.do(t, http.MethodPatch, path, `{"Name":"Upserted again"}`)
	if r.status != http.StatusOK {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/upsert-updated.json", append(redactIDs(r.body), '\n'))
	if r := f.do(t, http.MethodPatch, strings.Replace(path, "v60.0", "v45.0", 1), `{"Name":"Old API"}`); r.status != http.StatusNoContent {
		t.Errorf("update in v45.0: %d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodGet, path+"?fields=Name", nil)
	var rec map[string]any
	r.decode(t, &rec)
	if rec["Name"] != "Old API" {
		t.Errorf("get by external ID: %s", r.body)
	}

	// Several matches: 300 with the records' URLs. (The org refuses to
	// store duplicate external IDs, so the error is built by hand.)
	rec300 := httptest.NewRecorder()
	c := &call{e: f.e, w: rec300, r: httptest.NewRequest(http.MethodGet, "/", nil), v: 60}
	_ = c.multipleChoices(&org.MultipleMatchesError{Object: "Contact", Field: "Legacy__c", Value: "L-1",
		IDs: []string{"0035g0000000001AAA", "0035g0000000002AAA"}})
	if rec300.Code != http.StatusMultipleChoices {
		t.Errorf("multiple matches: %d", rec300.Code)
	}
	golden.Check(t, "testdata/golden/upsert-multiple.json", append(rec300.Body.Bytes(), '\n'))
	r = f.do(t, http.MethodPatch, "/services/data/v60.0/sobjects/Account/Namez/x", `{"Name":"x"}`)
	golden.Check(t, "testdata/golden/error-upsert-bad-field.json", append(r.body, '\n'))

	if r := f.do(t, http.MethodDelete, path, nil); r.status != http.StatusNoContent {
		t.Errorf("delete by external ID: %d %s", r.status, r.body)
	}
}

func TestReplication(t *testing.T) {
	t.Parallel()
	f := setup(t)
	now := f.e.Clock().Now()
	a := f.create(t, "Account", `{"Name":"Kept"}`)
	b := f.create(t, "Account", `{"Name":"Gone"}`)
	if r := f.do(t, http.MethodDelete, "/services/data/v60.0/sobjects/Account/"+b, nil); r.status != http.StatusNoContent {
		t.Fatal(r.status)
	}
	f.e.Clock().Advance(2 * 60e9) // two minutes: the window ends at a whole minute
	q := "?start=" + now.Add(-60e9).Format("2006-01-02T15:04:05Z") + "&end=" + f.e.Clock().Now().Format("2006-01-02T15:04:05Z")
	r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Account/updated/"+q, nil)
	var upd struct {
		IDs               []string `json:"ids"`
		LatestDateCovered string   `json:"latestDateCovered"`
	}
	r.decode(t, &upd)
	if r.status != http.StatusOK || len(upd.IDs) != 1 || upd.IDs[0] != a || !strings.HasSuffix(upd.LatestDateCovered, ":00.000+0000") {
		t.Errorf("updated: %d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Account/deleted/"+q, nil)
	var del struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable string `json:"earliestDateAvailable"`
		LatestDateCovered     string `json:"latestDateCovered"`
	}
	r.decode(t, &del)
	if r.status != http.StatusOK || len(del.DeletedRecords) != 1 || del.DeletedRecords[0].ID != b || del.EarliestDateAvailable == "" {
		t.Errorf("deleted: %d %s", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Account/updated/", nil); r.status != http.StatusBadRequest {
		t.Errorf("no window: %d", r.status)
	}
}

func TestCollections(t *testing.T) {
	t.Parallel()
	f := setup(t, withSchema())
	var results []collectionResult
	r := f.do(t, http.MethodPost, "/services/data/v60.0/composite/sobjects", `{"allOrNone":false,"records":[
	  {"attributes":{"type":"Account"},"Name":"One"},
	  {"attributes":{"type":"Contact"},"FirstName":"No last name"},
	  {"attributes":{"type":"Account"},"Name":"Two"}]}`)
	r.decode(t, &results)
	if r.status != http.StatusOK || len(results) != 3 || !results[0].Success || results[1].Success || !results[2].Success {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/collections-create.json", append(redactIDs(r.body), '\n'))
	one, two := *results[0].ID, *results[2].ID

	before := f.e.world().org.RecordCounts()["Account"]
	r = f.do(t, http.MethodPost, "/services/data/v60.0/composite/sobjects", `{"allOrNone":true,"records":[
	  {"attributes":{"type":"Account"},"Name":"Rolled back"},
	  {"attributes":{"type":"Contact"},"FirstName":"No last name"}]}`)
	golden.Check(t, "testdata/golden/collections-all-or-none.json", append(redactIDs(r.body), '\n'))
	if after := f.e.world().org.RecordCounts()["Account"]; after != before {
		t.Errorf("allOrNone left %d accounts, want %d", after, before)
	}

	r = f.do(t, http.MethodPatch, "/services/data/v60.0/composite/sobjects", `{"records":[
	  {"attributes":{"type":"Account"},"Id":"`+one+`","Name":"One updated"},
	  {"attributes":{"type":"Account"},"Name":"No Id"}]}`)
	r.decode(t, &results)
	if !results[0].Success || results[1].Success || results[1].Errors[0].StatusCode != "MISSING_ARGUMENT" {
		t.Errorf("update: %s", r.body)
	}

	r = f.do(t, http.MethodGet, "/services/data/v60.0/composite/sobjects/Account?ids="+one+","+two+",001000000000000AAA&fields=Name", nil)
	var recs []map[string]any
	r.decode(t, &recs)
	if len(recs) != 3 || recs[0]["Name"] != "One updated" || recs[2] != nil {
		t.Errorf("retrieve: %s", r.body)
	}
	post := f.do(t, http.MethodPost, "/services/data/v60.0/composite/sobjects/Account", `{"ids":["`+one+`","`+two+`","001000000000000AAA"],"fields":["Name"]}`)
	if string(post.body) != string(r.body) {
		t.Errorf("POST retrieve differs from GET:\n%s\n%s", post.body, r.body)
	}

	r = f.do(t, http.MethodPatch, "/services/data/v60.0/composite/sobjects/Account/Ext__c", `{"records":[
	  {"attributes":{"type":"Account"},"Ext__c":"E-1","Name":"Ext one"},
	  {"attributes":{"type":"Account"},"Name":"No key"}]}`)
	r.decode(t, &results)
	if !results[0].Success || results[0].Created == nil || !*results[0].Created || results[1].Success {
		t.Errorf("upsert: %s", r.body)
	}

	r = f.do(t, http.MethodDelete, "/services/data/v60.0/composite/sobjects?ids="+one+","+two+",001000000000000AAA&allOrNone=false", nil)
	r.decode(t, &results)
	if !results[0].Success || !results[1].Success || results[2].Success {
		t.Errorf("delete: %s", r.body)
	}

	many := make([]string, 201)
	for i := range many {
		many[i] = `{"attributes":{"type":"Account"},"Name":"x"}`
	}
	r = f.do(t, http.MethodPost, "/services/data/v60.0/composite/sobjects", `{"records":[`+strings.Join(many, ",")+`]}`)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "EXCEEDED_ID_LIMIT") {
		t.Errorf("201 records: %d %s", r.status, r.body)
	}
}
