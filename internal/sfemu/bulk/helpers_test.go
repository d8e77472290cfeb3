package bulk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// base is the emulator time every test starts at.
var base = time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)

// testSchema adds the external IDs the tests load through.
const testSchema = `version: 1
objects:
- name: Account
  fields:
  - {name: Ext__c, type: string, length: 20, externalId: true}
- name: Contact
  fields:
  - {name: Ext__c, type: string, length: 20, externalId: true}
`

// fixture is the emulator (sfemu) serving Bulk API 2.0 over HTTP, with the
// admin and the standard user logged in through OAuth. Its clock starts at
// base and moves with real time; tick moves it further, so record and job
// timestamps drift by milliseconds (transcripts round them off). Jobs move
// only when a request looks at them or the test calls SettleBulk: the
// emulator's own settling timer is off, or it would race the transcripts.
type fixture struct {
	t        testing.TB
	e        *sfemu.Emulator
	srv      *httptest.Server
	org      *org.Org
	admin    string // access tokens
	standard string
	log      strings.Builder
}

// setup returns a fresh fixture whose jobs stay InProgress for delay (0
// means bulk.DefaultProcessingDelay, negative none). Requests are made as
// the admin unless they give another Authorization header.
func setup(t testing.TB, delay time.Duration) *fixture {
	t.Helper()
	c := clock.New()
	c.Set(base)
	schemaFile := filepath.Join(t.TempDir(), "bulk.yaml")
	if err := os.WriteFile(schemaFile, []byte(testSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := sfemu.New(sfemu.Options{Seed: "empty", SchemaFile: schemaFile, Clock: c,
		BulkProcessingDelay: delay, BulkSettleDelay: -1, SessionTimeout: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, e: e, srv: httptest.NewServer(e), org: e.Org()}
	t.Cleanup(f.srv.Close)
	f.admin, f.standard = f.login(org.AdminUsername), f.login(org.StandardUsername)
	return f
}

// login gets a user's access token through the OAuth 2.0 password flow.
func (f *fixture) login(username string) string {
	f.t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {auth.DevConsumerKey},
		"client_secret": {auth.DevConsumerSecret}, "username": {username}, "password": {org.DevPassword}}
	resp, err := f.srv.Client().PostForm(f.srv.URL+"/services/oauth2/token", form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		f.t.Fatalf("logging in %s: %d %v", username, resp.StatusCode, err)
	}
	return tok.AccessToken
}

// tick moves the emulator's clock d further.
func (f *fixture) tick(d time.Duration) { f.e.Clock().Advance(d) }

// setLimit sets the limit of a daily allocation of the org.
func (f *fixture) setLimit(allocation string, n int) {
	f.t.Helper()
	if err := f.e.SetDailyLimit(allocation, n); err != nil {
		f.t.Fatal(err)
	}
}

// used returns what was spent today of a daily allocation of the org.
func (f *fixture) used(allocation string) int {
	used, _, _ := f.e.DailyUsage(allocation)
	return used
}

// create inserts a record as the admin and returns its ID.
func (f *fixture) create(object string, v org.Values) string {
	f.t.Helper()
	id, err := f.org.CreateValues(context.Background(), f.org.System(), object, v)
	if err != nil {
		f.t.Fatalf("creating %s: %v", object, err)
	}
	return id
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   string
}

// call sends a request (a body starting with "{" is JSON, anything else
// CSV) without logging it.
func (f *fixture) call(method, path, body string, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.admin)
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "text/csv")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// step sends a request and logs it and its response in the transcript.
func (f *fixture) step(method, path, body string, header ...string) response {
	f.t.Helper()
	r := f.call(method, path, body, header...)
	fmt.Fprintf(&f.log, ">>> %s %s", method, path)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&f.log, " [%s: %s]", header[i], header[i+1])
	}
	f.log.WriteString("\n")
	if body != "" {
		f.log.WriteString(showBody(body))
	}
	fmt.Fprintf(&f.log, "<<< %d", r.status)
	for _, h := range []string{"Content-Type", "Sforce-NumberOfRecords", "Sforce-Locator", "Allow"} {
		if v := r.header.Get(h); v != "" {
			fmt.Fprintf(&f.log, " [%s: %s]", h, v)
		}
	}
	f.log.WriteString("\n")
	if r.body != "" {
		f.log.WriteString(showBody(r.body))
	}
	f.log.WriteString("\n")
	return r
}

// note adds a line to the transcript.
func (f *fixture) note(format string, args ...any) {
	fmt.Fprintf(&f.log, "### "+format+"\n\n", args...)
}

var (
	// Milliseconds of record timestamps depend on how long the test ran.
	millis = regexp.MustCompile(`(2024-01-1\dT\d\d:\d\d:\d\d)\.\d{3}`)
	// Processing times too: they are rounded down to 100 ms.
	processing = regexp.MustCompile(`("(?:totalProcessingTime|apiActiveProcessingTime)": )(\d+)`)
)

// showBody renders a body for a transcript: JSON indented, CSV with its
// carriage returns visible, both ending with a newline.
func showBody(b string) string {
	if strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
		var out bytes.Buffer
		if json.Indent(&out, []byte(b), "", "  ") == nil {
			b = out.String()
		}
	}
	b = strings.ReplaceAll(b, "\r", "\\r")
	b = millis.ReplaceAllString(b, "$1.000")
	b = processing.ReplaceAllStringFunc(b, func(m string) string {
		sub := processing.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[2]) // the pattern matched digits
		return sub[1] + strconv.Itoa(n/100*100)
	})
	if !strings.HasSuffix(b, "\n") {
		b += "\n"
	}
	return b
}

// golden compares the transcript with testdata/<name>.txt, or rewrites it
// with -update.
func (f *fixture) golden(name string) {
	f.t.Helper()
	path := filepath.Join("testdata", name+".txt")
	got := f.log.String()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatalf("reading golden file (go test -update creates it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		f.t.Errorf("%s mismatch (-want +got; go test -update rewrites it, review the diff):\n%s", path, diff)
	}
}

// jobID reads the id of a JobInfo response.
func jobID(t testing.TB, r response) string {
	t.Helper()
	var info struct{ ID, State string }
	if err := json.Unmarshal([]byte(r.body), &info); err != nil || info.ID == "" {
		t.Fatalf("no job in %d %s", r.status, r.body)
	}
	return info.ID
}

// stateOf reads the state of a JobInfo response.
func stateOf(t testing.TB, r response) string {
	t.Helper()
	var info struct{ State string }
	if err := json.Unmarshal([]byte(r.body), &info); err != nil {
		t.Fatalf("no job in %d %s", r.status, r.body)
	}
	return info.State
}

// t0 is a context for calls made outside requests.
var t0 = context.Background()

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}
