package schema_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
)

const formulaSchema = `version: 1
objects:
- name: Account
  fields:
  - {name: Score__c, type: formula, returnType: number, precision: 18, scale: 0,
     formula: "AnnualRevenue / 1000 + IF(ISPICKVAL(Rating, 'Hot'), 10, 0)"}
- name: Opportunity
  fields:
  - {name: Account_Revenue__c, type: formula, returnType: currency, scale: 2, formula: "Account.AnnualRevenue"}
  - {name: Days_Open__c, type: formula, returnType: number, formula: "TODAY() - DATEVALUE(CreatedDate)"}
`

// api is a logged-in REST client of an emulator for one test.
type api struct {
	t     *testing.T
	base  string
	token string
}

func (a *api) do(method, path string, body any) (int, map[string]any, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out) // errors come as a JSON array; callers read raw
	return resp.StatusCode, out, raw
}

// row runs a query expected to return one record.
func (a *api) row(soql string) map[string]any {
	a.t.Helper()
	status, page, raw := a.do(http.MethodGet, "/services/data/v60.0/query?q="+url.QueryEscape(soql), nil)
	recs, _ := page["records"].([]any)
	if status != http.StatusOK || len(recs) != 1 {
		a.t.Fatalf("%s: %d %s", soql, status, raw)
	}
	return recs[0].(map[string]any)
}

func login(t *testing.T, emu *sfemu.Emulator) *api {
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	resp, err := http.PostForm(srv.URL+"/services/oauth2/token", url.Values{"grant_type": {"password"},
		"client_id": {auth.DevConsumerKey}, "client_secret": {auth.DevConsumerSecret},
		"username": {"admin@example.com"}, "password": {"sfbridge"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("logging in: %d %v", resp.StatusCode, err)
	}
	return &api{t: t, base: srv.URL, token: tok.AccessToken}
}

// TestFormulaOverHTTP drives formula fields through the emulator as a
// client sees them: describe, query, the refusal to write them, and values
// that change while SystemModstamp stays.
func TestFormulaOverHTTP(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "formulas.yaml")
	if err := os.WriteFile(file, []byte(formulaSchema), 0o600); err != nil {
		t.Fatal(err)
	}
	// The test moves the clock by days: sessions must outlive that.
	emu, err := sfemu.New(sfemu.Options{Seed: "empty", SchemaFile: file, SessionTimeout: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	a := login(t, emu)

	status, desc, raw := a.do(http.MethodGet, "/services/data/v60.0/sobjects/Account/describe", nil)
	if status != http.StatusOK {
		t.Fatalf("describe: %d %s", status, raw)
	}
	var score map[string]any
	for _, f := range desc["fields"].([]any) {
		if m := f.(map[string]any); m["name"] == "Score__c" {
			score = m
		}
	}
	if score == nil || score["type"] != "double" || score["calculated"] != true || score["createable"] != false ||
		score["updateable"] != false || !strings.HasPrefix(score["calculatedFormula"].(string), "AnnualRevenue / 1000") {
		t.Fatalf("describe of Score__c: %v", score)
	}

	status, created, raw := a.do(http.MethodPost, "/services/data/v60.0/sobjects/Account",
		map[string]any{"Name": "Acme", "AnnualRevenue": 250000, "Rating": "Hot"})
	if status != http.StatusCreated {
		t.Fatalf("creating the account: %d %s", status, raw)
	}
	id := created["id"].(string)
	q := "SELECT Score__c, SystemModstamp FROM Account WHERE Id = '" + id + "'"
	if got := a.row(q)["Score__c"]; got != 260.0 {
		t.Errorf("Score__c after create: %v, want 260", got)
	}
	if got := a.row("SELECT Id FROM Account WHERE Score__c > 259 ORDER BY Score__c")["Id"]; got != id {
		t.Errorf("filtering on Score__c: %v", got)
	}

	// Writing a formula field is refused, on create and on update.
	for _, w := range []struct{ method, path string }{
		{http.MethodPost, "/services/data/v60.0/sobjects/Account"},
		{http.MethodPatch, "/services/data/v60.0/sobjects/Account/" + id},
	} {
		status, _, raw := a.do(w.method, w.path, map[string]any{"Name": "X", "Score__c": 1})
		if status != http.StatusBadRequest || !bytes.Contains(raw, []byte("INVALID_FIELD_FOR_INSERT_UPDATE")) {
			t.Errorf("%s with Score__c: %d %s", w.method, status, raw)
		}
	}

	status, _, raw = a.do(http.MethodPatch, "/services/data/v60.0/sobjects/Account/"+id, map[string]any{"AnnualRevenue": 500000})
	if status != http.StatusNoContent {
		t.Fatalf("updating the account: %d %s", status, raw)
	}
	if got := a.row(q)["Score__c"]; got != 510.0 {
		t.Errorf("Score__c after update: %v, want 510", got)
	}

	t.Run("parent and clock", func(t *testing.T) {
		status, opp, raw := a.do(http.MethodPost, "/services/data/v60.0/sobjects/Opportunity", map[string]any{
			"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2030-01-01", "AccountId": id})
		if status != http.StatusCreated {
			t.Fatalf("creating the opportunity: %d %s", status, raw)
		}
		oq := "SELECT Account_Revenue__c, Days_Open__c, SystemModstamp FROM Opportunity WHERE Id = '" + opp["id"].(string) + "'"
		before := a.row(oq)
		if before["Account_Revenue__c"] != 500000.0 || before["Days_Open__c"] != 0.0 {
			t.Fatalf("opportunity formulas: %v", before)
		}
		a.do(http.MethodPatch, "/services/data/v60.0/sobjects/Account/"+id, map[string]any{"AnnualRevenue": 750000})
		emu.Clock().Advance(3 * 24 * time.Hour)
		after := a.row(oq)
		if after["Account_Revenue__c"] != 750000.0 || after["Days_Open__c"] != 3.0 {
			t.Errorf("after the parent and the clock moved: %v", after)
		}
		if after["SystemModstamp"] != before["SystemModstamp"] {
			t.Errorf("SystemModstamp moved: %v, then %v", before["SystemModstamp"], after["SystemModstamp"])
		}
	})
}
