package sfemu

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
)

func (f *fixture) admin(t *testing.T, method, path, body string) reply {
	t.Helper()
	var b any
	if body != "" {
		b = body
	}
	return f.do(t, method, "/_emulator/"+path, b, "Authorization", "")
}

func TestAdminInsertAndSchema(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.admin(t, http.MethodPost, "records/Account", `[{"Name":"Seeded 1"},{"Name":"Seeded 2","Industry":"Energy"}]`)
	var ins struct{ IDs []string }
	r.decode(t, &ins)
	if r.status != http.StatusOK || len(ins.IDs) != 2 {
		t.Fatalf("insert: %d %s", r.status, r.body)
	}
	if used, _ := f.e.APIUsage(); used != 0 {
		t.Errorf("admin inserts must not count API requests: %d", used)
	}
	r = f.admin(t, http.MethodPost, "records/Contact", `[{"LastName":"Fine"},{"FirstName":"No last name"}]`)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "records[1]") {
		t.Errorf("bad record: %d %s", r.status, r.body)
	}
	if n := f.e.world().org.RecordCounts()["Contact"]; n != 0 {
		t.Errorf("a failed insert left %d contacts", n)
	}
	for _, bad := range []struct{ path, body string }{{"records/Nope", `[]`}, {"records/Account", `{"Name":"x"}`}} {
		if r := f.admin(t, http.MethodPost, bad.path, bad.body); r.status != http.StatusBadRequest {
			t.Errorf("%s %s: %d", bad.path, bad.body, r.status)
		}
	}

	schemaFile := "version: 1\nobjects:\n- name: Invoice__c\n  fields:\n  - {name: Amount__c, type: currency, precision: 16, scale: 2}\n"
	r = f.admin(t, http.MethodPost, "schema?name=invoice.yaml", schemaFile)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "Invoice__c") {
		t.Fatalf("schema: %d %s", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Invoice__c/describe", nil); r.status != http.StatusOK {
		t.Errorf("describe the new object: %d", r.status)
	}
	if r := f.do(t, http.MethodPost, "/services/data/v60.0/sobjects/Invoice__c", `{"Name":"INV-1","Amount__c":12.5}`); r.status != http.StatusCreated {
		t.Errorf("create on the new object: %d %s", r.status, r.body)
	}
	r = f.admin(t, http.MethodPost, "schema", "version: 1\nobjects:\n- name: Bad\n")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "admin.invalid_schema") {
		t.Errorf("invalid schema: %d %s", r.status, r.body)
	}
}

func TestAdminReset(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.create(t, "Account", `{"Name":"Before reset"}`)
	r := f.admin(t, http.MethodPost, "reset", `{"seed":"empty"}`)
	if r.status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if f.e.world().org.RecordCounts()["Account"] != 0 {
		t.Errorf("reset kept the org: %s", r.body)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusUnauthorized {
		t.Errorf("a token from before the reset still works: %d", r.status)
	}
	f.token = f.login(t, "admin@example.com")
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusOK {
		t.Errorf("after logging in again: %d", r.status)
	}
	if r := f.admin(t, http.MethodPost, "reset", `{"seed":"bogus"}`); r.status != http.StatusBadRequest {
		t.Errorf("bad seed: %d", r.status)
	}
}

func TestDataFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "org.sfemu")
	clk := clock.New()
	opts := Options{Seed: "empty", DataFile: path, Clock: clk}
	e1, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e1}
	f.srv = newServer(t, e1)
	f.token = f.login(t, "admin@example.com")
	id := f.create(t, "Account", `{"Name":"Kept across restarts"}`)

	// A refresh token from the web-server flow survives the restart.
	tok := passwordlessRefreshToken(t, f)
	if err := e1.Save(); err != nil {
		t.Fatal(err)
	}

	e2, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	g := &fixture{e: e2, srv: newServer(t, e2)}
	if e2.OrgID() != e1.OrgID() {
		t.Errorf("org ID changed: %s -> %s", e1.OrgID(), e2.OrgID())
	}
	g.token = f.token
	if r := g.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusUnauthorized {
		t.Errorf("access tokens must not survive a restart: %d", r.status)
	}
	resp, err := http.PostForm(g.srv.URL+"/services/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok}, "client_id": {auth.DevConsumerKey}, "client_secret": {auth.DevConsumerSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var refreshed struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&refreshed)
	resp.Body.Close()
	if refreshed.AccessToken == "" {
		t.Fatalf("refresh after restart: %d", resp.StatusCode)
	}
	g.token = refreshed.AccessToken
	if r := g.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Account/"+id+"?fields=Name", nil); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), "Kept across restarts") {
		t.Errorf("record after restart: %d %s", r.status, r.body)
	}
	if r := g.admin(t, http.MethodPost, "save", ""); r.status != http.StatusOK {
		t.Errorf("admin save: %d %s", r.status, r.body)
	}
	if err := (&Emulator{}).Save(); err != ErrNoDataFile {
		t.Errorf("Save without a data file: %v", err)
	}
}

func newServer(t *testing.T, e *Emulator) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// passwordlessRefreshToken runs the web-server flow as admin@example.com
// in a scripted browser and returns the refresh token.
func passwordlessRefreshToken(t *testing.T, f *fixture) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) *http.Response {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	callback := "http://127.0.0.1:9999/callback"
	resp := get(f.srv.URL + "/services/oauth2/authorize?" + url.Values{"response_type": {"code"},
		"client_id": {auth.DevConsumerKey}, "redirect_uri": {callback}}.Encode())
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{"username": {"admin@example.com"}, "password": {"sfbridge"}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err := c.PostForm(f.srv.URL+"/services/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), "/") {
		resp = get(f.srv.URL + resp.Header.Get("Location"))
		resp.Body.Close()
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("web-server flow ended at %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.PostForm(f.srv.URL+"/services/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"code": {loc.Query().Get("code")}, "client_id": {auth.DevConsumerKey}, "client_secret": {auth.DevConsumerSecret},
		"redirect_uri": {callback}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchanging the code: %d %v", resp.StatusCode, err)
	}
	return tok.RefreshToken
}

func TestAdminUndelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.create(t, "Account", `{"Name":"Deleted then restored"}`)
	contact := f.create(t, "Contact", `{"LastName":"Child","AccountId":"`+id+`"}`)
	if r := f.do(t, http.MethodDelete, "/services/data/v60.0/sobjects/Account/"+id, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/Contact/"+contact, nil); r.status != http.StatusNotFound {
		t.Fatalf("the contact survived its account's delete: %d", r.status)
	}
	if r := f.admin(t, http.MethodPost, "undelete", `{"ids":["`+id+`"]}`); r.status != http.StatusOK {
		t.Fatalf("undelete: %d %s", r.status, r.body)
	}
	for _, path := range []string{"Account/" + id, "Contact/" + contact} {
		if r := f.do(t, http.MethodGet, "/services/data/v60.0/sobjects/"+path, nil); r.status != http.StatusOK {
			t.Errorf("after undelete, GET %s: %d %s", path, r.status, r.body)
		}
	}
	for _, body := range []string{`{"ids":[]}`, `{"ids":["001000000000000AAA"]}`, `not json`} {
		if r := f.admin(t, http.MethodPost, "undelete", body); r.status != http.StatusBadRequest {
			t.Errorf("undelete %s: %d %s, want 400", body, r.status, r.body)
		}
	}
}
