package sfemu

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// fixture is an emulator served over HTTP with a logged-in admin.
type fixture struct {
	e     *Emulator
	srv   *httptest.Server
	token string // the admin's access token
}

// testConfig is what a test asks of its emulator.
type testConfig struct {
	opts     Options
	accounts int // accounts to add to the fake store
}

type setupOption func(*testConfig)

func withOptions(f func(*Options)) setupOption { return func(c *testConfig) { f(&c.opts) } }

func setup(t *testing.T, opts ...setupOption) *fixture {
	t.Helper()
	cfg := testConfig{opts: Options{Clock: clock.New()}}
	for _, f := range opts {
		f(&cfg)
	}
	e, err := newTestEmulator(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: e, srv: newServer(t, e)}
	f.token = f.login(t, "admin@example.com")
	return f
}

// login gets an access token through the password flow.
func (f *fixture) login(t *testing.T, username string) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {auth.DevConsumerKey},
		"client_secret": {auth.DevConsumerSecret}, "username": {username}, "password": {"sfbridge"}}
	resp, err := http.PostForm(f.srv.URL+"/services/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("logging in %s: %d %v", username, resp.StatusCode, err)
	}
	return tok.AccessToken
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the admin's token (unless header overrides
// Authorization) and returns the reply.
func (f *fixture) do(t *testing.T, method, path string, body any, header ...string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, data}
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// goldenJSON indents a JSON body, replaces the server URL, and compares.
func (f *fixture) goldenJSON(t *testing.T, name string, body []byte) {
	t.Helper()
	golden.Check(t, "testdata/golden/"+name, golden.IndentJSON(t, bytes.ReplaceAll(body, []byte(f.srv.URL), []byte("http://emulator"))))
}

func TestVersions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, p := range []string{"/services/data", "/services/data/"} {
		r := f.do(t, http.MethodGet, p, nil, "Authorization", "")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != jsonContentType {
			t.Fatalf("%s: %d %s", p, r.status, r.header.Get("Content-Type"))
		}
		f.goldenJSON(t, "versions.json", r.body)
	}
	r := f.do(t, http.MethodPost, "/services/data/", "{}")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "HEAD,GET" {
		t.Errorf("POST versions: %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

func TestVersionLabels(t *testing.T) {
	t.Parallel()
	tests := map[version]string{31: "Summer '14", 32: "Winter '15", 33: "Spring '15", 59: "Winter '24",
		60: "Spring '24", 64: "Summer '25", 65: "Winter '26", 66: "Spring '26"}
	for v, want := range tests {
		if got := v.label(); got != want {
			t.Errorf("v%s label = %q, want %q", v, got, want)
		}
	}
	for _, seg := range []string{"v60.0", "v31.0", "v66.0"} {
		if _, ok := parseVersion(seg); !ok {
			t.Errorf("parseVersion(%q) refused", seg)
		}
	}
	for _, seg := range []string{"v30.0", "v67.0", "60.0", "v60", "v60.1", "v060.0", "vx.0", ""} {
		if _, ok := parseVersion(seg); ok {
			t.Errorf("parseVersion(%q) accepted", seg)
		}
	}
}

func TestResources(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodGet, "/services/data/v66.0/", nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	f.goldenJSON(t, "resources-v66.json", bytes.ReplaceAll(bytes.ReplaceAll(r.body, []byte(f.adminID(t)), []byte("USERID")),
		[]byte(f.e.OrgID()), []byte("ORGID")))
	r = f.do(t, http.MethodGet, "/services/data/v33.0", nil)
	var res map[string]string
	r.decode(t, &res)
	if _, ok := res["composite"]; ok {
		t.Errorf("v33.0 lists composite (it came in v34.0): %v", res)
	}
	for _, p := range []string{"/services/data/v30.0/", "/services/data/v67.0/limits", "/services/data/v60/limits", "/services/data/v60.0/nope"} {
		r := f.do(t, http.MethodGet, p, nil)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d", p, r.status)
		}
		golden.Check(t, "testdata/golden/error-not-found.json", append(r.body, '\n'))
	}
}

func TestSessionErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, header, golden string
	}{
		{"no header", "", "error-invalid-session.json"},
		{"unknown token", "Bearer 00D000000000001!AQnope", "error-invalid-session.json"},
		{"basic auth", "Basic YTpi", "error-invalid-auth-header.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil, "Authorization", tt.header)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != "Token" {
				t.Errorf("status %d, WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
			}
			if r.header.Get("Sforce-Limit-Info") != "" {
				t.Error("a refused session must not be counted")
			}
			golden.Check(t, "testdata/golden/"+tt.golden, append(r.body, '\n'))
		})
	}
	t.Run("legacy OAuth scheme", func(t *testing.T) {
		r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil, "Authorization", "OAuth "+f.token)
		if r.status != http.StatusOK {
			t.Errorf("status %d %s", r.status, r.body)
		}
	})
	t.Run("session timeout", func(t *testing.T) {
		g := setup(t, withOptions(func(o *Options) { o.SessionTimeout = auth.DefaultSessionTimeout }))
		g.e.Clock().Advance(auth.DefaultSessionTimeout)
		if r := g.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.status != http.StatusUnauthorized {
			t.Errorf("after the timeout: %d", r.status)
		}
	})
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.do(t, http.MethodDelete, "/services/data/v60.0/limits", nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "HEAD,GET" {
		t.Errorf("%d Allow %q", r.status, r.header.Get("Allow"))
	}
	golden.Check(t, "testdata/golden/error-method-not-allowed.json", append(r.body, '\n'))
}

func TestLimits(t *testing.T) {
	t.Parallel()
	f := setup(t, withOptions(func(o *Options) { o.DailyAPILimit = 5 }))
	var header []string
	for range 5 {
		r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil)
		header = append(header, r.header.Get("Sforce-Limit-Info"))
		var lim map[string]limit
		r.decode(t, &lim)
		used := len(header)
		if got := lim["DailyApiRequests"]; got != (limit{Max: 5, Remaining: 5 - used}) {
			t.Errorf("call %d: DailyApiRequests = %+v", used, got)
		}
	}
	want := []string{"api-usage=1/5", "api-usage=2/5", "api-usage=3/5", "api-usage=4/5", "api-usage=5/5"}
	if diff := cmp.Diff(want, header); diff != "" {
		t.Errorf("Sforce-Limit-Info (-want +got):\n%s", diff)
	}
	r := f.do(t, http.MethodGet, "/services/data/v60.0/", nil)
	if r.status != http.StatusForbidden || r.header.Get("Sforce-Limit-Info") != "api-usage=5/5" {
		t.Errorf("over the limit: %d %q", r.status, r.header.Get("Sforce-Limit-Info"))
	}
	golden.Check(t, "testdata/golden/error-request-limit.json", append(r.body, '\n'))

	// The counter rolls over at midnight of the emulator clock.
	now := f.e.Clock().Now()
	f.e.Clock().Advance(now.Truncate(24*time.Hour).Add(24*time.Hour).Sub(now) + time.Second)
	f.token = f.login(t, "admin@example.com") // the session timed out meanwhile
	if r := f.do(t, http.MethodGet, "/services/data/v60.0/limits", nil); r.header.Get("Sforce-Limit-Info") != "api-usage=1/5" {
		t.Errorf("after midnight: %d %q", r.status, r.header.Get("Sforce-Limit-Info"))
	}

	t.Run("shape", func(t *testing.T) {
		g := setup(t)
		r := g.do(t, http.MethodGet, "/services/data/v60.0/limits", nil)
		g.goldenJSON(t, "limits.json", r.body)
	})
}
