package syncer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/store"
)

// connectEnv is an emulator in this process and a store with one user,
// ready for a connection to the emulator's org.
type connectEnv struct {
	emu   *sfemu.Emulator
	url   string
	st    *store.Store
	user  store.User
	calls *salesforce.CallCounter
}

func newConnectEnv(t testing.TB) *connectEnv {
	t.Helper()
	emu, err := sfemu.New(sfemu.Options{Seed: "empty"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	st := newStore(t)
	u, err := st.Users().Create(t.Context(), store.User{Login: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	return &connectEnv{emu: emu, url: srv.URL, st: st, user: u, calls: new(salesforce.CallCounter)}
}

// register stores the emulator's org with the connected app app.
func (e *connectEnv) register(t testing.TB, app auth.ConnectedApp) store.Org {
	t.Helper()
	if err := e.emu.Auth().RegisterApp(app); err != nil {
		t.Fatal(err)
	}
	o, err := e.st.Orgs().Create(t.Context(), store.Org{Name: "emu", LoginURL: e.url, ClientID: app.ConsumerKey,
		ClientSecret: secret.New(app.ConsumerSecret)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// base is the client configuration every org shares in these tests.
func (e *connectEnv) base() salesforce.Config {
	return salesforce.Config{Calls: e.calls, Retry: salesforce.RetryPolicy{Base: time.Millisecond, Cap: 5 * time.Millisecond}}
}

// connect logs in with the stored grant, as "sfbridge org connect" does,
// and saves the connection.
func (e *connectEnv) connect(t testing.TB, o store.Org, username string, g store.Grant) store.Connection {
	t.Helper()
	grant, err := RenewalGrant(username, g)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := salesforce.Connect(t.Context(), ClientConfig(e.base(), o, g), grant)
	if err != nil {
		t.Fatal(err)
	}
	return e.save(t, o, username, cl.Token(), g)
}

func (e *connectEnv) save(t testing.TB, o store.Org, username string, tok salesforce.Token, g store.Grant) store.Connection {
	t.Helper()
	c, err := e.st.Connections().Save(t.Context(), store.Connection{OrgID: o.ID, UserID: e.user.ID,
		SalesforceUserID: tok.UserID(), Username: username, InstanceURL: tok.InstanceURL,
		AccessToken: secret.New(tok.AccessToken), RefreshToken: secret.New(tok.RefreshToken), Grant: g})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// webLogin runs the web-server flow as a browser would and returns the
// token, with its refresh token.
func (e *connectEnv) webLogin(t testing.TB, o store.Org, username string) salesforce.Token {
	t.Helper()
	cfg := ClientConfig(e.base(), o, store.Grant{})
	cfg.RedirectURL, cfg.Scopes = auth.DevCallbackURL, []string{"api", "refresh_token"}
	oa, err := salesforce.NewOAuth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	authz := oa.Authorize(salesforce.AuthorizeOptions{})
	u, err := url.Parse(authz.URL)
	if err != nil {
		t.Fatal(err)
	}
	form := u.Query()
	form.Set("action", "login")
	form.Set("username", username)
	form.Set("password", org.DevPassword)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The browser follows the login's redirects up to the callback, which
	// nothing serves here.
	var callback *url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if r.URL.Path == "/callback" {
			callback = r.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.PostForm(e.url+"/services/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if callback == nil {
		t.Fatalf("the login ended at %s (%s), not at the callback", resp.Request.URL, resp.Status)
	}
	tok, err := oa.Exchange(t.Context(), callback.Query().Get("code"), authz.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	return *tok
}

// whoAmI makes one API call as the connection's user.
func whoAmI(ctx context.Context, cl *salesforce.Client, userID string) error {
	_, err := cl.Retrieve(ctx, "User", userID, "Username")
	return err
}

func newKeyPair(t testing.TB) (privatePEM, publicPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

// renewalFlows are the flows whose sessions renew without a person.
var renewalFlows = []struct {
	name string
	// setup registers the org and connects; it returns the connection
	// and how to withdraw its grant.
	setup func(t testing.TB, e *connectEnv) (store.Connection, func())
	// expire ends the session on the emulator.
	expire func(e *connectEnv)
}{
	{
		name: "web flow renews with its refresh token",
		setup: func(t testing.TB, e *connectEnv) (store.Connection, func()) {
			o := e.register(t, auth.DevApp())
			tok := e.webLogin(t, o, org.AdminUsername)
			c := e.save(t, o, org.AdminUsername, tok, store.Grant{})
			if c.Grant.Type != store.GrantRefreshToken {
				t.Errorf("grant type %s, want refresh_token", c.Grant.Type)
			}
			return c, func() {
				if err := e.emu.Auth().Revoke(tok.RefreshToken); err != nil {
					t.Fatal(err)
				}
			}
		},
		expire: func(e *connectEnv) { e.emu.Clock().Advance(3 * time.Hour) },
	},
	{
		name: "jwt flow renews with its stored key",
		setup: func(t testing.TB, e *connectEnv) (store.Connection, func()) {
			private, public := newKeyPair(t)
			app := auth.ConnectedApp{Name: "jwt", ConsumerKey: "jwt-app", ConsumerSecret: "jwt-secret", Certificate: public,
				PreAuthorizedProfiles: []string{"System Administrator"}}
			o := e.register(t, app)
			c := e.connect(t, o, org.AdminUsername, store.Grant{Type: store.GrantJWTBearer, Secret: secret.New(private)})
			return c, func() { // the admin replaces the app's certificate
				_, other := newKeyPair(t)
				app.Certificate = other
				if err := e.emu.Auth().RegisterApp(app); err != nil {
					t.Fatal(err)
				}
			}
		},
		// Not the clock: the emulator checks the assertion's expiry on its
		// clock, which an advance would put hours after this process's.
		expire: func(e *connectEnv) { e.emu.Auth().ExpireSessions() },
	},
	{
		name: "client credentials flow renews with the app secret",
		setup: func(t testing.TB, e *connectEnv) (store.Connection, func()) {
			app := auth.ConnectedApp{Name: "cc", ConsumerKey: "cc-app", ConsumerSecret: "cc-secret", RunAsUsername: org.AdminUsername}
			o := e.register(t, app)
			c := e.connect(t, o, org.AdminUsername, store.Grant{Type: store.GrantClientCredentials})
			return c, func() { // the admin turns the flow off
				app.RunAsUsername = ""
				if err := e.emu.Auth().RegisterApp(app); err != nil {
					t.Fatal(err)
				}
			}
		},
		expire: func(e *connectEnv) { e.emu.Clock().Advance(3 * time.Hour) },
	},
	{
		name: "password flow renews with the stored password",
		setup: func(t testing.TB, e *connectEnv) (store.Connection, func()) {
			o := e.register(t, auth.DevApp())
			c := e.connect(t, o, org.AdminUsername, store.Grant{Type: store.GrantPassword, Secret: secret.New(org.DevPassword)})
			return c, func() { // the user changes their password
				if err := e.emu.Org().SetPassword(t.Context(), c.SalesforceUserID, "changed-elsewhere"); err != nil {
					t.Fatal(err)
				}
			}
		},
		expire: func(e *connectEnv) { e.emu.Clock().Advance(3 * time.Hour) },
	},
}

// TestStoreConnectorRenews connects with each flow, lets Salesforce end the
// session, and checks that the next call renews it with what the
// connection stored — no person involved — and that the new token is
// stored; then withdraws the grant and checks that the connection asks for
// a new login.
func TestStoreConnectorRenews(t *testing.T) {
	for _, tc := range renewalFlows {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newConnectEnv(t)
			ctx := t.Context()
			conn, withdraw := tc.setup(t, e)
			first := conn.AccessToken.Reveal()

			sc := NewStoreConnector(e.st, e.base())
			cl, err := sc.Client(ctx, conn.OrgID, conn.UserID)
			if err != nil {
				t.Fatal(err)
			}
			if err := whoAmI(ctx, cl, conn.SalesforceUserID); err != nil {
				t.Fatalf("a call with the stored session: %v", err)
			}

			tc.expire(e)
			auths := e.calls.Auth()
			if err := whoAmI(ctx, cl, conn.SalesforceUserID); err != nil {
				t.Fatalf("the call after the session ended: %v", err)
			}
			if n := e.calls.Auth() - auths; n != 1 {
				t.Errorf("%d token requests to renew the session, want 1", n)
			}
			stored, err := e.st.Connections().Get(ctx, conn.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := stored.AccessToken.Reveal(); got == first || got != cl.Token().AccessToken {
				t.Errorf("the renewed access token was not stored (stored %q, first %q, client's %q)", got, first, cl.Token().AccessToken)
			}
			if stored.Grant.Type != conn.Grant.Type || stored.Grant.Secret.Reveal() != conn.Grant.Secret.Reveal() {
				t.Errorf("the renewal changed the grant: %s, want %s", stored.Grant.Type, conn.Grant.Type)
			}

			// After a restart, a new connector picks up the stored session.
			auths = e.calls.Auth()
			restarted, err := NewStoreConnector(e.st, e.base()).Client(ctx, conn.OrgID, conn.UserID)
			if err != nil {
				t.Fatal(err)
			}
			if err := whoAmI(ctx, restarted, conn.SalesforceUserID); err != nil || e.calls.Auth() != auths {
				t.Errorf("after a restart: %v, %d token requests; want the stored session to work as is", err, e.calls.Auth()-auths)
			}

			withdraw()
			tc.expire(e)
			err = whoAmI(ctx, restarted, conn.SalesforceUserID)
			if !errors.Is(err, salesforce.ErrNeedsReauth) {
				t.Fatalf("a call once the grant is withdrawn: %v, want ErrNeedsReauth", err)
			}
		})
	}
}

// TestStoreConnectorWithoutGrant: a connection that stored nothing to renew
// it (made before grants were stored) asks for a new login once its session
// ends.
func TestStoreConnectorWithoutGrant(t *testing.T) {
	e := newConnectEnv(t)
	ctx := t.Context()
	o := e.register(t, auth.DevApp())
	cl, err := salesforce.Connect(ctx, ClientConfig(e.base(), o, store.Grant{}), salesforce.PasswordGrant(org.AdminUsername, org.DevPassword))
	if err != nil {
		t.Fatal(err)
	}
	conn := e.save(t, o, org.AdminUsername, cl.Token(), store.Grant{})
	if conn.Grant.Type != store.GrantNone {
		t.Fatalf("grant type %s, want none", conn.Grant.Type)
	}
	sc, err := NewStoreConnector(e.st, e.base()).Client(ctx, o.ID, e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.emu.Clock().Advance(3 * time.Hour)
	if err := whoAmI(ctx, sc, conn.SalesforceUserID); !errors.Is(err, salesforce.ErrNeedsReauth) {
		t.Errorf("error = %v, want ErrNeedsReauth", err)
	}
}

func TestRenewalGrantRefusesABadKey(t *testing.T) {
	_, err := RenewalGrant("bot@acme.com", store.Grant{Type: store.GrantJWTBearer, Secret: secret.New("not a key")})
	if err == nil {
		t.Fatal("a JWT grant with an unreadable key was accepted")
	}
	for _, typ := range []store.GrantType{store.GrantNone, store.GrantRefreshToken} {
		if g, err := RenewalGrant("u", store.Grant{Type: typ}); g != nil || err != nil {
			t.Errorf("RenewalGrant(%s) = %v, %v; want nil, nil (the client renews with the token itself, or not at all)", typ, g != nil, err)
		}
	}
}

// BenchmarkRenewal measures, per flow, a call made after Salesforce ended
// the session: the call refused, the renewal, the new token stored, the
// call sent again.
func BenchmarkRenewal(b *testing.B) {
	for _, tc := range renewalFlows {
		b.Run(tc.name, func(b *testing.B) {
			e := newConnectEnv(b)
			conn, _ := tc.setup(b, e)
			cl, err := NewStoreConnector(e.st, e.base()).Client(b.Context(), conn.OrgID, conn.UserID)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				tc.expire(e)
				if err := whoAmI(b.Context(), cl, conn.SalesforceUserID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
