package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

const testOrgID = "00D000000000001AAA"

// directory is an in-memory Directory for tests.
type directory struct {
	users     []User
	passwords map[string]string // by username
}

func (d *directory) Authenticate(username, password string) (User, bool) {
	u, ok := d.UserByUsername(username)
	if !ok || d.passwords[u.Username] != password {
		return User{}, false
	}
	return u, true
}

func (d *directory) UserByID(id string) (User, bool) {
	for _, u := range d.users {
		if u.ID == id || (len(id) == 15 && u.ID[:15] == id) {
			return u, true
		}
	}
	return User{}, false
}

func (d *directory) UserByUsername(username string) (User, bool) {
	for _, u := range d.users {
		if strings.EqualFold(u.Username, username) {
			return u, true
		}
	}
	return User{}, false
}

const (
	adminID    = "005000000000001AAA"
	userID     = "005000000000002AAA"
	inactiveID = "005000000000003AAA"
)

func testDirectory() *directory {
	return &directory{
		users: []User{
			{ID: adminID, Username: "admin@example.com", FirstName: "Ada", LastName: "Admin", Email: "admin@example.com",
				Active: true, Profile: "System Administrator", TimeZone: "America/Los_Angeles"},
			{ID: userID, Username: "user@example.com", FirstName: "Sam", LastName: "User", Email: "user@example.com",
				Active: true, Profile: "Standard User"},
			{ID: inactiveID, Username: "gone@example.com", LastName: "Gone", Active: false, Profile: "Standard User"},
		},
		passwords: map[string]string{"admin@example.com": "sfbridge", "user@example.com": "sfbridge", "gone@example.com": "sfbridge"},
	}
}

// thirdApp is an app without pre-authorized profiles: users must consent.
var thirdApp = ConnectedApp{
	Name: "Third Party", ConsumerKey: "third", ConsumerSecret: "third-secret",
	CallbackURLs: []string{"https://app.example.com/cb"},
	Scopes:       []string{"api", "id", "refresh_token"},
}

type fixture struct {
	srv   *Server
	http  *httptest.Server
	clock *clock.Clock
}

// login opens a session for username through the development app and
// returns its access token.
func (f *fixture) login(t *testing.T, username string) string {
	t.Helper()
	token, _, err := f.srv.Login(DevConsumerKey, username)
	if err != nil {
		t.Fatalf("logging %s in: %v", username, err)
	}
	return token
}

func setup(t *testing.T) *fixture {
	t.Helper()
	clk := clock.New()
	srv, err := NewServer(Config{OrgID: testOrgID, Users: testDirectory(), Clock: clk, LoginNotice: "admin@example.com / sfbridge"})
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []ConnectedApp{DevApp(), thirdApp} {
		if err := srv.RegisterApp(app); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &fixture{srv: srv, http: hs, clock: clk}
}

// noRedirect is an HTTP client that keeps cookies and does not follow redirects.
func noRedirect(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return m
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func (f *fixture) post(t *testing.T, path string, form url.Values) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, nil, req)
}

func (f *fixture) token(t *testing.T, form url.Values) reply {
	t.Helper()
	return f.post(t, "/services/oauth2/token", form)
}

func passwordForm(username, password string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {DevConsumerKey}, "client_secret": {DevConsumerSecret},
		"username": {username}, "password": {password}}
}

// redactTokens replaces the random and time-dependent values of a token
// response, keeping its key order, so it can be compared with a golden file.
func redactTokens(t *testing.T, f *fixture, body []byte) []byte {
	t.Helper()
	redacted := regexp.MustCompile(`"(access_token|refresh_token|signature|issued_at)":"[^"]*"`).
		ReplaceAll(body, []byte(`"$1":"REDACTED"`))
	return golden.IndentJSON(t, bytes.ReplaceAll(redacted, []byte(f.http.URL), []byte("http://emulator")))
}

var tokenShape = regexp.MustCompile(`^00D000000000001!AQ[A-Za-z0-9._]{94}$`)

func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.token(t, passwordForm("admin@example.com", "sfbridge"))
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	m := r.json(t)
	if !tokenShape.MatchString(m["access_token"].(string)) {
		t.Errorf("access token %q does not look like <15-char org id>!<opaque>", m["access_token"])
	}
	if _, ok := m["refresh_token"]; ok {
		t.Error("the password flow must not issue a refresh token")
	}
	if want := Signature(m["id"].(string), m["issued_at"].(string), DevConsumerSecret); m["signature"] != want {
		t.Errorf("signature = %v, want %v", m["signature"], want)
	}
	golden.Check(t, "testdata/golden/token-password.json", redactTokens(t, f, r.body))

	sess, err := f.srv.Lookup(m["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if sess.UserID != adminID || !sess.HasScope("api") || sess.HasScope("refresh_token") {
		t.Errorf("session = %+v", sess)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	with := func(form url.Values, k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range form {
			out[kk] = vv
		}
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	good := passwordForm("admin@example.com", "sfbridge")
	thirdOnly := passwordForm("user@example.com", "sfbridge")
	thirdOnly.Set("client_id", "admin-only")
	thirdOnly.Set("client_secret", "s")
	if err := f.srv.RegisterApp(ConnectedApp{ConsumerKey: "admin-only", ConsumerSecret: "s",
		PreAuthorizedProfiles: []string{"System Administrator"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		form       url.Values
		code, desc string
	}{
		{"no grant type", with(good, "grant_type", ""), "invalid_request", "grant type is missing"},
		{"unknown grant type", with(good, "grant_type", "implicit"), "unsupported_grant_type", "grant type not supported"},
		{"unknown client", with(good, "client_id", "nobody"), "invalid_client_id", "client identifier invalid"},
		{"wrong secret", with(good, "client_secret", "nope"), "invalid_client", "invalid client credentials"},
		{"missing secret", with(good, "client_secret", ""), "invalid_client", "invalid client credentials"},
		{"wrong password", with(good, "password", "nope"), "invalid_grant", "authentication failure"},
		{"unknown user", with(good, "username", "who@example.com"), "invalid_grant", "authentication failure"},
		{"inactive user", with(good, "username", "gone@example.com"), "inactive_user", "user is inactive"},
		{"profile not admin approved", thirdOnly, "invalid_app_access", "user is not admin approved to access this app"},
		{"bad refresh token", url.Values{"grant_type": {"refresh_token"}, "client_id": {DevConsumerKey}, "refresh_token": {"5Aep861nope"}},
			"invalid_grant", "expired access/refresh token"},
		{"bad code", url.Values{"grant_type": {"authorization_code"}, "client_id": {DevConsumerKey}, "client_secret": {DevConsumerSecret},
			"code": {"aPrxnope"}, "redirect_uri": {DevCallbackURL}}, "invalid_grant", "invalid authorization code"},
		{"client credentials without run-as user", url.Values{"grant_type": {"client_credentials"}, "client_id": {DevConsumerKey},
			"client_secret": {DevConsumerSecret}}, "invalid_grant", "no client credentials user enabled"},
		{"jwt without assertion", url.Values{"grant_type": {JWTBearerGrant}}, "invalid_grant", "invalid assertion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.token(t, tt.form)
			if r.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", r.status)
			}
			want := map[string]any{"error": tt.code, "error_description": tt.desc}
			if diff := cmp.Diff(want, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("GET", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, f.http.URL+"/services/oauth2/token?grant_type=password", nil)
		r := do(t, nil, req)
		golden.Check(t, "testdata/golden/token-error-get.json", append(r.body, '\n'))
		if r.status != http.StatusBadRequest {
			t.Errorf("status = %d", r.status)
		}
	})
}

func TestResponseFormats(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, format, accept, wantType string
	}{
		{"default json", "", "", "application/json;charset=UTF-8"},
		{"format=urlencoded", "urlencoded", "", "application/x-www-form-urlencoded;charset=UTF-8"},
		{"accept urlencoded", "", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded;charset=UTF-8"},
		{"format=xml", "xml", "", "application/xml;charset=UTF-8"},
		{"format wins over accept", "json", "application/xml", "application/json;charset=UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, password := range []string{"sfbridge", "wrong"} {
				form := passwordForm("user@example.com", password)
				if tt.format != "" {
					form.Set("format", tt.format)
				}
				req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/services/oauth2/token", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tt.accept != "" {
					req.Header.Set("Accept", tt.accept)
				}
				r := do(t, nil, req)
				if got := r.header.Get("Content-Type"); got != tt.wantType {
					t.Errorf("password %q: Content-Type = %q, want %q", password, got, tt.wantType)
				}
				body := string(r.body)
				wantPart := map[bool]string{true: "access_token", false: "invalid_grant"}[password == "sfbridge"]
				if !strings.Contains(body, wantPart) {
					t.Errorf("password %q: body %s lacks %s", password, body, wantPart)
				}
				if strings.HasPrefix(tt.wantType, "application/x-www-form-urlencoded") {
					if _, err := url.ParseQuery(body); err != nil {
						t.Errorf("body is not urlencoded: %v", err)
					}
				}
			}
		})
	}
}

// webLogin runs the browser part of the web-server flow for the dev app
// and returns the callback URL the browser lands on.
func webLogin(t *testing.T, f *fixture, c *http.Client, params url.Values) *url.URL {
	t.Helper()
	r := do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`id="login"`)) {
		t.Fatalf("authorize: status %d, want the login page:\n%s", r.status, r.body)
	}
	form := formFields(t, r.body)
	form.Set("username", "admin@example.com")
	form.Set("password", "sfbridge")
	r = postForm(t, c, f.http.URL+"/services/oauth2/authorize", form)
	for r.status == http.StatusFound {
		loc, err := url.Parse(r.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if loc.Path != "/services/oauth2/authorize" {
			return loc
		}
		r = do(t, c, mustGet(f.http.URL+loc.String()))
	}
	t.Fatalf("expected a redirect to the callback, got %d:\n%s", r.status, r.body)
	return nil
}

func mustGet(u string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		panic(err)
	}
	return req
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

var inputRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formFields reads the hidden inputs of one of our pages.
func formFields(t *testing.T, page []byte) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range inputRE.FindAllSubmatch(page, -1) {
		v.Set(string(m[1]), htmlUnescape(string(m[2])))
	}
	if len(v) == 0 {
		t.Fatalf("no hidden inputs in page:\n%s", page)
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&#43;", "+").Replace(s)
}

func TestWebServerFlow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := noRedirect(t)
	callback := "http://127.0.0.1:43123/callback"
	cb := webLogin(t, f, c, url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey},
		"redirect_uri": {callback}, "state": {"xyz&1"}})
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != callback {
		t.Fatalf("landed on %s, want %s", got, callback)
	}
	if cb.Query().Get("state") != "xyz&1" {
		t.Errorf("state = %q", cb.Query().Get("state"))
	}
	code := cb.Query().Get("code")
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {DevConsumerKey},
		"client_secret": {DevConsumerSecret}, "redirect_uri": {callback}}
	r := f.token(t, exchange)
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/token-authorization-code.json", redactTokens(t, f, r.body))
	tok := r.json(t)

	t.Run("code is single use", func(t *testing.T) {
		r := f.token(t, exchange)
		if want := `{"error":"invalid_grant","error_description":"invalid authorization code"}`; string(r.body) != want {
			t.Errorf("reuse: %s", r.body)
		}
	})

	t.Run("refresh", func(t *testing.T) {
		r := f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
			"client_id": {DevConsumerKey}, "client_secret": {DevConsumerSecret}})
		if r.status != http.StatusOK {
			t.Fatalf("refresh: %d %s", r.status, r.body)
		}
		golden.Check(t, "testdata/golden/token-refresh.json", redactTokens(t, f, r.body))
		if r.json(t)["access_token"] == tok["access_token"] {
			t.Error("refresh returned the same access token")
		}
	})

	t.Run("a second authorize skips the login", func(t *testing.T) {
		r := do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+url.Values{"response_type": {"code"},
			"client_id": {DevConsumerKey}, "redirect_uri": {"http://localhost:9/callback"}}.Encode()))
		loc, _ := url.Parse(r.header.Get("Location"))
		if r.status != http.StatusFound || loc.Host != "localhost:9" || loc.Query().Get("code") == "" {
			t.Errorf("got %d Location %q", r.status, r.header.Get("Location"))
		}
	})

	t.Run("prompt=login shows the login page again", func(t *testing.T) {
		r := do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+url.Values{"response_type": {"code"},
			"client_id": {DevConsumerKey}, "redirect_uri": {callback}, "prompt": {"login"}}.Encode()))
		if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`id="login"`)) {
			t.Errorf("got %d:\n%s", r.status, r.body)
		}
	})
}

func TestAuthorizationCodeChecks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))
	s256 := base64.RawURLEncoding.EncodeToString(sum[:])
	callback := "http://127.0.0.1:8080/callback"

	tests := []struct {
		name      string
		authorize url.Values // added to the authorize request
		exchange  url.Values // replaces fields of the exchange
		advance   time.Duration
		wantErr   string // "" = success; else error:description
	}{
		{name: "secret, no PKCE"},
		{name: "S256 without secret", authorize: url.Values{"code_challenge": {s256}, "code_challenge_method": {"S256"}},
			exchange: url.Values{"client_secret": {""}, "code_verifier": {verifier}}},
		{name: "S256 is the default method", authorize: url.Values{"code_challenge": {s256}},
			exchange: url.Values{"client_secret": {""}, "code_verifier": {verifier}}},
		{name: "plain", authorize: url.Values{"code_challenge": {verifier}, "code_challenge_method": {"plain"}},
			exchange: url.Values{"code_verifier": {verifier}}},
		{name: "no secret, no PKCE", exchange: url.Values{"client_secret": {""}},
			wantErr: "invalid_client:invalid client credentials"},
		{name: "missing verifier", authorize: url.Values{"code_challenge": {s256}},
			wantErr: "invalid_grant:invalid code verifier"},
		{name: "wrong verifier", authorize: url.Values{"code_challenge": {s256}}, exchange: url.Values{"code_verifier": {"wrong"}},
			wantErr: "invalid_request:invalid code verifier"},
		{name: "redirect_uri differs", exchange: url.Values{"redirect_uri": {"http://127.0.0.1:9999/callback"}},
			wantErr: "redirect_uri_mismatch:redirect_uri must match configuration"},
		{name: "expired code", advance: 16 * time.Minute, wantErr: "invalid_grant:expired authorization code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey}, "redirect_uri": {callback}}
			for k, v := range tt.authorize {
				params[k] = v
			}
			cb := webLogin(t, f, noRedirect(t), params)
			exchange := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
				"client_id": {DevConsumerKey}, "client_secret": {DevConsumerSecret}, "redirect_uri": {callback}}
			for k, v := range tt.exchange {
				if v[0] == "" {
					exchange.Del(k)
				} else {
					exchange[k] = v
				}
			}
			f.clock.Advance(tt.advance)
			r := f.token(t, exchange)
			m := r.json(t)
			if tt.wantErr == "" {
				if r.status != http.StatusOK || m["refresh_token"] == nil {
					t.Errorf("got %d %s", r.status, r.body)
				}
				return
			}
			if got := m["error"].(string) + ":" + m["error_description"].(string); got != tt.wantErr || r.status != 400 {
				t.Errorf("got %d %s, want %s", r.status, got, tt.wantErr)
			}
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base := url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey}, "redirect_uri": {DevCallbackURL}, "state": {"s1"}}
	tests := []struct {
		name   string
		change url.Values
		// page errors render HTML with this code; redirect errors go to the callback
		pageCode, redirectCode string
	}{
		{"unknown client", url.Values{"client_id": {"nobody"}}, "invalid_client_id", ""},
		{"missing redirect", url.Values{"redirect_uri": {""}}, "redirect_uri_missing", ""},
		{"redirect not registered", url.Values{"redirect_uri": {"https://evil.example.com/callback"}}, "redirect_uri_mismatch", ""},
		{"https loopback is not the registered http callback", url.Values{"redirect_uri": {"https://127.0.0.1:5/callback"}}, "redirect_uri_mismatch", ""},
		{"other path on loopback", url.Values{"redirect_uri": {"http://127.0.0.1:5/other"}}, "redirect_uri_mismatch", ""},
		{"token response type", url.Values{"response_type": {"token"}}, "", "unsupported_response_type"},
		{"scope not allowed", url.Values{"client_id": {"third"}, "redirect_uri": {"https://app.example.com/cb"}, "scope": {"api web"}}, "", "invalid_scope"},
		{"bad challenge method", url.Values{"code_challenge": {"abc"}, "code_challenge_method": {"S512"}}, "", "invalid_request"},
		{"immediate without login", url.Values{"immediate": {"true"}}, "", "immediate_unsuccessful"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := url.Values{}
			for k, v := range base {
				params[k] = v
			}
			for k, v := range tt.change {
				if v[0] == "" {
					params.Del(k)
				} else {
					params[k] = v
				}
			}
			r := do(t, noRedirect(t), mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
			if tt.pageCode != "" {
				if r.status != http.StatusBadRequest || !bytes.Contains(r.body, []byte("error="+tt.pageCode)) {
					t.Errorf("got %d, want an error page with %s:\n%s", r.status, tt.pageCode, r.body)
				}
				return
			}
			loc, _ := url.Parse(r.header.Get("Location"))
			if r.status != http.StatusFound || loc.Query().Get("error") != tt.redirectCode || loc.Query().Get("state") != "s1" {
				t.Errorf("got %d Location %q, want error=%s with state", r.status, r.header.Get("Location"), tt.redirectCode)
			}
		})
	}
}

func TestLoginPage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := noRedirect(t)
	params := url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey}, "redirect_uri": {DevCallbackURL},
		"state": {`"><script>alert(1)</script>`}, "login_hint": {"admin@example.com"}}
	r := do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
	golden.Check(t, "testdata/golden/login.html", r.body)
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	form := formFields(t, r.body)
	if form.Get("state") != params.Get("state") {
		t.Errorf("state round trip: %q", form.Get("state"))
	}
	form.Set("username", "admin@example.com")
	form.Set("password", "wrong")
	r = postForm(t, c, f.http.URL+"/services/oauth2/authorize", form)
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`id="error"`)) {
		t.Errorf("wrong password: %d\n%s", r.status, r.body)
	}

	t.Run("cross-origin post refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/services/oauth2/authorize", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := do(t, c, req); r.status != http.StatusForbidden {
			t.Errorf("status = %d, want 403", r.status)
		}
	})
}

func TestConsent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := noRedirect(t)
	params := url.Values{"response_type": {"code"}, "client_id": {"third"}, "redirect_uri": {"https://app.example.com/cb"}, "state": {"st"}}
	// Log in first (the login page leads to the consent page).
	r := do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
	form := formFields(t, r.body)
	form.Set("username", "user@example.com")
	form.Set("password", "sfbridge")
	r = postForm(t, c, f.http.URL+"/services/oauth2/authorize", form)
	r = do(t, c, mustGet(f.http.URL+r.header.Get("Location")))
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`id="consent"`)) {
		t.Fatalf("want the consent page, got %d:\n%s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/consent.html", r.body)
	consent := formFields(t, r.body)

	deny := url.Values{"action": {"deny"}}
	allow := url.Values{"action": {"allow"}}
	for k, v := range consent {
		deny[k], allow[k] = v, v
	}
	r = postForm(t, c, f.http.URL+"/services/oauth2/authorize", deny)
	want := "https://app.example.com/cb?error=access_denied&error_description=end-user+denied+authorization&state=st"
	if got := r.header.Get("Location"); got != want {
		t.Errorf("deny: Location = %q, want %q", got, want)
	}
	r = postForm(t, c, f.http.URL+"/services/oauth2/authorize", allow)
	loc, _ := url.Parse(r.header.Get("Location"))
	if loc.Query().Get("code") == "" {
		t.Fatalf("allow: Location = %q", r.header.Get("Location"))
	}
	// Approved once: the next authorize goes straight back with a code...
	r = do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
	if loc, _ := url.Parse(r.header.Get("Location")); r.status != http.StatusFound || loc.Query().Get("code") == "" {
		t.Errorf("second authorize: %d %q", r.status, r.header.Get("Location"))
	}
	// ...unless prompt=consent.
	params.Set("prompt", "consent")
	r = do(t, c, mustGet(f.http.URL+"/services/oauth2/authorize?"+params.Encode()))
	if !bytes.Contains(r.body, []byte(`id="consent"`)) {
		t.Errorf("prompt=consent: %d %s", r.status, r.body)
	}
}

func TestSessionTimeout(t *testing.T) {
	t.Parallel()
	f := setup(t)
	token := f.login(t, "user@example.com")
	f.clock.Advance(DefaultSessionTimeout - time.Minute)
	if _, err := f.srv.Lookup(token); err != nil {
		t.Fatalf("before the timeout: %v", err)
	}
	f.clock.Advance(DefaultSessionTimeout - time.Minute) // use above kept it alive
	if _, err := f.srv.Lookup(token); err != nil {
		t.Fatalf("use should extend the session: %v", err)
	}
	f.clock.Advance(DefaultSessionTimeout)
	if _, err := f.srv.Lookup(token); err != ErrInvalidSession {
		t.Fatalf("after the timeout: err = %v, want ErrInvalidSession", err)
	}
}

func TestAuthenticateHeader(t *testing.T) {
	t.Parallel()
	f := setup(t)
	token := f.login(t, "admin@example.com")
	tests := []struct {
		header  string
		wantErr error
	}{
		{"Bearer " + token, nil},
		{"OAuth " + token, nil},
		{"bearer " + token, nil},
		{"Bearer  " + token + " ", nil},
		{"", ErrInvalidSession},
		{"Bearer", ErrInvalidSession},
		{"Bearer 00D000000000001!AQnope", ErrInvalidSession},
		{"Basic YWRtaW46c2VjcmV0", ErrInvalidAuthHeader},
		{token, ErrInvalidAuthHeader},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/services/data/v66.0/", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		sess, err := f.srv.Authenticate(req)
		if err != tt.wantErr {
			t.Errorf("%q: err = %v, want %v", tt.header, err, tt.wantErr)
		}
		if err == nil && sess.Username != "admin@example.com" {
			t.Errorf("%q: session = %+v", tt.header, sess)
		}
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cb := webLogin(t, f, noRedirect(t), url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey}, "redirect_uri": {DevCallbackURL}})
	tok := f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "client_id": {DevConsumerKey},
		"client_secret": {DevConsumerSecret}, "redirect_uri": {DevCallbackURL}}).json(t)
	refresh := tok["refresh_token"].(string)
	second := f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {DevConsumerKey}}).json(t)
	other := f.login(t, "user@example.com")

	if r := f.post(t, "/services/oauth2/revoke", url.Values{"token": {refresh}}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	for _, access := range []any{tok["access_token"], second["access_token"]} {
		if _, err := f.srv.Lookup(access.(string)); err != ErrInvalidSession {
			t.Errorf("access token from the revoked refresh token still works (err %v)", err)
		}
	}
	if _, err := f.srv.Lookup(other); err != nil {
		t.Errorf("unrelated session revoked: %v", err)
	}
	r := f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {DevConsumerKey}})
	if r.json(t)["error_description"] != "expired access/refresh token" {
		t.Errorf("refresh after revoke: %s", r.body)
	}
	// GET ?token= revokes an access token.
	if r := do(t, nil, mustGet(f.http.URL+"/services/oauth2/revoke?token="+url.QueryEscape(other))); r.status != http.StatusOK {
		t.Errorf("GET revoke: %d", r.status)
	}
	if r := f.post(t, "/services/oauth2/revoke", url.Values{"token": {other}}); r.status != http.StatusBadRequest ||
		r.json(t)["error"] != "invalid_token" {
		t.Errorf("revoking a dead token: %d %s", r.status, r.body)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	f := setup(t)
	app := ConnectedApp{ConsumerKey: "cc", ConsumerSecret: "cc-secret", Scopes: []string{"api", "refresh_token"}, RunAsUsername: "user@example.com"}
	if err := f.srv.RegisterApp(app); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/services/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("cc", "cc-secret")
	r := do(t, nil, req)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/token-client-credentials.json", redactTokens(t, f, r.body))
	sess, err := f.srv.Lookup(r.json(t)["access_token"].(string))
	if err != nil || sess.UserID != userID {
		t.Errorf("session %+v, %v", sess, err)
	}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.clock.Set(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)) // winter: Los Angeles is UTC-8
	tok := f.token(t, passwordForm("admin@example.com", "sfbridge")).json(t)
	access := tok["access_token"].(string)
	get := func(u, token string) reply {
		req := mustGet(u)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return do(t, nil, req)
	}
	r := get(tok["id"].(string), access)
	if r.status != http.StatusOK {
		t.Fatalf("identity: %d %s", r.status, r.body)
	}
	golden.Check(t, "testdata/golden/identity.json", golden.IndentJSON(t, bytes.ReplaceAll(r.body, []byte(f.http.URL), []byte("http://emulator"))))
	r = get(f.http.URL+"/services/oauth2/userinfo", access)
	golden.Check(t, "testdata/golden/userinfo.json", golden.IndentJSON(t, bytes.ReplaceAll(r.body, []byte(f.http.URL), []byte("http://emulator"))))

	tests := []struct {
		name, url, token string
		status           int
		body             string
	}{
		{"no token", tok["id"].(string), "", 403, "Bad_OAuth_Token"},
		{"wrong org", f.http.URL + "/id/00D000000000002AAA/" + adminID, access, 403, "Wrong_Org"},
		{"unknown user", f.http.URL + "/id/" + testOrgID + "/005000000000009AAA", access, 404, "Bad_Id"},
		{"userinfo without token", f.http.URL + "/services/oauth2/userinfo", "", 403, "Bad_OAuth_Token"},
	}
	for _, tt := range tests {
		if r := get(tt.url, tt.token); r.status != tt.status || string(r.body) != tt.body {
			t.Errorf("%s: %d %q, want %d %q", tt.name, r.status, r.body, tt.status, tt.body)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cb := webLogin(t, f, noRedirect(t), url.Values{"response_type": {"code"}, "client_id": {DevConsumerKey}, "redirect_uri": {DevCallbackURL}})
	tok := f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "client_id": {DevConsumerKey},
		"client_secret": {DevConsumerSecret}, "redirect_uri": {DevCallbackURL}}).json(t)
	var saved bytes.Buffer
	if err := f.srv.Save(&saved); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(saved.String(), tok["refresh_token"].(string)) {
		t.Error("the snapshot holds a refresh token in clear")
	}

	g := setup(t) // a restarted emulator
	if err := g.srv.RemoveApp("third"); err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Load(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatal(err)
	}
	if _, err := g.srv.Lookup(tok["access_token"].(string)); err != ErrInvalidSession {
		t.Errorf("access tokens must not survive a restart (err %v)", err)
	}
	r := g.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {DevConsumerKey}, "client_secret": {DevConsumerSecret}})
	if r.status != http.StatusOK {
		t.Errorf("refresh after restart: %d %s", r.status, r.body)
	}
	if len(g.srv.Apps()) != 2 {
		t.Errorf("apps after load: %+v", g.srv.Apps())
	}

	bad := []struct{ name, snap string }{
		{"future version", `{"version":2,"apps":[],"refreshTokens":[],"approvals":[]}`},
		{"unknown field", `{"version":1,"apps":[],"tokens":[]}`},
		{"refresh token of unknown app", `{"version":1,"apps":[],"refreshTokens":[{"hash":"x","appKey":"gone","userId":"u","scopes":[]}]}`},
		{"invalid app", `{"version":1,"apps":[{"name":"x"}]}`},
	}
	for _, b := range bad {
		if err := g.srv.Load(strings.NewReader(b.snap)); err == nil {
			t.Errorf("%s: Load accepted %s", b.name, b.snap)
		}
	}
}
