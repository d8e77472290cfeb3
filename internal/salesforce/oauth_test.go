package salesforce

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	o, err := NewOAuth(Config{LoginURL: SandboxLoginURL, ClientID: "3MVG9abc", RedirectURL: "https://sfbridge.example/oauth/callback",
		Scopes: []string{"api", "refresh_token"}})
	if err != nil {
		t.Fatal(err)
	}
	a := o.Authorize(AuthorizeOptions{Prompt: "login consent", LoginHint: "ada@example.com"})
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != SandboxLoginURL+"/services/oauth2/authorize" {
		t.Errorf("authorize endpoint = %s", got)
	}
	sum := sha256.Sum256([]byte(a.Verifier))
	want := map[string]string{
		"response_type":         "code",
		"client_id":             "3MVG9abc",
		"redirect_uri":          "https://sfbridge.example/oauth/callback",
		"scope":                 "api refresh_token",
		"state":                 a.State,
		"code_challenge":        base64.RawURLEncoding.EncodeToString(sum[:]),
		"code_challenge_method": "S256",
		"prompt":                "login consent",
		"login_hint":            "ada@example.com",
	}
	q := u.Query()
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("query has %d parameters, want %d: %v", len(q), len(want), q)
	}
	// RFC 7636 §4.1: 43-128 characters of [A-Za-z0-9-._~].
	if n := len(a.Verifier); n < 43 || n > 128 || strings.Trim(a.Verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
		t.Errorf("verifier %q is not a valid PKCE verifier", a.Verifier)
	}
	if len(a.State) < 16 {
		t.Errorf("state %q is too short to resist guessing", a.State)
	}
	b := o.Authorize(AuthorizeOptions{})
	if b.State == a.State || b.Verifier == a.Verifier {
		t.Error("two authorizations share state or verifier")
	}
}

func TestJWTAssertion(t *testing.T) {
	t.Parallel()
	key := rsaKey(t)
	o, err := NewOAuth(Config{LoginURL: "https://acme.my.salesforce.com", ClientID: "3MVG9abc"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	o.now = func() time.Time { return now }
	a, err := o.jwtAssertion("ada@example.com", key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q is not a JWS compact serialisation", a)
	}
	var header map[string]any
	decodeSegment(t, parts[0], &header)
	if header["alg"] != "RS256" {
		t.Errorf("header = %v, want alg RS256", header)
	}
	var claims map[string]any
	decodeSegment(t, parts[1], &claims)
	want := map[string]any{
		"iss": "3MVG9abc",
		"sub": "ada@example.com",
		"aud": ProductionLoginURL, // a string: My Domain production logins use login.salesforce.com
		"exp": float64(now.Add(3 * time.Minute).Unix()),
	}
	if fmt.Sprint(claims) != fmt.Sprint(want) {
		t.Errorf("claims = %v, want %v", claims, want)
	}
	// The signature verifies with the public key.
	_, err = jwt.Parse(a, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		t.Errorf("assertion does not verify: %v", err)
	}

	if _, err := o.jwtAssertion("", key); err == nil {
		t.Error("empty username accepted")
	}
	if _, err := o.jwtAssertion("ada@example.com", nil); err == nil {
		t.Error("nil key accepted")
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestParseRSAPrivateKey(t *testing.T) {
	t.Parallel()
	key := rsaKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for name, p := range map[string][]byte{"pkcs1": pkcs1, "pkcs8": pkcs8} {
		got, err := ParseRSAPrivateKey(p)
		if err != nil || !got.Equal(key) {
			t.Errorf("%s: ParseRSAPrivateKey = %v", name, err)
		}
	}
	if _, err := ParseRSAPrivateKey([]byte("not a key")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestFromOAuth2(t *testing.T) {
	t.Parallel()
	// The restforce auth_success_response.json fixture, plus refresh_token.
	raw := map[string]any{
		"id":           "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P",
		"issued_at":    "1278448832702",
		"instance_url": "https://na1.salesforce.com",
		"signature":    "0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=",
		"access_token": "00Dx0000000BV7z!AR8AQAxo9Uf",
		"scope":        "refresh_token full",
	}
	ot := (&oauth2.Token{AccessToken: "00Dx0000000BV7z!AR8AQAxo9Uf", RefreshToken: "5Aep861", TokenType: "Bearer"}).WithExtra(raw)
	tok, err := fromOAuth2(ot)
	if err != nil {
		t.Fatal(err)
	}
	want := Token{
		AccessToken: "00Dx0000000BV7z!AR8AQAxo9Uf", RefreshToken: "5Aep861", InstanceURL: "https://na1.salesforce.com",
		ID: raw["id"].(string), IssuedAt: time.UnixMilli(1278448832702).UTC(), Scope: "refresh_token full",
		TokenType: "Bearer", Signature: raw["signature"].(string),
	}
	if *tok != want {
		t.Errorf("fromOAuth2 = %+v\nwant %+v", *tok, want)
	}
	if tok.OrgID() != "00Dx0000000BV7z" || tok.UserID() != "005x00000012Q9P" {
		t.Errorf("OrgID, UserID = %q, %q", tok.OrgID(), tok.UserID())
	}

	for name, bad := range map[string]string{"missing": "", "not https": "http://na1.salesforce.com", "path": "https://na1.salesforce.com/x"} {
		raw := map[string]any{"instance_url": bad}
		if _, err := fromOAuth2((&oauth2.Token{AccessToken: "x"}).WithExtra(raw)); err == nil {
			t.Errorf("%s instance_url accepted", name)
		}
	}
}

// tokenEndpoint serves POST /services/oauth2/token with check, which sees
// the form and returns the status and body to answer.
func (o *org) tokenEndpoint(t *testing.T, check func(form url.Values) (int, string)) {
	o.HandleFunc("POST /services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("token request Content-Type = %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("token request form: %v", err)
		}
		status, body := check(r.PostForm)
		writeJSON(w, status, body)
	})
}

func (o *org) tokenBody(access string, refresh bool) string {
	m := map[string]string{
		"access_token": access, "instance_url": o.srv.URL, "token_type": "Bearer", "issued_at": "1278448832702",
		"id": "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P", "signature": "c2ln",
	}
	if refresh {
		m["refresh_token"] = "5Aep861"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestExchangeWithPKCE(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	cfg := o.config()
	cfg.ClientSecret, cfg.RedirectURL = "s3cret", "https://sfbridge.example/cb"
	oa, err := NewOAuth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := oa.Authorize(AuthorizeOptions{})
	au, _ := url.Parse(a.URL)
	challenge := au.Query().Get("code_challenge")
	o.tokenEndpoint(t, func(f url.Values) (int, string) {
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case f.Get("grant_type") != "authorization_code" || f.Get("code") != "aPrx123" ||
			f.Get("client_id") != "3MVG9test" || f.Get("client_secret") != "s3cret" || f.Get("redirect_uri") != "https://sfbridge.example/cb":
			return 400, `{"error":"invalid_request","error_description":"unexpected form"}`
		case base64.RawURLEncoding.EncodeToString(sum[:]) != challenge:
			return 400, `{"error":"invalid_grant","error_description":"invalid code verifier"}`
		}
		return 200, o.tokenBody("00Dx!new", true)
	})
	tok, err := oa.Exchange(t.Context(), "aPrx123", a.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "00Dx!new" || tok.RefreshToken != "5Aep861" || tok.InstanceURL != o.srv.URL {
		t.Errorf("token = %+v", tok)
	}
	_, err = oa.Exchange(t.Context(), "aPrx123", "wrong-verifier-wrong-verifier-wrong-verifier")
	if !errors.Is(err, ErrNeedsReauth) || !IsCode(err, "invalid_grant") {
		t.Errorf("bad verifier: err = %v, want invalid_grant", err)
	}
	if got := oa.cfg.Calls.Auth(); got != 2 {
		t.Errorf("auth calls = %d, want 2", got)
	}
}

func TestPasswordAndRefresh(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.tokenEndpoint(t, func(f url.Values) (int, string) {
		switch f.Get("grant_type") {
		case "password":
			if f.Get("username") == "ada@example.com" && f.Get("password") == "pwTOKEN" {
				return 200, o.tokenBody("00Dx!pw", true)
			}
			return 400, `{"error":"invalid_grant","error_description":"authentication failure"}`
		case "refresh_token":
			if f.Get("refresh_token") == "5Aep861" {
				return 200, o.tokenBody("00Dx!refreshed", false) // Salesforce does not resend the refresh token
			}
			return 400, `{"error":"invalid_grant","error_description":"expired access/refresh token"}`
		}
		return 400, `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`
	})
	oa, err := NewOAuth(o.config())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := oa.Password(t.Context(), "ada@example.com", "pwTOKEN")
	if err != nil || tok.AccessToken != "00Dx!pw" {
		t.Fatalf("Password = %+v, %v", tok, err)
	}
	if _, err := oa.Password(t.Context(), "ada@example.com", "wrong"); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("wrong password: %v", err)
	}
	tok, err = oa.Refresh(t.Context(), "5Aep861")
	if err != nil || tok.AccessToken != "00Dx!refreshed" || tok.RefreshToken != "5Aep861" {
		t.Fatalf("Refresh = %+v, %v; want the refresh token kept", tok, err)
	}
	_, err = oa.Refresh(t.Context(), "revoked")
	oe, ok := errors.AsType[*OAuthError](err)
	if !errors.Is(err, ErrNeedsReauth) || !ok || oe.Status != 400 || oe.Description != "expired access/refresh token" {
		t.Errorf("revoked refresh: %v (%+v)", err, oe)
	}
	if _, err := oa.Refresh(t.Context(), ""); !errors.Is(err, ErrNeedsReauth) {
		t.Errorf("empty refresh token: %v", err)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.tokenEndpoint(t, func(f url.Values) (int, string) {
		if f.Get("grant_type") != "client_credentials" || f.Get("client_id") != "3MVG9test" || f.Get("client_secret") != "s3cret" {
			return 400, `{"error":"invalid_client","error_description":"invalid client credentials"}`
		}
		return 200, o.tokenBody("00Dx!cc", false)
	})
	cfg := o.config()
	cfg.ClientSecret = "s3cret"
	oa, _ := NewOAuth(cfg)
	tok, err := oa.ClientCredentials(t.Context())
	if err != nil || tok.AccessToken != "00Dx!cc" {
		t.Fatalf("ClientCredentials = %+v, %v", tok, err)
	}

	cfg.LoginURL = ProductionLoginURL
	oa, _ = NewOAuth(cfg)
	_, err = oa.ClientCredentials(t.Context())
	if err == nil || !strings.Contains(err.Error(), "My Domain") {
		t.Errorf("client credentials on login.salesforce.com: %v, want an error pointing at My Domain", err)
	}
	if oa.cfg.Calls.Auth() != 0 {
		t.Error("a request was sent to login.salesforce.com")
	}
}

func TestJWTBearerFlow(t *testing.T) {
	t.Parallel()
	key := rsaKey(t)
	o := newOrg(t)
	o.tokenEndpoint(t, func(f url.Values) (int, string) {
		if f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			return 400, `{"error":"unsupported_grant_type"}`
		}
		if len(f) != 2 {
			return 400, `{"error":"invalid_request","error_description":"unexpected parameters"}`
		}
		claims := jwt.MapClaims{}
		_, err := jwt.ParseWithClaims(f.Get("assertion"), claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(o.srv.URL), jwt.WithIssuer("3MVG9test"), jwt.WithExpirationRequired())
		if err != nil {
			return 400, `{"error":"invalid_grant","error_description":"invalid assertion"}`
		}
		if claims["sub"] != "ada@example.com" {
			return 400, `{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}`
		}
		return 200, o.tokenBody("00Dx!jwt", false)
	})
	oa, _ := NewOAuth(o.config())
	tok, err := oa.JWTBearer(t.Context(), "ada@example.com", key)
	if err != nil || tok.AccessToken != "00Dx!jwt" {
		t.Fatalf("JWTBearer = %+v, %v", tok, err)
	}
	_, err = oa.JWTBearer(t.Context(), "bob@example.com", key)
	if !errors.Is(err, ErrNeedsReauth) || !strings.Contains(err.Error(), "approved") {
		t.Errorf("unapproved user: %v", err)
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("POST /services/oauth2/revoke", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("token") == "5Aep861" {
			w.WriteHeader(200)
			return
		}
		writeJSON(w, 400, `{"error":"invalid_token","error_description":"invalid token"}`)
	})
	oa, _ := NewOAuth(o.config())
	if err := oa.Revoke(t.Context(), "5Aep861"); err != nil {
		t.Errorf("Revoke = %v", err)
	}
	if err := oa.Revoke(t.Context(), "nope"); !IsCode(err, "invalid_token") {
		t.Errorf("Revoke(unknown) = %v, want invalid_token", err)
	}
}
