package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

// testKey returns an RSA key and a self-signed PEM certificate for it.
func testKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jwt test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestJWTBearer(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key, cert := testKey(t)
	other, _ := testKey(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	apps := []ConnectedApp{
		{ConsumerKey: "jwt-admin", ConsumerSecret: "x", Scopes: []string{"api", "refresh_token"}, Certificate: cert,
			PreAuthorizedProfiles: []string{"System Administrator"}},
		{ConsumerKey: "jwt-pubkey", ConsumerSecret: "x", Scopes: []string{"api"}, Certificate: pubPEM,
			PreAuthorizedProfiles: []string{"Standard User"}},
		{ConsumerKey: "jwt-self", ConsumerSecret: "x", Scopes: []string{"api", "refresh_token"}, Certificate: cert,
			CallbackURLs: []string{"https://app.example.com/cb"}},
		{ConsumerKey: "no-cert", ConsumerSecret: "x"},
	}
	for _, a := range apps {
		if err := f.srv.RegisterApp(a); err != nil {
			t.Fatal(err)
		}
	}
	now := f.clock.Now()
	sign := func(k *rsa.PrivateKey, method jwt.SigningMethod, c jwt.MapClaims) string {
		var signKey any = k
		if method == jwt.SigningMethodHS256 {
			signKey = []byte("secret")
		}
		s, err := jwt.NewWithClaims(method, c).SignedString(signKey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(iss, sub, aud string, exp time.Time) jwt.MapClaims {
		c := jwt.MapClaims{"iss": iss, "sub": sub, "aud": aud}
		if !exp.IsZero() {
			c["exp"] = exp.Unix()
		}
		return c
	}
	soon := now.Add(3 * time.Minute)
	login := "https://login.salesforce.com"
	tests := []struct {
		name      string
		assertion string
		wantUser  string // "" means an error is expected
		wantErr   string
	}{
		{"pre-authorized admin", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", login, soon)), adminID, ""},
		{"test.salesforce.com audience", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", "https://test.salesforce.com", soon)), adminID, ""},
		{"emulator URL audience", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", f.http.URL, soon)), adminID, ""},
		{"public key instead of certificate", sign(key, jwt.SigningMethodRS256, claims("jwt-pubkey", "user@example.com", login, soon)), userID, ""},
		{"profile not pre-authorized", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "user@example.com", login, soon)), "", "invalid_grant:user hasn't approved this consumer"},
		{"user never approved", sign(key, jwt.SigningMethodRS256, claims("jwt-self", "user@example.com", login, soon)), "", "invalid_grant:user hasn't approved this consumer"},
		{"unknown user", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "who@example.com", login, soon)), "", "invalid_grant:user hasn't approved this consumer"},
		{"inactive user", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "gone@example.com", login, soon)), "", "inactive_user:user is inactive"},
		{"wrong audience", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", "https://example.com", soon)), "", "invalid_grant:audience is invalid"},
		{"expired", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", login, now.Add(-time.Minute))), "", "invalid_grant:expired authorization code"},
		{"no exp", sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", login, time.Time{})), "", "invalid_grant:expired authorization code"},
		{"signed by another key", sign(other, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", login, soon)), "", "invalid_grant:invalid assertion"},
		{"HS256", sign(nil, jwt.SigningMethodHS256, claims("jwt-admin", "admin@example.com", login, soon)), "", "invalid_grant:invalid assertion"},
		{"unknown issuer", sign(key, jwt.SigningMethodRS256, claims("nobody", "admin@example.com", login, soon)), "", "invalid_client_id:client identifier invalid"},
		{"app without certificate", sign(key, jwt.SigningMethodRS256, claims("no-cert", "admin@example.com", login, soon)), "", "invalid_grant:invalid assertion"},
		{"garbage", "not.a.jwt", "", "invalid_grant:invalid assertion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.token(t, url.Values{"grant_type": {JWTBearerGrant}, "assertion": {tt.assertion}})
			m := r.json(t)
			if tt.wantUser == "" {
				if got := m["error"].(string) + ":" + m["error_description"].(string); got != tt.wantErr || r.status != http.StatusBadRequest {
					t.Errorf("got %d %s, want 400 %s", r.status, r.body, tt.wantErr)
				}
				return
			}
			if r.status != http.StatusOK {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if _, ok := m["refresh_token"]; ok {
				t.Error("the JWT bearer flow must not issue a refresh token")
			}
			sess, err := f.srv.Lookup(m["access_token"].(string))
			if err != nil || sess.UserID != tt.wantUser {
				t.Errorf("session %+v, %v", sess, err)
			}
		})
	}
	t.Run("golden", func(t *testing.T) {
		r := f.token(t, url.Values{"grant_type": {JWTBearerGrant},
			"assertion": {sign(key, jwt.SigningMethodRS256, claims("jwt-admin", "admin@example.com", login, soon))}})
		golden.Check(t, "testdata/golden/token-jwt-bearer.json", redactTokens(t, f, r.body))
	})
	t.Run("approval through the web-server flow", func(t *testing.T) {
		f.srv.approve("jwt-self", userID, []string{"api", "refresh_token"})
		r := f.token(t, url.Values{"grant_type": {JWTBearerGrant},
			"assertion": {sign(key, jwt.SigningMethodRS256, claims("jwt-self", "user@example.com", login, soon))}})
		if r.status != http.StatusOK || r.json(t)["scope"] != "api" {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

func TestCallbackAllowed(t *testing.T) {
	t.Parallel()
	dev := DevApp()
	strict := ConnectedApp{CallbackURLs: []string{"http://127.0.0.1:8080/cb", "https://app.example.com/cb"}}
	tests := []struct {
		app  *ConnectedApp
		uri  string
		want bool
	}{
		{&dev, "http://127.0.0.1/callback", true},
		{&dev, "http://127.0.0.1:1717/callback", true},
		{&dev, "http://localhost:8080/callback", true},
		{&dev, "http://[::1]:8080/callback", true},
		{&dev, "http://127.0.0.1:8080/callback/", false},
		{&dev, "http://127.0.0.1:8080/callback?x=1", false},
		{&dev, "https://127.0.0.1:8080/callback", false},
		{&dev, "http://example.com:8080/callback", false},
		{&dev, "http://127.0.0.1.example.com/callback", false},
		{&strict, "http://127.0.0.1:8080/cb", true},
		{&strict, "http://127.0.0.1:8081/cb", false},
		{&strict, "https://app.example.com/cb", true},
		{&strict, "https://app.example.com/cb2", false},
	}
	for _, tt := range tests {
		if got := tt.app.callbackAllowed(tt.uri); got != tt.want {
			t.Errorf("%s callbackAllowed(%q) = %v, want %v", tt.app.ConsumerKey, tt.uri, got, tt.want)
		}
	}
}

func TestGrantScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		app       []string
		requested string
		want      string
		wantErr   bool
	}{
		{[]string{"api", "refresh_token"}, "", "refresh_token api", false},
		{[]string{"api", "refresh_token", "id"}, "id api", "api id", false},
		{[]string{"api"}, "api refresh_token", "", true},
		{[]string{"full"}, "api web id", "web api id", false},
		{[]string{"full"}, "refresh_token", "", true},
		{[]string{"full", "offline_access"}, "offline_access api", "offline_access api", false},
	}
	for _, tt := range tests {
		a := ConnectedApp{Scopes: tt.app}
		got, err := a.grantScopes(tt.requested)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v / %q: err = %v", tt.app, tt.requested, err)
			continue
		}
		if g := joinScopes(got); !tt.wantErr && g != tt.want {
			t.Errorf("%v / %q = %q, want %q", tt.app, tt.requested, g, tt.want)
		}
	}
}

func TestRegisterAppValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	bad := []ConnectedApp{
		{ConsumerSecret: "s"},
		{ConsumerKey: "k"},
		{ConsumerKey: "k", ConsumerSecret: "s", CallbackURLs: []string{"/relative"}},
		{ConsumerKey: "k", ConsumerSecret: "s", Scopes: []string{"everything"}},
		{ConsumerKey: "k", ConsumerSecret: "s", Certificate: "not pem"},
	}
	for _, a := range bad {
		if err := f.srv.RegisterApp(a); err == nil {
			t.Errorf("RegisterApp(%+v) accepted", a)
		}
	}
}
