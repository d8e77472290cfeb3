package web

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/api"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite/sqlitetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// cheapPasswords keep the tests' argon2id hashes fast; the costs do not
// change what the console does.
var cheapPasswords = access.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// password is every test person's password.
const password = "correct horse battery"

// fixture is the console and the API over a fresh SQLite database, the
// store the server runs on.
type fixture struct {
	t       testing.TB
	db      *store.Store
	store   api.Store
	handler http.Handler
	mu      sync.Mutex
	now     time.Time
}

func setup(t testing.TB, opts ...func(*Options)) *fixture {
	t.Helper()
	// The clock is the real time, fixed: browsers drop cookies that expired
	// by their own clock.
	f := &fixture{t: t, db: testDB(t), now: time.Now().UTC().Truncate(time.Second)}
	f.store = api.NewStore(f.db)
	apiSrv, err := api.New(api.Options{Store: f.store, Password: cheapPasswords, Now: f.clock,
		Logger: slog.New(slog.DiscardHandler), Sheets: f.db})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{API: apiSrv, Logger: slog.New(slog.DiscardHandler)}
	for _, fn := range opts {
		fn(&o)
	}
	if f.handler, err = New(o); err != nil {
		t.Fatal(err)
	}
	return f
}

// testDB returns a store on a new SQLite database, closed when the test
// ends.
func testDB(t testing.TB) *store.Store { return sqlitetest.Open(t) }

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// user creates a person with roles, directly in the store.
func (f *fixture) user(login string, roles ...access.Role) api.User {
	f.t.Helper()
	hash, err := cheapPasswords.HashPassword(password)
	if err != nil {
		f.t.Fatal(err)
	}
	nu := api.NewUser{Login: login, DisplayName: strings.ToUpper(login[:1]) + strings.Split(login, "@")[0][1:],
		PasswordHash: hash, Roles: access.RolesOf(roles...)}
	u, err := f.store.CreateUser(context.Background(), nu, api.AuditEntry{Action: "user.create", Subject: login, At: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// roles returns a person's roles as stored.
func (f *fixture) roles(id int64) access.Roles {
	f.t.Helper()
	u, err := f.store.User(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.Roles
}

// browser is a client of the console over TLS (the session cookie is
// Secure), with its own cookies, following redirects.
type browser struct {
	t      testing.TB
	srv    *httptest.Server
	client *http.Client
	header http.Header // sent with every request
}

// response is what a browser got after following redirects.
type response struct {
	status int
	path   string // the final URL's path and query
	body   string
	header http.Header
}

func (f *fixture) browser() *browser {
	f.t.Helper()
	srv := httptest.NewTLSServer(f.handler)
	f.t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	c := srv.Client()
	c.Jar = jar
	return &browser{t: f.t, srv: srv, client: c, header: http.Header{}}
}

// signedIn returns a browser signed in as login.
func (f *fixture) signedIn(login string) *browser {
	f.t.Helper()
	b := f.browser()
	if r := b.post("/signin", url.Values{"login": {login}, "password": {password}}); r.path != "/" {
		f.t.Fatalf("signing in as %s ended at %s (%d):\n%s", login, r.path, r.status, r.body)
	}
	return b
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: resp.StatusCode, path: resp.Request.URL.RequestURI(), body: string(body), header: resp.Header}
}

// has fails the test unless the body holds every want.
func (r response) has(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s (%d) does not show %q:\n%s", r.path, r.status, w, r.body)
		}
	}
}

// lacks fails the test if the body holds any of unwanted.
func (r response) lacks(t *testing.T, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(r.body, w) {
			t.Errorf("%s (%d) shows %q, which it should not", r.path, r.status, w)
		}
	}
}
